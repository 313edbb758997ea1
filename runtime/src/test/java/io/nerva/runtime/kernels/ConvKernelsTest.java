package io.nerva.runtime.kernels;

import io.nerva.runtime.Mem;
import io.nerva.runtime.kernels.ConvKernels.Geometry;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Window geometry, im2col/col2im, the pointwise shortcut and the pooling kernels' edge rules. */
class ConvKernelsTest {

    @Test
    void kerasGeometry() {
        // SAME, 7 rows, k 3, stride 2: out 4, padTotal (4-1)·2 + 3 - 7 = 2 → top 1
        Geometry g = Geometry.keras(7, 6, 2, 3, 2, 2, 2, 1, 1, true);
        assertEquals(4, g.oh());
        assertEquals(3, g.ow());
        assertEquals(1, g.padTop());
        assertEquals(0, g.padLeft()); // padTotal (3-1)·2 + 2 - 6 = 0
        // SAME, 5 columns, k 2, stride 1: padTotal 1 → left 0 (the extra cell goes right/bottom, as TF)
        assertEquals(0, Geometry.keras(5, 5, 1, 2, 2, 1, 1, 1, 1, true).padLeft());
        // VALID with dilation: span 2·(3-1)+1 = 5 on 9 → 5; stride 2 on 8 with span 1 → 4
        Geometry v = Geometry.keras(9, 8, 1, 3, 1, 1, 2, 2, 1, false);
        assertEquals(5, v.oh());
        assertEquals(4, v.ow());
        assertThrows(IllegalArgumentException.class, () -> Geometry.keras(2, 2, 1, 3, 3, 1, 1, 1, 1, false));
    }

    @Test
    void pointwiseOnlyForUnpaddedOneByOneStrideOne() {
        assertTrue(Geometry.keras(4, 5, 3, 1, 1, 1, 1, 1, 1, true).pointwise());
        assertFalse(Geometry.keras(4, 5, 3, 1, 1, 2, 2, 1, 1, false).pointwise());
        assertFalse(Geometry.keras(4, 5, 3, 3, 3, 1, 1, 1, 1, true).pointwise());
    }

    @Test
    void im2colPlacesPatchesAndZeroPadding() {
        // 1 sample 2x2x1, 2x2 kernel SAME: padTotal 1 → no top/left padding, the bottom/right is padded
        Geometry g = Geometry.keras(2, 2, 1, 2, 2, 1, 1, 1, 1, true);
        MemorySegment x = Mem.of(1, 2, 3, 4), cols = Mem.zeros(4 * 4);
        ConvKernels.im2col(g, x, cols, 1);
        assertArrayEquals(new float[] {1, 2, 3, 4, 2, 0, 4, 0, 3, 4, 0, 0, 4, 0, 0, 0}, Mem.get(cols, 16));
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        Random r = new Random(1);
        Geometry g = Geometry.keras(5, 7, 3, 3, 2, 2, 1, 1, 2, true);
        int rows = 2, n = rows * g.inSize(), m = rows * g.oh() * g.ow() * g.patch();
        float[] x = Mem.uniform(r, n, -1, 1), y = Mem.uniform(r, m, -1, 1);
        MemorySegment cols = Mem.zeros(m), back = Mem.zeros(n);
        ConvKernels.im2col(g, Mem.of(x), cols, rows);
        ConvKernels.col2im(g, Mem.of(y), back, rows);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < m; i++) lhs += (double) Mem.at(cols, i) * y[i];
        for (int i = 0; i < n; i++) rhs += (double) x[i] * Mem.at(back, i);
        assertEquals(lhs, rhs, 1e-4, "<im2col(x), y> = <x, col2im(y)>");
    }

    @Test
    void averagePoolingWithSamePaddingCountsOnlyInsideCells() {
        // 3x3x1, 2x2 windows stride 2 SAME → 2x2: windows of 4, 2, 2 and 1 cells
        Geometry g = Geometry.keras(3, 3, 1, 2, 2, 2, 2, 1, 1, true);
        MemorySegment y = Mem.zeros(4);
        PoolKernels.avgForward(g, Mem.of(1, 2, 3, 4, 5, 6, 7, 8, 9), y, 1);
        assertArrayEquals(new float[] {3f, 4.5f, 7.5f, 9f}, Mem.get(y, 4));
        MemorySegment dx = Mem.filled(9, 42f);
        PoolKernels.avgBackward(g, Mem.of(4, 2, 2, 1), dx, 1);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, Mem.get(dx, 9));
    }

    @Test
    void maxPoolingRoutesTheGradientToTheFirstMaximum() {
        Geometry g = Geometry.keras(2, 2, 2, 2, 2, 2, 2, 1, 1, false);
        // channel 0: 5 at (0,1) and (1,0) — a tie, the first wins; channel 1: max -1 at (1,1)
        MemorySegment x = Mem.of(1, -4, 5, -3, 5, -2, 0, -1), y = Mem.zeros(2), arg = Mem.zeros(2);
        PoolKernels.maxForward(g, x, y, arg, 1);
        assertArrayEquals(new float[] {5, -1}, Mem.get(y, 2));
        MemorySegment dx = Mem.filled(8, 42f);
        PoolKernels.maxBackward(g, Mem.of(10, 20), arg, dx, 1);
        assertArrayEquals(new float[] {0, 0, 10, 0, 0, 0, 0, 20}, Mem.get(dx, 8));
        MemorySegment y2 = Mem.zeros(2);
        PoolKernels.maxForward(g, x, y2, MemorySegment.NULL, 1); // inference: no argmax buffer
        assertArrayEquals(new float[] {5, -1}, Mem.get(y2, 2));
    }
}
