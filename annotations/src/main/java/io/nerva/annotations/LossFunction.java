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
    HINGE,
    /** Huber loss with delta 1 (Keras' default): quadratic within delta of the target, linear beyond; {@code Loss.huber(delta)} for another delta. */
    HUBER,
    /** Kullback–Leibler divergence {@code Σ y·log(y/p)} of probability rows, both clipped to [1e-7, 1] as Keras. */
    KL_DIVERGENCE,
    /** Categorical hinge {@code max(0, 1 + max((1 − y)·p) − Σ y·p)} on one-hot targets. */
    CATEGORICAL_HINGE,
    /** {@code mean log(cosh(p − y))}: about half the squared error near 0, the absolute error far from it. */
    LOG_COSH,
    /** Categorical cross-entropy on raw logits (linear output), computed with log-sum-exp. */
    CATEGORICAL_CROSSENTROPY_FROM_LOGITS;

    /**
     * Why this loss does not fit an output layer {@code layer} with the given activation and
     * number of units, or null when it fits. The processor reports it as a compile error for a
     * declared loss; the runtime throws it for a loss given to {@code fit}.
     */
    public String mismatch(ActivationType output, int units, String layer) {
        return switch (this) {
            case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY -> {
                if (units < 2)
                    yield this + " needs 2 or more output units, but " + layer + " has " + units
                            + "; use BINARY_CROSSENTROPY with a SIGMOID output for two classes";
                if (output != ActivationType.SOFTMAX)
                    yield this + " expects class probabilities, but the output (" + layer + ") has activation " + output
                            + "; use SOFTMAX on the output layer";
                yield null;
            }
            case BINARY_CROSSENTROPY ->
                output == ActivationType.SIGMOID
                        ? null
                        : this + " expects probabilities from a SIGMOID output, but the output (" + layer
                                + ") has activation " + output
                                + (output == ActivationType.LINEAR
                                        ? "; use SIGMOID, or BINARY_CROSSENTROPY_FROM_LOGITS"
                                        : "; use SIGMOID");
            case CATEGORICAL_CROSSENTROPY_FROM_LOGITS -> {
                if (units < 2)
                    yield this + " needs 2 or more output units, but " + layer + " has " + units
                            + "; use BINARY_CROSSENTROPY_FROM_LOGITS for two classes";
                if (output != ActivationType.LINEAR)
                    yield this + " expects raw logits, but the output (" + layer + ") has activation " + output
                            + "; remove the output activation or use CATEGORICAL_CROSSENTROPY";
                yield null;
            }
            case BINARY_CROSSENTROPY_FROM_LOGITS ->
                output == ActivationType.LINEAR
                        ? null
                        : this + " expects raw logits, but the output (" + layer + ") has activation " + output
                                + "; remove the output activation or use BINARY_CROSSENTROPY";
            default -> null;
        };
    }
}
