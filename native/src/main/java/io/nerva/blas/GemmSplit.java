package io.nerva.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One sgemm split into blocks that run on {@link Parallel}'s threads, each a single-threaded BLAS
 * call on its block. Where one operand is shaped like a layer's weights, the cut follows that
 * matrix's rows at {@link Parallel#blockStart} edges, as the optimizer's does, so each core keeps
 * its own row block of the weights and their gradient from step to step:
 * <ul>
 *   <li>{@code A·B} with a short A (a batch: {@code 2m ≤ k}) is cut along k, B's rows (the
 *       forward product {@code X·W}); parts after the first write partial products that the caller
 *       adds into C, in part order;</li>
 *   <li>{@code Aᵀ·B} is cut along C's rows (the weight gradient {@code Xᵀ·dZ});</li>
 *   <li>{@code A·Bᵀ} is cut along C's columns, B's rows (the input gradient {@code dZ·Wᵀ});</li>
 *   <li>anything else along the longer side of C.</li>
 * </ul>
 * Block edges fall on multiples of 16, the width of the BLAS micro-kernels. One object per calling
 * thread, refilled per product: a split allocates nothing once its partial buffer has grown.
 */
final class GemmSplit implements Parallel.Task {
    /**
     * Products of fewer multiply-adds run whole on the calling thread (system property
     * {@code nerva.splitProduct}): below about 64·64·64 the hand-off costs more than half the product.
     */
    static final long MIN_MULTIPLY_ADDS = Long.getLong("nerva.splitProduct", 1L << 18);

    private static final int ALIGN = Parallel.ROW_ALIGN;
    /** The shortest side that splits in two blocks of at least {@code 2·ALIGN}. */
    private static final int SPLITTABLE = 4 * ALIGN;

    private static final ThreadLocal<GemmSplit> LOCAL = ThreadLocal.withInitial(GemmSplit::new);

    /** How a product is cut: rows of C, columns of C, or its depth k (partial products summed). */
    enum Cut {
        ROWS,
        COLUMNS,
        DEPTH
    }

    private BlockGemm blas;
    private Cut cut;
    /** The partial products of the depth cut's parts after the first, (parts − 1)·m·n floats; grown, never shrunk. */
    private MemorySegment partials;

    private boolean transA, transB, arrays;
    private int m, n, k, lda, ldb, ldc;
    private float alpha, beta;
    private MemorySegment sa, sb, sc;
    private float[] fa, fb, fc;
    private long aOff, bOff, cOff;

    /** Where a product of this shape is cut ({@link GemmSplit}); the depth only for segment operands. */
    static Cut cut(boolean transA, boolean transB, int m, int n, int k, boolean segments) {
        if (!transA && !transB && segments && 2L * m <= k && k >= SPLITTABLE) return Cut.DEPTH;
        if (transA && !transB && m >= SPLITTABLE) return Cut.ROWS;
        if (!transA && transB && n >= SPLITTABLE) return Cut.COLUMNS;
        return m >= n ? Cut.ROWS : Cut.COLUMNS; // e.g. an LSTM's input-kernel gradient, 28 rows of 512
    }

    /** The parts a product of this shape and cut splits into now: 1 when small, nested or contended. */
    static int parts(Cut cut, int m, int n, int k) {
        if ((long) m * n * k < MIN_MULTIPLY_ADDS || !Parallel.available()) return 1;
        int len = cut == Cut.ROWS ? m : cut == Cut.COLUMNS ? n : k;
        return Math.max(1, Math.min(Parallel.threads(), len / (2 * ALIGN)));
    }

