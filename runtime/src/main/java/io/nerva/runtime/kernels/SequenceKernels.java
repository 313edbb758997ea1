package io.nerva.runtime.kernels;

import io.nerva.annotations.ActivationType;
import io.nerva.blas.Blas;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What the recurrent kernels ({@link SimpleRnnKernels}, {@link LstmKernels}, {@link GruKernels})
 * share: fast float {@code exp}/{@code sigmoid}/{@code tanh}, activation dispatch, the step-major
 * copies of a batch-first sequence, strided products, column sums and the buffer-size checks.
 *
 * <p>Layout convention of the recurrent kernels: a sequence is batch-first {@code [rows, T, F]};
 * inside {@code state} and {@code scratch} everything is <em>step-major</em> {@code [T, rows, ·]},
 * indexed by the processing step {@code s} (step {@code s} reads time {@code T−1−s} with
 * goBackwards, else time {@code s}), so that each step's block is one contiguous packed matrix
 * and the all-steps products (input projection, weight gradients) are single sgemm calls.
 */
final class SequenceKernels {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** Activation codes: the fused loops branch on these (predictably) per element. */
    static final int TANH = 0, SIGMOID = 1, GENERIC = 2;

    private SequenceKernels() {}

    static int code(ActivationType t) {
        return switch (t) {
            case TANH -> TANH;
            case SIGMOID -> SIGMOID;
            default -> GENERIC;
        };
    }

    /** Rejects what a recurrent layer cannot use (SOFTMAX is row-wise; null). */
    static ActivationType checkActivation(String what, ActivationType t) {
        if (t == null) throw new IllegalArgumentException(what + " is null");
        if (t == ActivationType.SOFTMAX) {
            throw new IllegalArgumentException(what + " SOFTMAX is not element-wise and cannot be a recurrent activation");
        }
        return t;
    }

