package io.nerva.annotations;

import java.lang.annotation.*;

/** A fully connected layer {@code Y = X·W + b}, kernel {@code [in, units]} as in Keras. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Dense {
    /** Number of output units. */
    int value();

    boolean useBias() default true;

    Initializer kernelInit() default Initializer.GLOROT_UNIFORM;

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
