package io.nerva.blas;

import java.lang.foreign.MemorySegment;

/** A backend's single-threaded sgemm on already checked operands: what {@link GemmSplit} runs per block. */
interface BlockGemm {
    void sgemmBlock(
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
            int ldc);

    void sgemmBlock(
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
            int ldc);

    /** {@code y += alpha·x} over n contiguous floats (the depth cut's sum of partial products). */
    void saxpy(int n, float alpha, MemorySegment x, long xOffset, MemorySegment y, long yOffset);
}
