package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.runtime.Mem;
import io.nerva.runtime.kernels.ConvKernels.Geometry;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

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

    /** The element-by-element definition of im2col, to check the run-based kernel against. */
    private static float[] naiveIm2col(Geometry g, float[] x, int rows) {
        float[] cols = new float[rows * g.oh() * g.ow() * g.patch()];
        int i = 0;
        for (int n = 0; n < rows; n++)
            for (int oy = 0; oy < g.oh(); oy++)
                for (int ox = 0; ox < g.ow(); ox++)
                    for (int ky = 0; ky < g.kh(); ky++)
                        for (int kx = 0; kx < g.kw(); kx++)
                            for (int ci = 0; ci < g.c(); ci++, i++) {
                                int iy = oy * g.sh() - g.padTop() + ky * g.dh(),
                                        ix = ox * g.sw() - g.padLeft() + kx * g.dw();
                                boolean in = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                                cols[i] = in ? x[n * g.inSize() + (iy * g.w() + ix) * g.c() + ci] : 0f;
                            }
        return cols;
    }

    @Test
    void im2colMatchesTheDefinitionForShortAndLongRunsPaddingStridesAndDilation() {
        Random r = new Random(3);
        int[][] shapes = { // h, w, c, kh, kw, sh, sw, dh, dw, same
            {28, 28, 1, 3, 3, 1, 1, 1, 1, 1}, {14, 14, 32, 3, 3, 1, 1, 1, 1, 0}, {9, 8, 5, 5, 5, 2, 3, 1, 1, 1},
            {7, 9, 16, 3, 3, 1, 1, 2, 2, 1}, {6, 6, 20, 2, 4, 2, 1, 1, 1, 1}, {5, 5, 3, 5, 5, 1, 1, 1, 1, 1}
        };
        for (int[] s : shapes) {
            Geometry g = Geometry.keras(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9] == 1);
            int rows = 2;
            float[] x = Mem.uniform(r, rows * g.inSize(), -1, 1);
            MemorySegment cols = Mem.filled((long) rows * g.oh() * g.ow() * g.patch(), 42f);
            ConvKernels.im2col(g, Mem.of(x), cols, rows);
            float[] want = naiveIm2col(g, x, rows);
            assertArrayEquals(want, Mem.get(cols, want.length), 0f, g.toString());
        }
    }

    @Test
    void fusedReluMatchesBiasActivationAndActivationBackwardBitForBit() {
        Random r = new Random(5);
        int m = 37, c = 24;
        float[] z = Mem.uniform(r, m * c, -1, 1), dOut = Mem.uniform(r, m * c, -1, 1), b = Mem.uniform(r, c, -0.5, 0.5);
        z[3] = Float.NaN;
        z[4] = -0f;
        z[5] = Float.POSITIVE_INFINITY;
        MemorySegment params = Mem.of(b);
        // reference: z + b into z, a = relu(z); dz = dOut ⊙ relu'(z); db = column sums
        MemorySegment zRef = Mem.of(z), aRef = Mem.zeros(m * c), dRef = Mem.of(dOut), gRef = Mem.zeros(c);
        DenseKernels.biasActivation(zRef, params, 0, aRef, m, c, io.nerva.annotations.ActivationType.RELU, Float.NaN);
        Activations.backward(io.nerva.annotations.ActivationType.RELU, Float.NaN, zRef, aRef, dRef, dRef, m, c);
        DenseKernels.biasGradient(dRef, m, c, gRef, 0);
        MemorySegment out = Mem.of(z), d = Mem.of(dOut), grads = Mem.filled(c + 1, 7f);
        ConvKernels.biasRelu(out, params, 0, m, c);
        ConvKernels.reluBackward(out, d, m, c, grads, 1);
        for (int i = 0; i < m * c; i++) {
            assertEquals(Float.floatToRawIntBits(Mem.at(aRef, i)), Float.floatToRawIntBits(Mem.at(out, i)), "out " + i);
            assertEquals(Float.floatToRawIntBits(Mem.at(dRef, i)), Float.floatToRawIntBits(Mem.at(d, i)), "dz " + i);
        }
        for (int j = 0; j < c; j++) assertEquals(Mem.at(gRef, j), Mem.at(grads, j + 1), 0f, "db " + j);
        assertEquals(7f, Mem.at(grads, 0));
    }

    /**
     * The vectorised tiled paths over several tiles (and a ragged last one), with a NaN, an infinite
     * gradient at a zero output and -0 in different tiles (those tiles take the exact element rule):
     * element results equal a scalar reference bit for bit (up to the sign of a zero), bias sums equal
     * the naive sums within float rounding, and the fused and separate bias gradients agree exactly.
     */
    @Test
    void tiledReluPassesMatchTheScalarRuleAcrossTiles() {
        Random r = new Random(11);
        int c = 32, m = 3 * (4096 / c) + 17;
        float[] z = Mem.uniform(r, m * c, -1, 1), dOut = Mem.uniform(r, m * c, -1, 1), b = Mem.uniform(r, c, -0.5, 0.5);
        z[5] = Float.NaN;
        z[4096 + 7] = -5f;
        dOut[4096 + 7] = Float.POSITIVE_INFINITY;
        z[2 * 4096 + 9] = -0f;
        MemorySegment params = Mem.of(b);
        MemorySegment out = Mem.of(z), d = Mem.of(dOut), grads = Mem.zeros(c), sepGrads = Mem.zeros(c);
        ConvKernels.biasRelu(out, params, 0, m, c);
        float[] outRef = new float[m * c];
        for (int i = 0; i < m * c; i++) outRef[i] = Math.max(z[i] + b[i % c], 0f);
        for (int i = 0; i < m * c; i++) {
            assertEquals(Float.floatToRawIntBits(outRef[i]), Float.floatToRawIntBits(Mem.at(out, i)), "out " + i);
        }
        // Dense path: z + b in place, a = relu(z), then dz = dOut ⊙ relu'(z)
        MemorySegment zd = Mem.of(z), a = Mem.zeros(m * c), dz = Mem.of(dOut);
        DenseKernels.biasActivation(zd, params, 0, a, m, c, io.nerva.annotations.ActivationType.RELU, Float.NaN);
        Activations.backward(io.nerva.annotations.ActivationType.RELU, Float.NaN, zd, a, dz, dz, m, c);
        DenseKernels.biasGradient(dz, m, c, sepGrads, 0);
        ConvKernels.reluBackward(out, d, m, c, grads, 0);
        double[] naive = new double[c];
        for (int i = 0; i < m * c; i++) {
            float want = outRef[i] > 0f ? dOut[i] : 0f;
            naive[i % c] += want;
            assertEquals(want, Mem.at(d, i), 0f, "dz " + i);
            assertEquals(want, Mem.at(dz, i), 0f, "dense dz " + i);
            assertEquals(Float.floatToRawIntBits(outRef[i]), Float.floatToRawIntBits(Mem.at(a, i)), "dense a " + i);
            assertEquals(z[i] + b[i % c], Mem.at(zd, i), 0f, "dense z + b " + i);
        }
        for (int j = 0; j < c; j++) {
            assertEquals(naive[j], Mem.at(grads, j), 1e-4 * (1 + Math.abs(naive[j])), "db " + j);
            assertEquals(
                    Float.floatToRawIntBits(Mem.at(sepGrads, j)),
                    Float.floatToRawIntBits(Mem.at(grads, j)),
                    "fused vs separate db " + j);
        }
    }

    /**
     * Training's staged 2x2 path (with argmax) against the general loop (inference, no argmax) over
     * several images of an odd-sized input, stride 2 and stride 1, with ties from rounding to a grid:
     * same outputs, and every recorded index points at a cell holding the output.
     */
    @Test
    void stagedTwoByTwoMaxPoolingMatchesTheGeneralLoop() {
        Random r = new Random(3);
        for (int stride : new int[] {2, 1}) {
            Geometry g = Geometry.keras(7, 9, 5, 2, 2, stride, stride, 1, 1, false);
            int rows = 3, outSize = g.oh() * g.ow() * g.c();
            float[] x = Mem.uniform(r, rows * g.inSize(), -2, 2);
            for (int i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 2) / 2f;
            MemorySegment y = Mem.zeros(rows * outSize),
                    arg = Mem.zeros(rows * outSize),
                    yRef = Mem.zeros(rows * outSize),
                    argRef = Mem.zeros(rows * outSize),
                    yInference = Mem.zeros(rows * outSize);
            PoolKernels.maxForwardJava(g, Mem.of(x), y, arg, rows); // the int argmax of Nerva's kernels
            PoolKernels.maxForwardJava(g, Mem.of(x), yInference, MemorySegment.NULL, rows);
            PoolKernels.maxForwardGeneral(g, Mem.of(x), yRef, argRef, 0, rows);
            for (int n = 0; n < rows; n++) {
                for (int j = 0; j < outSize; j++) {
                    int i = n * outSize + j;
                    assertEquals(
                            Float.floatToRawIntBits(Mem.at(yRef, i)),
                            Float.floatToRawIntBits(Mem.at(y, i)),
                            "stride " + stride + " y " + i);
                    assertEquals(
                            Float.floatToRawIntBits(Mem.at(yRef, i)),
                            Float.floatToRawIntBits(Mem.at(yInference, i)),
                            "stride " + stride + " y without argmax " + i);
                    assertEquals(
                            argRef.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i),
                            arg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i),
                            "stride " + stride + " argmax " + i);
                    int at = arg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i);
                    assertEquals(Mem.at(y, i), x[n * g.inSize() + at], 0f, "stride " + stride + " argmax " + i);
                }
            }
        }
    }

    /** The staged max-pooling backward (overlapping windows: several outputs add into one cell) against the per-element scatter. */
    @Test
    void stagedMaxPoolingBackwardMatchesTheElementScatter() {
        Random r = new Random(4);
        Geometry g = Geometry.keras(6, 6, 3, 3, 3, 1, 1, 1, 1, true);
        int rows = 3, outSize = g.oh() * g.ow() * g.c();
        MemorySegment x = Mem.of(Mem.uniform(r, rows * g.inSize(), -1, 1)),
                y = Mem.zeros(rows * outSize),
                arg = Mem.zeros(rows * outSize);
        PoolKernels.maxForward(g, x, y, arg, rows);
        MemorySegment dy = Mem.of(Mem.uniform(r, rows * outSize, -1, 1));
        MemorySegment dx = Mem.filled(rows * g.inSize(), 9f), dxRef = Mem.filled(rows * g.inSize(), 9f);
        PoolKernels.maxBackward(g, dy, arg, dx, rows);
        PoolKernels.scatterSegments(dy, arg, dxRef, rows, outSize, g.inSize());
        double total = 0;
        for (int i = 0; i < rows * g.inSize(); i++) {
            assertEquals(Mem.at(dxRef, i), Mem.at(dx, i), 0f, "dx " + i);
            total += Math.abs(Mem.at(dx, i));
        }
        assertTrue(total > 1, "the gradient reached the input");
    }

    @Test
    void maxPoolingOfFullTwoByTwoWindowsMatchesTheGeneralRuleOnTiesZerosAndNaN() {
        // 2x4x3: two windows side by side; channel values chosen to tie, mix ±0, hold NaN or -inf
        float n = Float.NaN, inf = Float.NEGATIVE_INFINITY;
        float[][] windows = {
            {1, 3, 3, 2},
            {-0f, 0f, -1, -2},
            {0f, -0f, -0f, 0f},
            {n, 2, 5, n},
            {n, n, n, n},
            {inf, inf, inf, inf},
            {-5, -4, -4, -7}
        };
        float[] want = {3, -0f, 0f, 5, inf, inf, -4};
        int[] wantCell = {1, 0, 0, 2, 0, 0, 1};
        for (int k = 0; k < windows.length; k++) {
            Geometry g = Geometry.keras(2, 2, 1, 2, 2, 2, 2, 1, 1, false);
            MemorySegment y = Mem.zeros(1), arg = Mem.zeros(1);
            PoolKernels.maxForward(g, Mem.of(windows[k]), y, arg, 1);
            assertEquals(Float.floatToRawIntBits(want[k]), Float.floatToRawIntBits(Mem.at(y, 0)), "window " + k);
            MemorySegment yInference = Mem.zeros(1);
            PoolKernels.maxForward(g, Mem.of(windows[k]), yInference, MemorySegment.NULL, 1);
            assertEquals(
                    Float.floatToRawIntBits(want[k]),
                    Float.floatToRawIntBits(Mem.at(yInference, 0)),
                    "window " + k + " without argmax");
            assertEquals(wantCell[k], arg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 0), "argmax " + k);
        }
    }
}
