package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * Parametric ReLU, as Keras' {@code PReLU}: {@code f(x) = x} for {@code x > 0}, else {@code alpha·x}, with
 * one trained slope per unit of the input: parameter {@code <field>.alpha} of the input's shape (a sequence
 * {@code {T, F}} has {@code T·F} slopes, an image {@code {H, W, C}} {@code H·W·C}), initialised to 0 by
 * default (Keras' {@code alpha_initializer="zeros"}, where it starts as a ReLU). Keras' {@code shared_axes}
 * is not supported; the Keras import does not translate {@code PReLU} layers. The field's {@code Layer.kernel()}
 * is {@code alpha}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface PReLU {
    Initializer alphaInit() default Initializer.ZEROS;

    /** The value used by {@link Initializer#CONSTANT} (e.g. 0.25, the slope He et al. start from). */
    float initValue() default 0f;
}
