package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * A gated recurrent unit layer over a sequence input {@code timesteps x features} (Keras' {@code GRU}),
 * gates in Keras' order z (update), r (reset), h (candidate):
 * {@code z = σ(x·Wz + h·Uz + bz)}, {@code r = σ(x·Wr + h·Ur + br)},
 * {@code ĥ = act(x·Wh + r ⊙ (h·Uh + b'h) + bh)} with {@link #resetAfter()} (Keras 3's default), or
 * {@code ĥ = act(x·Wh + (r ⊙ h)·Uh + bh)} without; {@code h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ}.
 *
 * <p>Parameters as Keras stores them: {@code <field>.kernel [features, 3·units]},
 * {@code <field>.recurrent_kernel [units, 3·units]}, {@code <field>.bias [2, 3·units]} with
 * resetAfter (input bias, then recurrent bias) or {@code [3·units]} without.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface GRU {
    /** Number of units (Keras' {@code units}). */
    int value();

    ActivationType activation() default ActivationType.TANH;

    /** The activation of the z and r gates. */
    ActivationType recurrentActivation() default ActivationType.SIGMOID;

    boolean useBias() default true;

    boolean returnSequences() default false;

    boolean goBackwards() default false;

    /** Apply the reset gate after the recurrent product (Keras 3 and cuDNN's convention). */
    boolean resetAfter() default true;

    Initializer kernelInit() default Initializer.GLOROT_UNIFORM;

    Initializer recurrentInit() default Initializer.ORTHOGONAL;

    Initializer biasInit() default Initializer.ZEROS;

    /** The value used by {@link Initializer#CONSTANT}. */
    float initValue() default 0f;

    /**
     * {@code false} freezes the layer (Keras' {@code trainable=False}): its parameters get no gradient work and
     * the optimizer skips them; gradients still pass through to earlier layers. {@code Layer.setTrainable} changes
     * it at run time.
     */
    boolean trainable() default true;
}
