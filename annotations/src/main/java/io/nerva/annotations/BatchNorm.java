package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * Batch normalization over the last axis (Keras' {@code BatchNormalization(axis=-1)}): the channels
 * of an image, or the features of a flat input. {@code y = gamma·(x − mean)/√(var + epsilon) + beta}.
 *
 * <p>While training the mean and (biased) variance are those of the batch (over rows, and over
 * height and width for images), and the moving averages are updated
 * {@code moving = momentum·moving + (1 − momentum)·batch}; at inference the moving averages are used.
 *
 * <p>Parameters, back to back in the model's parameter buffer: {@code <field>.gamma} (ones),
 * {@code <field>.beta} (zeros), both trained, then {@code <field>.moving_mean} (zeros) and
 * {@code <field>.moving_variance} (ones), which are state, not trained: the optimizer never sees
 * them (weight decay included). With {@code trainable = false} the layer runs as at inference even
 * while the network trains (as Keras): its moving averages stay as they are.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface BatchNorm {
    /** Weight of the old value in the moving averages, in [0, 1). */
    double momentum() default 0.99;

    /** Added to the variance before the square root; must be positive. */
    double epsilon() default 0.001;

    /**
     * {@code false} freezes the layer (Keras' {@code trainable=False}): its parameters get no gradient work and
     * the optimizer skips them; gradients still pass through to earlier layers. {@code Layer.setTrainable} changes
     * it at run time.
     */
    boolean trainable() default true;
}
