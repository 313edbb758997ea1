package io.nerva.annotations;

/** Activation functions; each except {@link #BINARY_STEP} has an exact derivative for training. */
public enum ActivationType {
    LINEAR,
    SIGMOID,
    TANH,
    RELU,
    /** {@code x} for x &gt; 0, else {@code alpha·x}. */
    LEAKY_RELU,
    /** {@code x} for x &gt; 0, else {@code alpha·(e^x − 1)}. */
    ELU,
    SELU,
    /** GELU, tanh approximation. */
    GELU,
    /** GELU with the exact Gaussian CDF. */
    GELU_EXACT,
    /** {@code x·sigmoid(x)}, also called SiLU. */
    SWISH,
    SOFTPLUS,
    SOFTSIGN,
    /** {@code clip(x/6 + 1/2, 0, 1)}, as Keras 3. */
    HARD_SIGMOID,
    EXPONENTIAL,
    ARCTAN,
    /** 1 for x ≥ 0, else 0. Forward only: its derivative is zero almost everywhere. */
    BINARY_STEP,
    /** Row-wise softmax over the units of the layer. */
    SOFTMAX;

    /** Whether gradients can flow through this function. */
    public boolean differentiable() {
        return this != BINARY_STEP;
    }

    public double defaultAlpha() {
        return switch (this) {
            case LEAKY_RELU -> 0.2;
            case ELU -> 1.0;
            default -> 0.0;
        };
    }
}