    static void checkDims(String layer, int timesteps, int features, int units) {
        if (timesteps < 1 || features < 1 || units < 1) {
            throw new IllegalArgumentException(layer + ": timesteps, features and units must be ≥ 1, got T=" + timesteps
                    + " F=" + features + " units=" + units);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Fast float transcendental functions
    // ------------------------------------------------------------------------------------------

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5·2^23: adding it rounds to an integer in the low mantissa bits
    private static final float EXP_MAX = 88.3762626647949f, EXP_MIN = -87.3365447505531f;

    /**
     * {@code e^x} in float, relative error ≈ 2 ulp (Cephes' expf polynomial after a Cody–Waite
     * reduction), clamped to the normal range (so tiny results are at least ≈ 1.2e-38, huge ones
     * at most ≈ 2.4e38); NaN gives NaN. About 15 float operations, no call, no branch.
     */
    static float expF(float x) {
        x = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float t = x * LOG2E + ROUND;
        int n = Float.floatToRawIntBits(t) - 0x4B400000;
        float fn = t - ROUND;
        float r = x - fn * LN2_HI - fn * LN2_LO;
        float r2 = r * r;
        float p = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r
                + 4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f;
        float y = p * r2 + r + 1f;
        return y * Float.intBitsToFloat((n + 127) << 23);
    }

    /** {@code 1/(1 + e^−x)}, relative error ≈ 3e-7. */
    static float sigmoidF(float x) {
        return 1f / (1f + expF(-x));
    }

    /**
     * {@code tanh x} in float, relative error ≈ 3e-7: an odd Taylor polynomial to x¹⁷ for
     * |x| &lt; 0.5 (truncation below 1e-8 relative), {@code 1 − 2/(e^{2|x|} + 1)} above.
     */
    static float tanhF(float x) {
        float ax = Math.abs(x);
        if (ax < 0.5f) {
            float x2 = x * x;
            float p = ((((((-5.9002744e-4f * x2 + 1.4558343870e-3f) * x2 - 3.5921280366e-3f) * x2
                    + 8.8632355299e-3f) * x2 - 2.1869488536e-2f) * x2 + 5.3968253968e-2f) * x2
                    - 1.3333333333e-1f) * x2 + 3.3333333333e-1f;
            return x - x * x2 * p;
        }
        float y = 1f - 2f / (expF(2f * ax) + 1f);
        return Math.copySign(y, x);
    }

    /** {@code f(x)}: the fast paths for TANH and SIGMOID, {@link Activations#value} for the rest. */
    static float act(int code, ActivationType t, float x) {
        if (code == TANH) return tanhF(x);
        if (code == SIGMOID) return sigmoidF(x);
        return (float) Activations.value(t, Double.NaN, x);
    }

    /** {@code f'(z)} given {@code a = f(z)}: from {@code a} for TANH and SIGMOID, else {@link Activations#derivative}. */
    static float deriv(int code, ActivationType t, float z, float a) {
        if (code == TANH) return 1f - a * a;
        if (code == SIGMOID) return a * (1f - a);
        return (float) Activations.derivative(t, Double.NaN, z);
    }

    // ------------------------------------------------------------------------------------------
    // Buffers
    // ------------------------------------------------------------------------------------------

    static long floats(MemorySegment s) {
        return s.byteSize() / Float.BYTES;
    }

    /** Throws unless {@code s} holds at least {@code need} floats (the message is built only then: no allocation). */
    static void require(String layer, String name, MemorySegment s, long need, int rows, long perRow, Object spec) {
        if (s == null || s.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException(layer + ": " + name + " is missing (NULL); it needs " + need + " floats for "
                    + rows + " rows (" + perRow + " per row, " + spec + ")");
        }
        long have = floats(s);
        if (have < need) {
            throw new IllegalArgumentException(layer + ": " + name + " holds " + have + " floats, expected at least " + need
                    + " for " + rows + " rows (" + perRow + " per row, " + spec + ")");
        }
    }

    /** Throws unless the parameter tensor {@code [off, off + size)} lies inside {@code w}. */
    static void requireParam(String layer, String buffer, String tensor, MemorySegment w, long off, long size) {
        if (off < 0) throw new IllegalArgumentException(layer + ": " + tensor + " offset " + off + " is negative");
        long have = floats(w);
        if (off + size > have) {
            throw new IllegalArgumentException(layer + ": " + buffer + " holds " + have + " floats, expected at least "
                    + (off + size) + " for " + tensor + " (" + size + " floats at offset " + off + ")");
        }
    }

    static void checkRows(String layer, int rows) {
        if (rows < 0) throw new IllegalArgumentException(layer + ": negative rows " + rows);
    }

    /** Zeroes {@code n} floats from float index {@code at}. */
    static void zero(MemorySegment s, long at, long n) {
        if (n >= 16) {
            ConvKernels.clear(s, at, n);
        } else {
            for (long i = 0; i < n; i++) s.setAtIndex(F, at + i, 0f);
        }
    }

    static void copy(MemorySegment src, long from, MemorySegment dst, long to, int n) {
        if (n >= 16) {
            MemorySegment.copy(src, from * Float.BYTES, dst, to * Float.BYTES, (long) n * Float.BYTES);
        } else {
            for (int i = 0; i < n; i++) dst.setAtIndex(F, to + i, src.getAtIndex(F, from + i));
        }
    }

    /** Time index read at processing step {@code s}. */
    static int time(int s, int timesteps, boolean goBackwards) {
        return goBackwards ? timesteps - 1 - s : s;
    }

    /** {@code xs[s, r, :] = x[r, time(s), :]} — the step-major copy of a batch-first sequence. */
    static void toStepMajor(MemorySegment x, MemorySegment xs, long xsOff, int rows, int timesteps, int width, boolean back) {
        for (int s = 0; s < timesteps; s++) {
            int t = time(s, timesteps, back);
            long dst = xsOff + (long) s * rows * width;
            for (int r = 0; r < rows; r++) {
                copy(x, ((long) r * timesteps + t) * width, xs, dst + (long) r * width, width);
            }
        }
    }

    /** {@code x[r, time(s), :] = xs[s, r, :]} — the inverse of {@link #toStepMajor}. */
    static void fromStepMajor(MemorySegment xs, long xsOff, MemorySegment x, int rows, int timesteps, int width, boolean back) {
        for (int s = 0; s < timesteps; s++) {
            int t = time(s, timesteps, back);
            long src = xsOff + (long) s * rows * width;
            for (int r = 0; r < rows; r++) {
                copy(xs, src + (long) r * width, x, ((long) r * timesteps + t) * width, width);
            }
        }
    }

    /** {@code g[gOff + j] = Σ_i m[mOff + i·ld + j]} for {@code i < n}, {@code j < cols} (overwrites). */
    static void columnSums(MemorySegment m, long mOff, long n, int cols, int ld, MemorySegment g, long gOff) {
        for (int j = 0; j < cols; j++) g.setAtIndex(F, gOff + j, 0f);
        for (long i = 0; i < n; i++) {
            long base = mOff + i * ld;
            for (int j = 0; j < cols; j++) {
                g.setAtIndex(F, gOff + j, g.getAtIndex(F, gOff + j) + m.getAtIndex(F, base + j));
            }
        }
    }

    /**
     * {@code C = op(A)·op(B) + beta·C} with leading dimensions: one row ({@code m == 1}, A not
     * transposed) goes to {@code sgemv}, which streams B instead of packing it; the rest to
     * {@code sgemm}. Nothing when {@code m}, {@code n} or {@code k} is 0 (then C is not touched,
     * so callers with {@code k == 0} and {@code beta == 0} must clear C themselves).
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     float beta, MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0 || k == 0) return;
        if (m == 1 && !transA) {
            if (transB) {
                Blas.get().sgemv(false, n, k, 1f, b, bOff, ldb, a, aOff, beta, c, cOff);
            } else {
                Blas.get().sgemv(true, k, n, 1f, b, bOff, ldb, a, aOff, beta, c, cOff);
            }
        } else {
            Blas.get().sgemm(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }
}
