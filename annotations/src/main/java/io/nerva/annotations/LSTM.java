package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * A long short-term memory layer over a sequence input {@code timesteps x features} (Keras' {@code LSTM}).
 * Per step, with gates in Keras' order i, f, c, o:
 * {@code z = x_t·kernel + h_{t−1}·recurrent_kernel + bias}, {@code i, f, o = recurrentActivation(z_i, z_f, z_o)},
 * {@code c_t = f·c_{t−1} + i·activation(z_c)}, {@code h_t = o·activation(c_t)}; {@code h_{−1} = c_{−1} = 0}.
 *
 * <p>Parameters as Keras stores them: {@code <field>.kernel [features, 4·units]},
 * {@code <field>.recurrent_kernel [units, 4·units]}, {@code <field>.bias [4·units]}. Output
 * {@code units} (the last state), or {@code timesteps x units} with {@link #returnSequences()}.
 * Not supported: dropout, recurrent_dropout, stateful, masking.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface LSTM {
    /** Number of units (Keras' {@code units}). */
    int value();

    ActivationType activation() default ActivationType.TANH;

    /** The activation of the i, f and o gates. */
    ActivationType recurrentActivation() default ActivationType.SIGMOID;

    boolean useBias() default true;

    /** Output every step's state ({@code timesteps x units}) instead of the last one. */
    boolean returnSequences() default false;

    /** Process the sequence from its last step to its first; with returnSequences the output is in that order too, as Keras. */
    boolean goBackwards() default false;

    Initializer kernelInit() default Initializer.GLOROT_UNIFORM;

    Initializer recurrentInit() default Initializer.ORTHOGONAL;

    Initializer biasInit() default Initializer.ZEROS;

    /** Start the forget gate's bias at 1 (added to {@link #biasInit()}), as Keras' {@code unit_forget_bias}. */
    boolean unitForgetBias() default true;

    /** The value used by {@link Initializer#CONSTANT}. */
    float initValue() default 0f;

    /**
     * {@code false} freezes the layer (Keras' {@code trainable=False}): its parameters get no gradient work and
     * the optimizer skips them; gradients still pass through to earlier layers. {@code Layer.setTrainable} changes
     * it at run time.
     */
    boolean trainable() default true;
}
