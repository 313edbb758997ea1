package io.nerva.processor.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The shape of one sample (batch implicit): {@code 784}, {@code 28x28x1}, or {@code 28x28} for a
 * sequence of 28 steps of 28 features. Sizes are computed in long: a shape whose size the runtime
 * cannot index is refused by the checker ({@link Limits}) before any plan holds it.
 */
public record Shape(int[] dims) {

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    /** Floats per sample, exactly (Long.MAX_VALUE when it does not fit a long). */
    public long count() {
        long n = 1;
        for (int d : dims) n = saturatingTimes(n, d);
        return n;
    }

    /** {@code n·d}, or Long.MAX_VALUE where that overflows (a size far past every limit). */
    public static long saturatingTimes(long n, long d) {
        long hi = Math.multiplyHigh(n, d), lo = n * d;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }

    /** Floats per sample as an int; only for shapes the checker accepted (≤ {@link Limits#MAX_SAMPLE_FLOATS}). */
    public int size() {
        return Math.toIntExact(count());
    }

    public boolean isFlat() {
        return dims.length == 1;
    }

    /** A sequence {@code timesteps x features}. */
    public boolean isSequence() {
        return dims.length == 2;
    }

    public boolean isImage() {
        return dims.length == 3;
    }

    /** The last axis: features, units or channels. */
    public int last() {
        return dims[dims.length - 1];
    }

    /** This shape with its last axis replaced by {@code n} (a Dense on every step of a sequence). */
    public Shape withLast(int n) {
        int[] d = dims.clone();
        d[d.length - 1] = n;
        return new Shape(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code 28x28x1}. */
    @Override
    public String toString() {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    /** Keras' notation, {@code (None, 28, 28, 1)}. */
    public String kerasString() {
        return "(None, " + Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + ")";
    }
}
