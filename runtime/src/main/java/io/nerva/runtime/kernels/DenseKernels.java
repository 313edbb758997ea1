package io.nerva.runtime.kernels;

import io.nerva.annotations.ActivationType;
import io.nerva.blas.Blas;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The kernels of a dense layer: matrix products, fused bias + activation, bias gradient. */
public final class DenseKernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /**
     * Products with {@code m·n·k} below this many multiply-adds run in a plain Java loop, larger
     * ones through {@link Blas#get()}. System property {@code nerva.smallProduct}, default 256:
     * measured in native/README.md, a Java loop beats the ~0.25 µs downcall at 4×4×4 (64) and loses
     * from 8×8×8 (512).
     */
    public static final long SMALL_PRODUCT_FLOPS = Long.getLong("nerva.smallProduct", 256L);

    /** The bias offset that means "this layer has no bias". */
    public static final long NO_BIAS = -1;

    private DenseKernels() {}

    /**
     * Adds the bias {@code params[biasOffset + j]} to every row of {@code z} (in place; no bias when
     * {@code biasOffset == -1}) and writes {@code a = f(z)}, fused in one pass per row (softmax: its
     * max, exp and normalise passes per row). {@code a} may be {@code z} only for LINEAR.
     */
    public static void biasActivation(
            MemorySegment z,
            MemorySegment params,
            long biasOffset,
            MemorySegment a,
            int rows,
            int cols,
            ActivationType t,
            float alpha) {
        if (biasOffset < -1) throw new IllegalArgumentException("bias offset " + biasOffset + " (use -1 for no bias)");
        Activations.apply(t, alpha, z, params, biasOffset, a, rows, cols);
    }

    /**
     * {@code grads[offset + j] = Σ_r dZ[r, j]} (overwrites). Rows that fit a {@link Tiles tile} are
     * summed by tiles (vectorised; the order {@link Tiles#sumColumns} documents, shared with
     * {@link ConvKernels#reluBackward}), longer ones row by row.
     */
    public static void biasGradient(MemorySegment dZ, int rows, int cols, MemorySegment grads, long offset) {
        int tileRows = Tiles.rowsPerTile(cols);
        if (tileRows > 0) {
            Tiles t = Tiles.get();
            t.clearAcc(Math.min(tileRows, rows) * cols);
            for (int r0 = 0; r0 < rows; r0 += tileRows) {
                int n = Math.min(tileRows, rows - r0) * cols;
                MemorySegment.copy(dZ, (long) r0 * cols * Float.BYTES, t.ys, 0, (long) n * Float.BYTES);
                Tiles.accumulate(t.acc, t.y, n);
            }
            t.sumColumns(Math.min(tileRows, rows), cols, grads, offset);
            return;
        }
        for (int j = 0; j < cols; j++) grads.setAtIndex(F, offset + j, 0f);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                grads.setAtIndex(F, offset + j, grads.getAtIndex(F, offset + j) + dZ.getAtIndex(F, base + j));
            }
        }
    }

    /**
     * {@code C = op(A)·op(B) + beta·C}, row-major and packed: op(A) is m×k (A stored k×m when
     * {@code transA}), op(B) is k×n (stored n×k when {@code transB}), C is m×n; offsets in floats.
     * With {@code beta == 0} C is not read (so it may hold garbage or NaN). Small products
     * ({@code m·n·k < }{@link #SMALL_PRODUCT_FLOPS}) run {@link #matmulJava}, the rest {@link #matmulBlas}.
     */
    public static void matmul(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            MemorySegment a,
            long aOff,
            MemorySegment b,
            long bOff,
            MemorySegment c,
            long cOff,
            float beta) {
        if ((long) m * n * k < SMALL_PRODUCT_FLOPS) {
            matmulJava(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, beta);
        } else if (m == 1) {
            // One row (batch-1 inference): sgemv streams B once, where sgemm packs it first (~2x slower).
            // A 1×k row is contiguous whether or not it is stored transposed.
            if (transB) {
                Blas.get().sgemv(false, n, k, 1f, b, bOff, k, a, aOff, beta, c, cOff);
            } else {
                Blas.get().sgemv(true, k, n, 1f, b, bOff, n, a, aOff, beta, c, cOff);
            }
        } else {
            matmulBlas(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, beta);
        }
    }

    /** {@link #matmul} always through {@link Blas#get()}{@code .sgemm}. */
    public static void matmulBlas(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            MemorySegment a,
            long aOff,
            MemorySegment b,
            long bOff,
            MemorySegment c,
            long cOff,
            float beta) {
        checkDims(m, n, k);
        if (m == 0 || n == 0) return;
        Blas.get()
                .sgemm(transA, transB, m, n, k, 1f, a, aOff, transA ? m : k, b, bOff, transB ? k : n, beta, c, cOff, n);
    }

    /**
     * {@link #matmul} always in plain Java. NN and TN run i-p-j (the inner loop an axpy over a
     * contiguous row of B and of C); NT and TT run i-j-p (a dot product over a contiguous row of B).
     * Note: the JDK 25 C2 compiler does not auto-vectorise loops over two native segments that might
     * alias, so these loops run scalar (an axpy measured ≈ 0.35 ns/element on segments against
     * ≈ 0.06 on {@code float[]}); that is what the {@link #SMALL_PRODUCT_FLOPS} crossover is against.
     */
    public static void matmulJava(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            MemorySegment a,
            long aOff,
            MemorySegment b,
            long bOff,
            MemorySegment c,
            long cOff,
            float beta) {
        checkDims(m, n, k);
        if (!transB) {
            matmulXN(transA, m, n, k, a, aOff, b, bOff, c, cOff, beta);
        } else if (!transA) {
            matmulNT(m, n, k, a, aOff, b, bOff, c, cOff, beta);
        } else {
            matmulTT(m, n, k, a, aOff, b, bOff, c, cOff, beta);
        }
    }

    // One method per loop nest, so that each is compiled (and its accessors inlined) on its own.

    /** NN / TN: i-p-j, the inner loop an axpy over contiguous rows of B and C. */
    private static void matmulXN(
            boolean transA,
            int m,
            int n,
            int k,
            MemorySegment a,
            long aOff,
            MemorySegment b,
            long bOff,
            MemorySegment c,
            long cOff,
            float beta) {
        for (int i = 0; i < m; i++) {
            long ci = cOff + (long) i * n;
            if (beta == 0f) {
                for (int j = 0; j < n; j++) c.setAtIndex(F, ci + j, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) c.setAtIndex(F, ci + j, beta * c.getAtIndex(F, ci + j));
            }
            for (int p = 0; p < k; p++) {
                float aip =
                        transA ? a.getAtIndex(F, aOff + (long) p * m + i) : a.getAtIndex(F, aOff + (long) i * k + p);
                long bp = bOff + (long) p * n;
                for (int j = 0; j < n; j++) {
                    c.setAtIndex(F, ci + j, c.getAtIndex(F, ci + j) + aip * b.getAtIndex(F, bp + j));
                }
            }
        }
    }

    /** NT: i-j-p, a dot product of contiguous rows of A and B. */
    private static void matmulNT(
            int m,
            int n,
            int k,
            MemorySegment a,
            long aOff,
            MemorySegment b,
            long bOff,
            MemorySegment c,
            long cOff,
            float beta) {
        for (int i = 0; i < m; i++) {
            long ai = aOff + (long) i * k;
            long ci = cOff + (long) i * n;
            for (int j = 0; j < n; j++) {
                long bj = bOff + (long) j * k;
                float s = 0f;
                for (int p = 0; p < k; p++) s += a.getAtIndex(F, ai + p) * b.getAtIndex(F, bj + p);
                c.setAtIndex(F, ci + j, beta == 0f ? s : s + beta * c.getAtIndex(F, ci + j));
            }
        }
    }

    /** TT: i-j-p over a contiguous row of B (A strided). */
    private static void matmulTT(
            int m,
            int n,
            int k,
            MemorySegment a,
            long aOff,
            MemorySegment b,
            long bOff,
            MemorySegment c,
            long cOff,
            float beta) {
        for (int i = 0; i < m; i++) {
            long ci = cOff + (long) i * n;
            for (int j = 0; j < n; j++) {
                long bj = bOff + (long) j * k;
                float s = 0f;
                for (int p = 0; p < k; p++) s += a.getAtIndex(F, aOff + (long) p * m + i) * b.getAtIndex(F, bj + p);
                c.setAtIndex(F, ci + j, beta == 0f ? s : s + beta * c.getAtIndex(F, ci + j));
            }
        }
    }

    private static void checkDims(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0)
            throw new IllegalArgumentException("negative matmul shape m=" + m + " n=" + n + " k=" + k);
    }
}
