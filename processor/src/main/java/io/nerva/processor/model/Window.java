package io.nerva.processor.model;

import io.nerva.annotations.Padding;

/**
 * A sliding window (convolution kernel or pooling window) as the checker resolved it: size,
 * strides, dilation (1 for pooling) and, for SAME, the top/left padding. Output sizes follow
 * Keras (TensorFlow): VALID {@code floor((in − dil·(k − 1) − 1)/s) + 1}, SAME {@code ceil(in/s)}
 * with {@code padTotal = max((out − 1)·s + dil·(k − 1) + 1 − in, 0)}, {@code padTop = padTotal/2}.
 */
public record Window(int kh, int kw, int sh, int sw, int dh, int dw, Padding padding, int padTop, int padLeft) {

    /** The window resolved against an input of {@code h x w}; null when it does not fit (VALID only). */
    public static Window resolve(int kh, int kw, int sh, int sw, int dh, int dw, Padding padding, int h, int w) {
        int oh = outSize(h, kh, sh, dh, padding), ow = outSize(w, kw, sw, dw, padding);
        if (oh < 1 || ow < 1) return null;
        return new Window(kh, kw, sh, sw, dh, dw, padding, padBefore(h, oh, kh, sh, dh), padBefore(w, ow, kw, sw, dw));
    }

    /** Rows of the output of an {@code h}-row input (columns alike); below 1 when a VALID window does not fit. */
    public static int outSize(int in, int k, int s, int d, Padding padding) {
        int span = d * (k - 1) + 1;
        if (padding == Padding.SAME) return (in + s - 1) / s;
        return in < span ? 0 : (in - span) / s + 1;
    }

    private static int padBefore(int in, int out, int k, int s, int d) {
        return Math.max((out - 1) * s + d * (k - 1) + 1 - in, 0) / 2;
    }

    /** Rows spanned by the window including dilation gaps. */
    public int spanH() {
        return dh * (kh - 1) + 1;
    }

    public int spanW() {
        return dw * (kw - 1) + 1;
    }
}
