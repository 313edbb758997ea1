package io.nerva.runtime.kernels;

import io.nerva.annotations.ActivationType;
import io.nerva.blas.Blas;
import io.nerva.blas.Parallel;
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
            throw new IllegalArgumentException(
                    what + " SOFTMAX is not element-wise and cannot be a recurrent activation");
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
    // Fast float tanh and sigmoid
    // ------------------------------------------------------------------------------------------

    private static final float TANH_CLAMP = 7.90531110763549805f;

    /**
     * {@code tanh x} in float as a [13/6] rational minimax approximation (Eigen's {@code ptanh_float}
     * coefficients), clamped to ±7.9053 where it rounds to ±1: relative error below 4e-7 everywhere,
     * no branch, no exp, no bit tricks — so C2 vectorises the plain loops over {@code float[]} that
     * call it (about 0.2 ns per element against ≈ 10 for a scalar {@code exp}-based form).
     */
    static float tanhF(float x) {
        x = Math.min(Math.max(x, -TANH_CLAMP), TANH_CLAMP);
        float x2 = x * x;
        float p = -2.76076847742355e-16f;
        p = p * x2 + 2.00018790482477e-13f;
        p = p * x2 - 8.60467152213735e-11f;
        p = p * x2 + 5.12229709037114e-08f;
        p = p * x2 + 1.48572235717979e-05f;
        p = p * x2 + 6.37261928875436e-04f;
        p = p * x2 + 4.89352455891786e-03f;
        float q = 1.19825839466702e-06f;
        q = q * x2 + 1.18534705686654e-04f;
        q = q * x2 + 2.26843463243900e-03f;
        q = q * x2 + 4.89352518554385e-03f;
        return x * p / q;
    }

    /**
     * {@code 1/(1 + e^−x) = ½ + ½·tanh(x/2)} through {@link #tanhF}: absolute error below 3e-7
     * (so relative below 1e-6 where the value is above 0.2; in the far negative tail, where the true
     * value is tiny, only the absolute bound holds — what gates need).
     */
    static float sigmoidF(float x) {
        return 0.5f * tanhF(0.5f * x) + 0.5f;
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

    /** {@code a[q] = tanh(a[q])} for {@code q < n} — a loop C2 vectorises. */
    static void tanhInPlace(float[] a, int n) {
        for (int q = 0; q < n; q++) a[q] = tanhF(a[q]);
    }

    /** {@code a[q] = sigmoid(a[q])} for {@code q < n} — a loop C2 vectorises. */
    static void sigmoidInPlace(float[] a, int n) {
        for (int q = 0; q < n; q++) a[q] = sigmoidF(a[q]);
    }

    /** {@code a[q] += b[q]} for {@code q < n}. */
    static void addInPlace(float[] a, float[] b, int n) {
        for (int q = 0; q < n; q++) a[q] += b[q];
    }

    /**
     * Per-thread heap working arrays of the fast (TANH/SIGMOID) paths: C2 vectorises plain counted
     * loops over {@code float[]} but not (in JDK 25) over two native segments that might alias, and
     * only when every array in a loop is indexed alike — so each step's block is gathered from the
     * segments into planar per-gate arrays, transformed by same-index loops, and scattered back with
     * bulk copies. The arrays grow on a thread's first call for a larger layer and are reused
     * after, so a training step allocates nothing once warm.
     */
    static final class Work {
        /** 28 arrays of about {@code rows·units} floats each (their use is up to each kernel). */
        final float[][] a = new float[28][0];

        float[] get(int k, int n) {
            float[] v = a[k];
            if (v.length < n) {
                v = new float[n];
                a[k] = v;
            }
            return v;
        }
    }

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

    static Work work() {
        return WORK.get();
    }

    // ------------------------------------------------------------------------------------------
    // Row parallelism
    // ------------------------------------------------------------------------------------------

    /**
     * Rows per part below which a call stays on one thread: a 16-row step product is about 10 µs,
     * far above the hand-off to another thread (a few µs once per call, not per step).
     */
    static final int MIN_PART_ROWS = 16;

    /**
     * The through-time loop of one kernel call over a range of batch rows. Rows of a batch are
     * independent through time, so the loop runs on {@link Parallel}'s threads over disjoint row
     * ranges at once with no synchronisation per step (the products inside a part stay whole on
     * its thread); what sums over rows (the weight gradients) is done after, by the caller. One
     * instance per calling thread, reused (nothing allocated per call).
     */
    abstract static class RowJob implements Parallel.Task {
        private int rows;

        /** Runs rows {@code [r0, r1)} as part {@code index}, on whichever thread claimed it. */
        abstract void part(int index, int r0, int r1);

        @Override
        public final void run(int part, int parts) {
            part(part, start(part, rows, parts), start(part + 1, rows, parts));
        }
    }

    /**
     * Row parts (system property {@code nerva.recurrentRowParts}, default true) against splitting
     * each step's product across the threads; see the kernels' javadoc for what was measured.
     */
    static final boolean ROW_PARTS = Boolean.parseBoolean(System.getProperty("nerva.recurrentRowParts", "true"));

    /** Tests only: when positive, the parts per call whatever the threads and rows (so 1 core tests them too). */
    static volatile int forcedParts;

    /**
     * The number of parts {@link #runRows} splits {@code rows} into: one per thread, each of at
     * least {@link #MIN_PART_ROWS} rows; 1 when one of the segments the parts touch is confined.
     */
    static int parts(int rows, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d) {
        return shared(a) && shared(b) && shared(c) && shared(d) ? parts(rows) : 1;
    }

    /** Whether {@code s} is absent or the workers may touch it (a confined arena's segment: only its owner). */
    private static boolean shared(MemorySegment s) {
        return s == null || Parallel.shared(s);
    }

    static int parts(int rows) {
        int forced = forcedParts;
        if (forced > 0) return Math.max(1, Math.min(forced, rows));
        if (!ROW_PARTS || rows < 2 * MIN_PART_ROWS || !Parallel.available()) return 1;
        return Math.max(1, Math.min(Parallel.threads(), rows / MIN_PART_ROWS));
    }

    /** Runs {@code job} over rows {@code [0, rows)} in {@code parts} contiguous ranges on {@link Parallel}'s threads. */
    static void runRows(RowJob job, int rows, int parts) {
        job.rows = rows;
        if (parts <= 1) {
            job.part(0, 0, rows);
        } else {
            Parallel.run(job, parts);
        }
    }

    /** First row of part {@code p} of {@code parts} over {@code rows} rows (balanced, contiguous). */
    static int start(int p, int rows, int parts) {
        return (int) ((long) rows * p / parts);
    }

    /** {@code dst[j] = Σ_r a[r·n + j]} for {@code j < n} (overwrites; rows summed in order). */
    static void rowSums(float[] a, int rows, int n, float[] dst, int at) {
        java.util.Arrays.fill(dst, at, at + n, 0f);
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            for (int j = 0; j < n; j++) dst[at + j] += a[base + j];
        }
    }

    /** {@code a[r·n + j] = s[at + j]} for {@code r < rows}, {@code j < n}: a row broadcast (e.g. a bias). */
    static void broadcast(MemorySegment s, long at, float[] a, int rows, int n) {
        for (int r = 0; r < rows; r++) load(s, at, a, r * n, n);
    }

    /** {@code g[at + j] = Σ_r a[r·n + j]} (overwrites). */
    static void rowSums(float[] a, int rows, int n, MemorySegment g, long at) {
        for (int j = 0; j < n; j++) {
            float sum = 0f;
            for (int r = 0; r < rows; r++) sum += a[r * n + j];
            g.setAtIndex(F, at + j, sum);
        }
    }

    /** {@code n} floats from float index {@code at} of {@code s} into {@code a[to..]}. */
    static void load(MemorySegment s, long at, float[] a, int to, int n) {
        MemorySegment.copy(s, F, at * Float.BYTES, a, to, n);
    }

    /** {@code n} floats of {@code a[from..]} to float index {@code at} of {@code s}. */
    static void store(float[] a, int from, MemorySegment s, long at, int n) {
        MemorySegment.copy(a, from, s, F, at * Float.BYTES, n);
    }

    static long floats(MemorySegment s) {
        return s.byteSize() / Float.BYTES;
    }

    /** Throws unless {@code s} holds at least {@code need} floats (the message is built only then: no allocation). */
    static void require(String layer, String name, MemorySegment s, long need, int rows, long perRow, Object spec) {
        if (s == null || s.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException(layer + ": " + name + " is missing (NULL); it needs " + need
                    + " floats for " + rows + " rows (" + perRow + " per row, " + spec + ")");
        }
        long have = floats(s);
        if (have < need) {
            throw new IllegalArgumentException(layer + ": " + name + " holds " + have + " floats, expected at least "
                    + need + " for " + rows + " rows (" + perRow + " per row, " + spec + ")");
        }
    }

    /** Throws unless the parameter tensor {@code [off, off + size)} lies inside {@code w}. */
    /** A recurrent layer's kernel, recurrent kernel and bias (or {@link DenseKernels#NO_BIAS}) inside {@code w}. */
    static void requireParams(
            String layer,
            String buffer,
            MemorySegment w,
            long kernelOff,
            long kernelSize,
            long recurrentOff,
            long recurrentSize,
            boolean useBias,
            long biasOff,
            long biasSize) {
        requireParam(layer, buffer, "kernel", w, kernelOff, kernelSize);
        requireParam(layer, buffer, "recurrent_kernel", w, recurrentOff, recurrentSize);
        if (useBias) {
            requireParam(layer, buffer, "bias", w, biasOff, biasSize);
        } else if (biasOff != DenseKernels.NO_BIAS) {
            throw new IllegalArgumentException(
                    layer + ": useBias is false, so the bias offset must be -1, got " + biasOff);
        }
    }

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
    static void toStepMajor(
            MemorySegment x, MemorySegment xs, long xsOff, int rows, int timesteps, int width, boolean back) {
        for (int s = 0; s < timesteps; s++) {
            int t = time(s, timesteps, back);
            long dst = xsOff + (long) s * rows * width;
            for (int r = 0; r < rows; r++) {
                copy(x, ((long) r * timesteps + t) * width, xs, dst + (long) r * width, width);
            }
        }
    }

    /** {@code x[r, time(s), :] = xs[s, r, :]} — the inverse of {@link #toStepMajor}. */
    static void fromStepMajor(
            MemorySegment xs, long xsOff, MemorySegment x, int rows, int timesteps, int width, boolean back) {
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
    static void gemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            MemorySegment a,
            long aOff,
            int lda,
            MemorySegment b,
            long bOff,
            int ldb,
            float beta,
            MemorySegment c,
            long cOff,
            int ldc) {
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
