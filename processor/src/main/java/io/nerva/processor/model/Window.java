package io.nerva.processor.model;

import io.nerva.annotations.Padding;

/**
 * A sliding window (convolution kernel or pooling window) as the checker resolved it: size,
 * strides, dilation (1 for pooling) and, for SAME, the top/left padding. Output sizes follow
 * Keras (TensorFlow): VALID {@code floor((in − dil·(k − 1) − 1)/s) + 1}, SAME {@code ceil(in/s)}
 * with {@code padTotal = max((out − 1)·s + dil·(k − 1) + 1 − in, 0)}, {@code padTop = padTotal/2}.
 */
public record Window(int kh, int kw, int sh, int sw, int dh, int dw, Padding padding, int padTop, int padLeft) {

    /**
     * The window resolved against an input of {@code h x w}; null when it does not fit (VALID), or when
     * its span or padding is beyond an int (a window no input can have). All arithmetic is in long:
     * SAME with {@code strides = Integer.MAX_VALUE} is a legal 1x1 output, not an overflow.
     */
    public static Window resolve(int kh, int kw, int sh, int sw, int dh, int dw, Padding padding, int h, int w) {
        long oh = outSize(h, kh, sh, dh, padding), ow = outSize(w, kw, sw, dw, padding);
        if (oh < 1 || ow < 1) return null;
        long padTop = padBefore(h, oh, kh, sh, dh), padLeft = padBefore(w, ow, kw, sw, dw);
        if (span(kh, dh) > Integer.MAX_VALUE
                || span(kw, dw) > Integer.MAX_VALUE
                || padTop > Integer.MAX_VALUE
                || padLeft > Integer.MAX_VALUE) return null;
        return new Window(kh, kw, sh, sw, dh, dw, padding, (int) padTop, (int) padLeft);
    }

    /** Rows of the output of an {@code h}-row input (columns alike); below 1 when a VALID window does not fit. */
    public static int outSize(int in, int k, int s, int d, Padding padding) {
        long span = span(k, d);
        if (padding == Padding.SAME) return (int) ((in + (long) s - 1) / s);
        return in < span ? 0 : (int) ((in - span) / s + 1);
    }

    /** Input rows one window covers, {@code d·(k − 1) + 1}, in long. */
    public static long span(int k, int d) {
        return (long) d * (k - 1) + 1;
    }

    private static long padBefore(long in, long out, long k, long s, long d) {
        return Math.max((out - 1) * s + d * (k - 1) + 1 - in, 0) / 2;
    }

    /** Rows spanned by the window including dilation gaps. */
    public long spanH() {
        return span(kh, dh);
    }

    public long spanW() {
        return span(kw, dw);
    }
}
