package io.nerva.blas;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Pure-Java BLAS, the fallback when no OpenBLAS loads. Single-threaded.
 *
 * <p>The GEMM kernel is written so that C2's SuperWord pass vectorises its inner loop (AVX2 on
 * x86): one row of C is updated from four rows of B at a time ({@code c[j] += a0·b0[j] + … +
 * a3·b3[j]}), i.e. four FMAs per load/store of C, over contiguous {@code j}. Blocking over k
 * ({@link #KC}) and n ({@link #NC}) keeps the B block in L2 while every row of A walks it.
 * Transposed B is packed into a contiguous block first so the inner loop is always unit-stride;
 * transposed A only changes the stride of four scalar loads per step.
 */
final class JavaBlas implements Blas {
    /** Unaligned so that segments over any heap array (e.g. byte[]) or odd addresses work. */
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Depth of a B block: KC×NC floats = 128 KiB fits the L2 of any current x86/ARM core. */
    static final int KC = 128;

    static final int NC = 256;

    @Override
    public String name() {
        return "pure Java";
    }

    // ---------------------------------------------------------------- sgemm

    @Override
    public void sgemm(
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
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void sgemm(
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
        float[] ca = floatArray(c), aa = floatArray(a), ba = floatArray(b);
        if (ca != null && aa != null && ba != null) { // heap float[] segments: no copy
            gemm(
                    transA,
                    transB,
                    m,
                    n,
                    k,
                    alpha,
                    aa,
                    floatIndex(a, aOff),
                    lda,
                    ba,
                    floatIndex(b, bOff),
                    ldb,
                    beta,
                    ca,
                    floatIndex(c, cOff),
                    ldc);
            return;
        }
        // Other segments: compute on copies. The copy is O(m·k + k·n + m·n), small next to O(m·n·k).
        float[] ac = copyIn(a, aOff, transA ? k : m, transA ? m : k, lda);
        float[] bc = copyIn(b, bOff, transB ? n : k, transB ? k : n, ldb);
        float[] cc = new float[m * n];
        if (beta != 0) { // beta == 0: C is write-only, never read (NaN/garbage in C must not leak)
            for (int i = 0; i < m; i++) {
                MemorySegment.copy(c, F, (cOff + (long) i * ldc) * 4, cc, i * n, n);
            }
        }
        gemm(transA, transB, m, n, k, alpha, ac, 0, transA ? m : k, bc, 0, transB ? k : n, beta, cc, 0, n);
        for (int i = 0; i < m; i++) { // row by row: the gaps between rows (ldc > n) stay untouched
            MemorySegment.copy(cc, i * n, c, F, (cOff + (long) i * ldc) * 4, n);
        }
    }

    /** The array behind a heap segment over a float[] at a float-aligned offset, else null. */
    private static float[] floatArray(MemorySegment s) {
        return s.heapBase().orElse(null) instanceof float[] f && s.address() % 4 == 0 ? f : null;
    }

    /** Index into {@link #floatArray} of float {@code off} of the segment; address() is the byte offset. */
    private static int floatIndex(MemorySegment s, long off) {
        return Math.toIntExact(s.address() / 4 + off);
    }

    private static float[] copyIn(MemorySegment s, long off, int rows, int cols, int ld) {
        if (rows == 0 || cols == 0) return new float[0];
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) MemorySegment.copy(s, F, (off + (long) r * ld) * 4, out, r * cols, cols);
        return out;
    }

    /** The blocked kernel; arguments already validated. */
    static void gemm(
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
        if (m == 0 || n == 0) return;
        scale(m, n, beta, c, cOff, ldc);
        if (alpha == 0 || k == 0) return;

        // A(i,p) = a[aBase + i*aRow + p*aCol]
        int aRow = transA ? 1 : lda, aCol = transA ? lda : 1;
        float[] packed = transB ? new float[Math.min(KC, k) * Math.min(NC, n)] : null;
        for (int j0 = 0; j0 < n; j0 += NC) {
            int nb = Math.min(NC, n - j0);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kb = Math.min(KC, k - p0);
                float[] bb;
                int bBase, bStride; // B(p0+p, j0+j) = bb[bBase + p*bStride + j]
                if (transB) { // B(p,j) = b[bOff + j*ldb + p]: pack to row-major kb×nb
                    for (int j = 0; j < nb; j++) {
                        int src = bOff + (j0 + j) * ldb + p0;
                        for (int p = 0; p < kb; p++) packed[p * nb + j] = b[src + p];
                    }
                    bb = packed;
                    bBase = 0;
                    bStride = nb;
                } else {
                    bb = b;
                    bBase = bOff + p0 * ldb + j0;
                    bStride = ldb;
                }
                for (int i = 0; i < m; i++) {
                    int aBase = aOff + i * aRow + p0 * aCol;
                    int ci = cOff + i * ldc + j0;
                    int p = 0;
                    for (; p + 3 < kb; p += 4) {
                        int ap = aBase + p * aCol;
                        float a0 = alpha * a[ap], a1 = alpha * a[ap + aCol];
                        float a2 = alpha * a[ap + 2 * aCol], a3 = alpha * a[ap + 3 * aCol];
                        int b0 = bBase + p * bStride, b1 = b0 + bStride, b2 = b1 + bStride, b3 = b2 + bStride;
                        for (int j = 0; j < nb; j++) {
                            c[ci + j] = Math.fma(
                                    a3,
                                    bb[b3 + j],
                                    Math.fma(
                                            a2,
                                            bb[b2 + j],
                                            Math.fma(a1, bb[b1 + j], Math.fma(a0, bb[b0 + j], c[ci + j]))));
                        }
                    }
                    for (; p < kb; p++) {
                        float a0 = alpha * a[aBase + p * aCol];
                        int b0 = bBase + p * bStride;
                        for (int j = 0; j < nb; j++) c[ci + j] = Math.fma(a0, bb[b0 + j], c[ci + j]);
                    }
                }
            }
        }
    }

    /** C *= beta; beta == 0 overwrites with zeros so that NaN or garbage in C is never read. */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1) return;
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0) {
                Arrays.fill(c, ci, ci + n, 0f);
            } else {
                for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
        }
    }

    // ---------------------------------------------------------------- level 1/2

    @Override
    public void sgemv(
            boolean transA,
            int m,
            int n,
            float alpha,
            MemorySegment a,
            long aOff,
            int lda,
            MemorySegment x,
            long xOff,
            float beta,
            MemorySegment y,
            long yOff) {
        Checks.sgemv(transA, m, n, lda, aOff, a.byteSize(), xOff, x.byteSize(), yOff, y.byteSize(), "segment");
        Checks.writable("y", y);
        int ylen = transA ? n : m;
        for (int i = 0; i < ylen; i++) { // beta == 0: y is not read
            long yi = (yOff + i) * 4;
            y.set(F, yi, beta == 0 ? 0f : beta * y.get(F, yi));
        }
        if (alpha == 0) return;
        for (int i = 0; i < m; i++) {
            long row = (aOff + (long) i * lda) * 4;
            if (transA) { // y += alpha·x[i]·A(i,:)
                float s = alpha * x.get(F, (xOff + i) * 4);
                for (int j = 0; j < n; j++) {
                    long yj = (yOff + j) * 4;
                    y.set(F, yj, Math.fma(s, a.get(F, row + 4L * j), y.get(F, yj)));
                }
            } else {
                float s = 0;
                for (int j = 0; j < n; j++) s = Math.fma(a.get(F, row + 4L * j), x.get(F, (xOff + j) * 4), s);
                long yi = (yOff + i) * 4;
                y.set(F, yi, y.get(F, yi) + alpha * s);
            }
        }
    }

    @Override
    public void saxpy(int n, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        Checks.dimension("n", n);
        Checks.vector("x", "n", n, xOff, x.byteSize(), "segment");
        Checks.vector("y", "n", n, yOff, y.byteSize(), "segment");
        Checks.writable("y", y);
        for (int i = 0; i < n; i++) {
            long yi = (yOff + i) * 4;
            y.set(F, yi, Math.fma(alpha, x.get(F, (xOff + i) * 4), y.get(F, yi)));
        }
    }

    @Override
    public void sscal(int n, float alpha, MemorySegment x, long xOff) {
        Checks.dimension("n", n);
        Checks.vector("x", "n", n, xOff, x.byteSize(), "segment");
        Checks.writable("x", x);
        for (int i = 0; i < n; i++) {
            long xi = (xOff + i) * 4;
            x.set(F, xi, alpha * x.get(F, xi));
        }
    }

    @Override
    public int threads() {
        return 1;
    }

    /** The pure-Java kernels are single-threaded; the request is accepted and ignored. */
    @Override
    public void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    @Override
    public String config() {
        return "pure Java, single-threaded, blocked " + KC + "×" + NC;
    }

    @Override
    public String toString() {
        return name();
    }
}
