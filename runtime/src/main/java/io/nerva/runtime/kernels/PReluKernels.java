package io.nerva.runtime.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Parametric ReLU over batch-first rows of {@code size} floats, one slope per position:
 * {@code y = x} for {@code x > 0}, else {@code alpha[i]·x}.
 */
public final class PReluKernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private PReluKernels() {}

    /** {@code out = prelu(in)}; the slopes are {@code w[alphaOffset .. alphaOffset + size)}. */
    public static void forward(
            MemorySegment in, MemorySegment w, long alphaOffset, MemorySegment out, int rows, int size) {
        long n = checked(in, out, rows, size);
        requireFloats(w, alphaOffset + size, "parameters");
        for (int r = 0; r < rows; r++) {
            long base = (long) r * size;
            for (int i = 0; i < size; i++) {
                float x = in.getAtIndex(F, base + i);
                out.setAtIndex(F, base + i, x > 0 ? x : w.getAtIndex(F, alphaOffset + i) * x);
            }
        }
        assert n == (long) rows * size;
    }

    /**
     * Sets {@code dAlpha[i] = Σ_rows dy·x} over {@code x ≤ 0} in {@code g} at {@code alphaOffset}, and, unless
     * {@code inGrad} is {@code NULL}, {@code dx = dy} for {@code x > 0}, else {@code alpha·dy}. {@code inGrad} may
     * be {@code outGrad} itself (in place): each element is read before it is written.
     */
    public static void backward(
            MemorySegment in,
            MemorySegment w,
            long alphaOffset,
            MemorySegment outGrad,
            MemorySegment inGrad,
            MemorySegment g,
            int rows,
            int size) {
        checked(in, outGrad, rows, size);
        requireFloats(w, alphaOffset + size, "parameters");
        requireFloats(g, alphaOffset + size, "gradients");
        boolean dx = !MemorySegment.NULL.equals(inGrad);
        if (dx) requireFloats(inGrad, (long) rows * size, "input gradient");
        for (int i = 0; i < size; i++) g.setAtIndex(F, alphaOffset + i, 0f);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * size;
            for (int i = 0; i < size; i++) {
                float x = in.getAtIndex(F, base + i);
                float dy = outGrad.getAtIndex(F, base + i);
                if (x > 0) {
                    if (dx) inGrad.setAtIndex(F, base + i, dy);
                } else {
                    long a = alphaOffset + i;
                    g.setAtIndex(F, a, g.getAtIndex(F, a) + dy * x);
                    if (dx) inGrad.setAtIndex(F, base + i, w.getAtIndex(F, a) * dy);
                }
            }
        }
    }

    private static long checked(MemorySegment in, MemorySegment out, int rows, int size) {
        if (rows < 0 || size < 1)
            throw new IllegalArgumentException("expected rows >= 0 and size >= 1, got " + rows + " x " + size);
        long n = (long) rows * size;
        requireFloats(in, n, "input");
        requireFloats(out, n, "output");
        return n;
    }

    static void requireFloats(MemorySegment s, long floats, String what) {
        if (s.byteSize() < floats * Float.BYTES) {
            throw new IllegalArgumentException(
                    what + " holds " + s.byteSize() / Float.BYTES + " floats, expected at least " + floats);
        }
    }
}
