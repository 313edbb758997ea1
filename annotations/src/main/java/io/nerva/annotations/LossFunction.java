package io.nerva.annotations;

/** Loss functions, named as in Keras. */
public enum LossFunction {
    /** No loss declared on the network; chosen at run time. */
    UNSPECIFIED,
    MEAN_SQUARED_ERROR,
    MEAN_ABSOLUTE_ERROR,
    /** Binary cross-entropy on probabilities (sigmoid output); fused with a sigmoid output layer. */
    BINARY_CROSSENTROPY,
    /** Binary cross-entropy on raw logits (linear output), computed stably. */
    BINARY_CROSSENTROPY_FROM_LOGITS,
    /** Categorical cross-entropy on one-hot targets; fused with softmax (gradient p − y). */
    CATEGORICAL_CROSSENTROPY,
    /** Categorical cross-entropy with integer class labels as targets. */
    SPARSE_CATEGORICAL_CROSSENTROPY,
    /** Hinge loss, targets in {-1, 1} (0/1 targets are mapped to -1/1). */
    HINGE
}
