package io.nerva.processor.model;

import java.util.Locale;

/**
 * What the runtime can index, checked at compile time. Kernels take per-row widths and matrix
 * dimensions as {@code int}, and a parameter tensor is addressed through {@code int} shapes, so
 * every per-sample buffer and every parameter count must stay below {@code 2^31}.
 */
public final class Limits {
    /** Floats in one sample of any layer's input, output or scratch buffer. */
    public static final long MAX_SAMPLE_FLOATS = Integer.MAX_VALUE;
    /** Floats in one parameter tensor, and in all parameters of a network together. */
    public static final long MAX_PARAMS = Integer.MAX_VALUE;

    private Limits() {}

    public static String format(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
