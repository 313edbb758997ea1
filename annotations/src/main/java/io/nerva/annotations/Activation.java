package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * An activation function: a layer of its own when alone on a field, or fused into the
 * {@link Dense} on the same field (Keras' {@code activation=} argument).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Activation {
    ActivationType value();

    /**
     * Slope for {@link ActivationType#LEAKY_RELU} (default 0.2, as Keras 3) and scale for
     * {@link ActivationType#ELU} (default 1.0). NaN means the function's default.
     */
    double alpha() default Double.NaN;
}
