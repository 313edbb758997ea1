package io.nerva.annotations;

/** Weight initializers with Keras' definitions (normal variants are truncated at two standard deviations). */
public enum Initializer {
    GLOROT_UNIFORM,
    GLOROT_NORMAL,
    HE_UNIFORM,
    HE_NORMAL,
    LECUN_UNIFORM,
    LECUN_NORMAL,
    ZEROS,
    ONES,
    /** Every value equal to the layer's {@code initValue}. */
    CONSTANT,
    /** A random orthogonal matrix (rows or columns orthonormal), Keras' default for recurrent kernels. */
    ORTHOGONAL,
    /** Uniform in [−0.05, 0.05], Keras' {@code RandomUniform()} default (Embedding's initializer). */
    RANDOM_UNIFORM
}