    /**
     * A backend's sgemm: checks the operands, then runs the product whole or, when it is large
     * and the segments may be shared, in blocks on {@link Parallel}'s threads.
     */
    static void sgemm(
            BlockGemm blas,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
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
        Checks.sgemm(
                transA,
                transB,
                m,
                n,
                k,
                lda,
                aOff,
                a.byteSize(),
                ldb,
                bOff,
                b.byteSize(),
                ldc,
                cOff,
                c.byteSize(),
                "segment");
        Checks.writable("C", c);
        if (m == 0 || n == 0) return;
        Cut cut = cut(transA, transB, m, n, k, true);
        int parts = parts(cut, m, n, k);
        if (parts > 1 && Parallel.shared(a) && Parallel.shared(b) && Parallel.shared(c)) {
            GemmSplit split = get();
            split.segments(blas, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            split.run(cut, parts);
        } else {
            blas.sgemmBlock(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /** As the segment version, on heap arrays. */
    static void sgemm(
            BlockGemm blas,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        Checks.sgemm(
                transA,
                transB,
                m,
                n,
                k,
                lda,
                aOff,
                4L * a.length,
                ldb,
                bOff,
                4L * b.length,
                ldc,
                cOff,
                4L * c.length,
                "array");
        if (m == 0 || n == 0) return;
        Cut cut = cut(transA, transB, m, n, k, false);
        int parts = parts(cut, m, n, k);
        if (parts > 1) {
            GemmSplit split = get();
            split.arrays(blas, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            split.run(cut, parts);
        } else {
            blas.sgemmBlock(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    private static GemmSplit get() {
        return LOCAL.get();
    }

    void segments(
            BlockGemm blas,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
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
        shape(blas, transA, transB, m, n, k, alpha, aOff, lda, bOff, ldb, beta, cOff, ldc);
        arrays = false;
        sa = a;
        sb = b;
        sc = c;
    }

    void arrays(
            BlockGemm blas,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        shape(blas, transA, transB, m, n, k, alpha, aOff, lda, bOff, ldb, beta, cOff, ldc);
        arrays = true;
        fa = a;
        fb = b;
        fc = c;
    }

    private void shape(
            BlockGemm blas,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            long aOff,
            int lda,
            long bOff,
            int ldb,
            float beta,
            long cOff,
            int ldc) {
        this.blas = blas;
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.n = n;
        this.k = k;
        this.alpha = alpha;
        this.aOff = aOff;
        this.lda = lda;
        this.bOff = bOff;
        this.ldb = ldb;
        this.beta = beta;
        this.cOff = cOff;
        this.ldc = ldc;
    }

    /** Runs the product in {@code parts} blocks cut as {@code cut} and forgets the operands. */
    void run(Cut cut, int parts) {
        this.cut = cut;
        try {
            if (cut == Cut.DEPTH) {
                long floats = (long) (parts - 1) * m * n;
                if (partials == null || partials.byteSize() < floats * Float.BYTES) {
                    partials = Arena.ofAuto().allocate(floats * Float.BYTES, 64); // shared: the workers write it
                }
            }
            Parallel.run(this, parts);
            if (cut == Cut.DEPTH) addPartials(parts);
        } finally {
            sa = sb = sc = null;
            fa = fb = fc = null;
        }
    }

    /** C += the partial products of parts 1, 2, … in that order (the same sum whichever thread ran a part). */
    private void addPartials(int parts) {
        long size = (long) m * n;
        for (int p = 1; p < parts; p++) {
            long at = (p - 1) * size;
            if (ldc == n && size <= Integer.MAX_VALUE) {
                blas.saxpy((int) size, 1f, partials, at, sc, cOff);
            } else {
                for (int i = 0; i < m; i++) blas.saxpy(n, 1f, partials, at + (long) i * n, sc, cOff + (long) i * ldc);
            }
        }
    }

    @Override
    public void run(int part, int parts) {
        if (cut == Cut.DEPTH) {
            int from = Parallel.blockStart(part, k, parts), to = Parallel.blockStart(part + 1, k, parts);
            if (part == 0) {
                blas.sgemmBlock(
                        false, false, m, n, to - from, alpha, sa, aOff, lda, sb, bOff, ldb, beta, sc, cOff, ldc);
            } else { // an empty block still writes its partial: addPartials adds every one
                long at = (part - 1) * (long) m * n;
                if (from < to) {
                    blas.sgemmBlock(
                            false,
                            false,
                            m,
                            n,
                            to - from,
                            alpha,
                            sa,
                            aOff + from,
                            lda,
                            sb,
                            bOff + (long) from * ldb,
                            ldb,
                            0f,
                            partials,
                            at,
                            n);
                } else {
                    partials.asSlice(at * Float.BYTES, (long) m * n * Float.BYTES)
                            .fill((byte) 0);
                }
            }
            return;
        }
        boolean rows = cut == Cut.ROWS;
        int len = rows ? m : n;
        int from = Parallel.blockStart(part, len, parts), to = Parallel.blockStart(part + 1, len, parts);
        if (from >= to) return;
        long ao = aOff, bo = bOff, co = cOff;
        int pm = m, pn = n;
        if (rows) {
            ao += transA ? from : (long) from * lda;
            co += (long) from * ldc;
            pm = to - from;
        } else {
            bo += transB ? (long) from * ldb : from;
            co += from;
            pn = to - from;
        }
        if (arrays) {
            blas.sgemmBlock(
                    transA, transB, pm, pn, k, alpha, fa, (int) ao, lda, fb, (int) bo, ldb, beta, fc, (int) co, ldc);
        } else {
            blas.sgemmBlock(transA, transB, pm, pn, k, alpha, sa, ao, lda, sb, bo, ldb, beta, sc, co, ldc);
        }
    }
}
