package io.nerva.annotations;

/** How a convolution or pooling window treats the border, as Keras' {@code padding=}. */
public enum Padding {
    /**
     * No padding: only windows that lie entirely inside the input. Output size
     * {@code floor((in − dilation·(k − 1) − 1) / stride) + 1}.
     */
    VALID,
    /**
     * Zero padding (convolution) or ignored cells (pooling) so that the output size is
     * {@code ceil(in / stride)}. As TensorFlow, the total padding
     * {@code max((out − 1)·stride + dilation·(k − 1) + 1 − in, 0)} is split with the smaller half
     * on top/left and the extra cell, if any, on the bottom/right.
     */
    SAME
}
