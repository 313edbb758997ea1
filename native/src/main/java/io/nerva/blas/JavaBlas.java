package io.nerva.blas;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Pure-Java BLAS (naive placeholder; to be replaced by a cache-blocked kernel). */
final class JavaBlas implements Blas {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Override public String name() { return "pure Java"; }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                      float beta, MemorySegment c, long cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) {
                    float av = a.getAtIndex(F, aOff + (transA ? (long) p * lda + i : (long) i * lda + p));
                    float bv = b.getAtIndex(F, bOff + (transB ? (long) j * ldb + p : (long) p * ldb + j));
                    s += av * bv;
                }
                long ci = cOff + (long) i * ldc + j;
                float old = beta == 0 ? 0 : beta * c.getAtIndex(F, ci);
                c.setAtIndex(F, ci, alpha * s + old);
            }
        }
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        sgemm(transA, transB, m, n, k, alpha, MemorySegment.ofArray(a), aOff, lda,
                MemorySegment.ofArray(b), bOff, ldb, beta, MemorySegment.ofArray(c), cOff, ldc);
    }

    @Override
    public void sgemv(boolean transA, int m, int n, float alpha, MemorySegment a, long aOff, int lda,
                      MemorySegment x, long xOff, float beta, MemorySegment y, long yOff) {
        int rows = transA ? n : m, cols = transA ? m : n;
        for (int i = 0; i < rows; i++) {
            float s = 0;
            for (int j = 0; j < cols; j++) {
                float av = a.getAtIndex(F, aOff + (transA ? (long) j * lda + i : (long) i * lda + j));
                s += av * x.getAtIndex(F, xOff + j);
            }
            float old = beta == 0 ? 0 : beta * y.getAtIndex(F, yOff + i);
            y.setAtIndex(F, yOff + i, alpha * s + old);
        }
    }

    @Override
    public void saxpy(int n, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        for (int i = 0; i < n; i++) {
            y.setAtIndex(F, yOff + i, y.getAtIndex(F, yOff + i) + alpha * x.getAtIndex(F, xOff + i));
        }
    }

    @Override
    public void sscal(int n, float alpha, MemorySegment x, long xOff) {
        for (int i = 0; i < n; i++) x.setAtIndex(F, xOff + i, alpha * x.getAtIndex(F, xOff + i));
    }

    @Override public int threads() { return 1; }
    @Override public void setThreads(int threads) {}
    @Override public String config() { return "pure Java"; }
}
