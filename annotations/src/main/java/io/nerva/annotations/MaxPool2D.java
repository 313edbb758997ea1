package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * Max pooling over an NHWC image (Keras' {@code MaxPooling2D}): each output is the largest
 * value of its window, channel by channel. With {@link Padding#SAME} the cells outside the input
 * are ignored (as if they were −∞).
 *
 * <p>{@link #size()} and {@link #strides()} take one value for both axes or two values
 * {@code {height, width}}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface MaxPool2D {
    /** Window size: {@code {p}} (p x p) or {@code {height, width}}. */
    int[] size() default {2, 2};

    /** Step between windows; empty (the default) means the window size, as Keras' {@code strides=None}. */
    int[] strides() default {};

    Padding padding() default Padding.VALID;
}
