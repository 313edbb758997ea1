package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * A lookup table from integer token ids to vectors (Keras' {@code Embedding}): an input of
 * {@code timesteps} ids becomes {@code timesteps x outputDim}. Must be the first layer; the ids
 * arrive as floats holding whole numbers in {@code [0, inputDim)}, and anything else (a fraction,
 * a negative or too-large id, NaN) is an error naming the sample and the position.
 *
 * <p>Parameter: {@code <field>.embeddings [inputDim, outputDim]}, as Keras stores it.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Embedding {
    /** Size of the vocabulary: ids run from 0 to {@code inputDim − 1}. */
    int inputDim();

    /** Length of each vector. */
    int outputDim();

    /** Keras' default is {@code RandomUniform(−0.05, 0.05)}. */
    Initializer embeddingsInit() default Initializer.RANDOM_UNIFORM;

    /** The value used by {@link Initializer#CONSTANT}. */
    float initValue() default 0f;

    /**
     * {@code false} freezes the layer (Keras' {@code trainable=False}): its parameters get no gradient work and
     * the optimizer skips them; gradients still pass through to earlier layers. {@code Layer.setTrainable} changes
     * it at run time.
     */
    boolean trainable() default true;
}
