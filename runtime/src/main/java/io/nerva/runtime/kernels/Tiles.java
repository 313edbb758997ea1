package io.nerva.runtime.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Per-thread heap tiles for the element-wise passes of training. The JDK 25 C2 compiler
 * vectorises a flat counted loop over separate {@code float[]} arrays (one index for all of them)
 * but not loops over native segments, nor short inner loops of one row; so a kernel copies a tile
 * of whole rows in (memcpy), runs flat loops over it and copies the result back. A per-column
 * value (a bias) is replicated over the tile's rows once per call, so that it too has the flat
 * index. Allocated once per thread, never per step.
 *
 * <p>Column sums over a tile use a fixed order shared by every kernel that sums rows
 * ({@link #sumColumns}): each row position of the tile is summed over the tiles in order, then the
 * row positions are added in order; so the fused and the separate bias gradients agree bit for bit.
 */
final class Tiles {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Floats per tile: 16 KiB, four tiles fit in L1 beside the kernel's other data. */
    static final int FLOATS = 4096;

    private static final ThreadLocal<Tiles> LOCAL = ThreadLocal.withInitial(Tiles::new);

    final float[] x = new float[FLOATS], y = new float[FLOATS], col = new float[FLOATS], acc = new float[FLOATS];
    final MemorySegment xs = MemorySegment.ofArray(x), ys = MemorySegment.ofArray(y);

    static Tiles get() {
        return LOCAL.get();
    }

    /** Whole rows of {@code cols} floats per tile; 0 when a row does not fit (the caller's scalar path). */
    static int rowsPerTile(int cols) {
        return cols <= 0 ? 0 : FLOATS / cols;
    }

    /** {@code col[r·cols + j] = params[offset + j]} for the tile's {@code rows} rows. */
    void replicate(MemorySegment params, long offset, int rows, int cols) {
        for (int j = 0; j < cols; j++) col[j] = params.getAtIndex(F, offset + j);
        for (int r = 1; r < rows; r++) System.arraycopy(col, 0, col, r * cols, cols);
    }

    /** {@code acc[0, n) = 0}. */
    void clearAcc(int n) {
        java.util.Arrays.fill(acc, 0, n, 0f);
    }

    /** {@code acc[i] += v[i]} over the tile's {@code n} floats. */
    static void accumulate(float[] acc, float[] v, int n) {
        for (int i = 0; i < n; i++) acc[i] += v[i];
    }

    /**
     * {@code out[offset + j] = Σ_k acc[k·cols + j]} over the {@code rows} row positions used, in
     * order (the second half of the fixed summation order).
     */
    void sumColumns(int rows, int cols, MemorySegment out, long offset) {
        for (int j = 0; j < cols; j++) {
            float s = 0f;
            for (int k = 0; k < rows; k++) s += acc[k * cols + j];
            out.setAtIndex(F, offset + j, s);
        }
    }

    /**
     * 1 where {@code z > 0}, 0 where {@code z ≤ 0}, NaN for NaN: {@code z·2¹²⁷·2¹²⁷} is ≥ 2¹⁰⁵ for
     * the smallest positive z and −∞ for the largest negative, clamped to [0, 1]. Branch-free, so
     * the loops using it vectorise (a compare-and-select does not in JDK 25's C2).
     */
    static float positive(float z) {
        return Math.min(Math.max((z * 0x1p127f) * 0x1p127f, 0f), 1f);
    }
}
