package io.nerva.blas;

import java.lang.foreign.MemorySegment;

/**
 * One sgemm split into row or column blocks that run on {@link Parallel}'s threads, each a
 * single-threaded BLAS call on its block: rows of C when it has at least as many rows as columns,
 * else columns. Block edges fall on multiples of 16, the width of the BLAS micro-kernels, so no
 * block ends in a partial tile the whole product would not have had. One object per calling
 * thread, refilled per product: a split allocates nothing.
 */
final class GemmSplit implements Parallel.Task {
    /**
     * Products of fewer multiply-adds run whole on the calling thread (system property
     * {@code nerva.splitProduct}): below about 64·64·64 the hand-off costs more than half the product.
     */
    static final long MIN_MULTIPLY_ADDS = Long.getLong("nerva.splitProduct", 1L << 18);

    private static final int ALIGN = 16;
    private static final ThreadLocal<GemmSplit> LOCAL = ThreadLocal.withInitial(GemmSplit::new);

    private BlockGemm blas;
    private boolean transA, transB, arrays;
    private int m, n, k, lda, ldb, ldc;
    private float alpha, beta;
    private MemorySegment sa, sb, sc;
    private float[] fa, fb, fc;
    private long aOff, bOff, cOff;

    /** The parts a product of this shape splits into now: 1 when small, nested or contended. */
    static int parts(int m, int n, int k) {
        if ((long) m * n * k < MIN_MULTIPLY_ADDS || !Parallel.available()) return 1;
        return Math.max(1, Math.min(Parallel.threads(), Math.max(m, n) / (2 * ALIGN)));
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
        int parts = parts(m, n, k);
        if (parts > 1 && Parallel.shared(a) && Parallel.shared(b) && Parallel.shared(c)) {
            GemmSplit split = get();
            split.segments(blas, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            split.run(parts);
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
        int parts = parts(m, n, k);
        if (parts > 1) {
            GemmSplit split = get();
            split.arrays(blas, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            split.run(parts);
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

    /** Runs the product in {@code parts} blocks and forgets the operands. */
    void run(int parts) {
        try {
            Parallel.run(this, parts);
        } finally {
            sa = sb = sc = null;
            fa = fb = fc = null;
        }
    }

    @Override
    public void run(int part, int parts) {
        boolean rows = m >= n;
        int len = rows ? m : n;
        int from = edge(part, len, parts), to = edge(part + 1, len, parts);
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

    /** Start of block {@code p} of {@code parts} over {@code len}: balanced, on a multiple of 16 inside. */
    static int edge(int p, int len, int parts) {
        if (p <= 0) return 0;
        if (p >= parts) return len;
        int e = Parallel.start(p, len, parts);
        return Math.min(len, (e + ALIGN / 2) / ALIGN * ALIGN);
    }
}
