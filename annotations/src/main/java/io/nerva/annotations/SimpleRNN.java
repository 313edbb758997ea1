package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * A fully connected recurrent layer over a sequence input {@code timesteps x features} (Keras'
 * {@code SimpleRNN}): {@code h_t = activation(x_t·kernel + h_{t−1}·recurrent_kernel + bias)}, {@code h_{−1} = 0}.
 *
 * <p>Parameters as Keras stores them: {@code <field>.kernel [features, units]},
 * {@code <field>.recurrent_kernel [units, units]}, {@code <field>.bias [units]}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface SimpleRNN {
    /** Number of units (Keras' {@code units}). */
    int value();

    ActivationType activation() default ActivationType.TANH;

    boolean useBias() default true;

    boolean returnSequences() default false;

    boolean goBackwards() default false;

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
