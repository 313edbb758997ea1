package io.nerva.blas;

import java.lang.foreign.MemorySegment;

/**
 * The BLAS operations Nerva needs, row-major, single precision. Offsets and leading dimensions
 * are counted in floats. Implementations: OpenBLAS through the Foreign Function API, or a
 * pure-Java fallback when no OpenBLAS can be loaded.
 */
public interface Blas {

    /** The process-wide backend, chosen once (see {@link BlasLoader}). */
    static Blas get() {
        return BlasHolder.INSTANCE;
    }

    /** A new pure-Java backend, whatever else is available (tests, benchmarks, tiny products). */
    static Blas java() {
        return new JavaBlas();
    }

    /** A short human-readable name, e.g. {@code "OpenBLAS 0.3.21 (system, /usr/lib/...)"}. */
    String name();

    /** {@code C = alpha·op(A)·op(B) + beta·C}, op(A) is m×k, op(B) is k×n, C is m×n. */
    void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            MemorySegment a,
            long aOffset,
            int lda,
            MemorySegment b,
            long bOffset,
            int ldb,
            float beta,
            MemorySegment c,
            long cOffset,
            int ldc);

    /** As {@link #sgemm(boolean, boolean, int, int, int, float, MemorySegment, long, int, MemorySegment, long, int, float, MemorySegment, long, int)} on heap arrays. */
    void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOffset,
            int lda,
            float[] b,
            int bOffset,
            int ldb,
            float beta,
            float[] c,
            int cOffset,
            int ldc);

    /** {@code y = alpha·op(A)·x + beta·y}, A is m×n. */
    void sgemv(
            boolean transA,
            int m,
            int n,
            float alpha,
            MemorySegment a,
            long aOffset,
            int lda,
            MemorySegment x,
            long xOffset,
            float beta,
            MemorySegment y,
            long yOffset);

    /** {@code y += alpha·x} over n contiguous floats. */
    void saxpy(int n, float alpha, MemorySegment x, long xOffset, MemorySegment y, long yOffset);

    /** {@code x *= alpha} over n contiguous floats. */
    void sscal(int n, float alpha, MemorySegment x, long xOffset);

    /** Threads the backend uses for one call. */
    int threads();

    void setThreads(int threads);

    /** The backend's build configuration (OpenBLAS' {@code openblas_get_config}). */
    String config();
}
