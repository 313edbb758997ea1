package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * A 2D convolution over an NHWC image (Keras' {@code Conv2D}): kernel {@code [kh, kw, cin, filters]},
 * output {@code outH x outW x filters}. May share its field with an {@link Activation}, which is
 * then fused into the layer (Keras' {@code activation=} argument).
 *
 * <p>{@link #kernel()}, {@link #strides()} and {@link #dilation()} take one value for both axes
 * or two values {@code {height, width}}: {@code kernel = 5} is 5x5, {@code kernel = {3, 1}} is 3
 * rows by 1 column, and {@code strides = 2} is 2 in both directions.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Conv2D {
    /** Number of output channels. */
    int filters();

    /** Window size: {@code {k}} (k x k) or {@code {height, width}}. */
    int[] kernel() default {3, 3};

    /** Step between windows: {@code {s}} or {@code {height, width}}. */
    int[] strides() default {1};

    Padding padding() default Padding.VALID;

    /** Spacing between kernel taps (atrous convolution): {@code {d}} or {@code {height, width}}. */
    int[] dilation() default {1};

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
