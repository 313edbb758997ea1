package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * Average pooling over an NHWC image (Keras' {@code AveragePooling2D}): each output is the mean
 * of its window, channel by channel. With {@link Padding#SAME} the mean is over the cells inside
 * the input only, as Keras.
 *
 * <p>{@link #size()} and {@link #strides()} take one value for both axes or two values
 * {@code {height, width}}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface AvgPool2D {
    /** Window size: {@code {p}} (p x p) or {@code {height, width}}. */
    int[] size() default {2, 2};

    /** Step between windows; empty (the default) means the window size, as Keras' {@code strides=None}. */
    int[] strides() default {};

    Padding padding() default Padding.VALID;
}
