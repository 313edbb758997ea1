package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PReLU and Maxout kernels against the formulas written out here, and their gradients against finite differences. */
class ParametricActivationKernelsTest {
    private static final int ROWS = 3, SIZE = 5;

    @Test
    void preluForwardIsXOrAlphaTimesX() {
        float[] x = {1.5f, -2f, 0f, -0.5f, 3f, -1f, 2f, -3f, 0.25f, -4f, 0.5f, -0.1f, -2f, 1f, -1f};
        float[] alpha = {0.1f, 0.2f, 0.3f, -0.5f, 2f};
        MemorySegment w = Mem.of(9f, 9f, alpha[0], alpha[1], alpha[2], alpha[3], alpha[4]); // slopes at offset 2
        MemorySegment out = Mem.zeros(x.length);
        PReluKernels.forward(Mem.of(x), w, 2, out, ROWS, SIZE);
        for (int i = 0; i < x.length; i++) {
            float a = alpha[i % SIZE];
            assertEquals(x[i] > 0 ? x[i] : a * x[i], Mem.at(out, i), 0f, "element " + i);
        }
    }

    /** L = Σ r ⊙ prelu(x; alpha): the kernel's dAlpha and dx against central differences in double. */
    @Test
    void preluGradientsMatchFiniteDifferences() {
        Random rnd = new Random(3);
        float[] x = Mem.awayFromZero(rnd, ROWS * SIZE, 0.1, 2); // away from the kink at 0
        float[] alpha = Mem.uniform(rnd, SIZE, -0.5, 0.8);
        float[] r = Mem.uniform(rnd, ROWS * SIZE, -1, 1);
        MemorySegment w = Mem.of(alpha), g = Mem.filled(SIZE, Float.NaN), dy = Mem.of(r);
        PReluKernels.backward(Mem.of(x), w, 0, dy, dy, g, ROWS, SIZE); // in place: dx overwrites dy
        double h = 1e-3;
        for (int i = 0; i < SIZE; i++) {
            double[] a = toDouble(alpha);
            a[i] += h;
            double plus = preluLoss(x, a, r);
            a[i] -= 2 * h;
            double minus = preluLoss(x, a, r);
            assertEquals((plus - minus) / (2 * h), Mem.at(g, i), 1e-4, "dAlpha " + i);
        }
        for (int i = 0; i < x.length; i++) {
            double[] xs = toDouble(x);
            xs[i] += h;
            double plus = preluLoss(xs, toDouble(alpha), r);
            xs[i] -= 2 * h;
            double minus = preluLoss(xs, toDouble(alpha), r);
            assertEquals((plus - minus) / (2 * h), Mem.at(dy, i), 1e-4, "dx " + i);
        }
    }

    private static double preluLoss(float[] x, double[] alpha, float[] r) {
        return preluLoss(toDouble(x), alpha, r);
    }

    private static double preluLoss(double[] x, double[] alpha, float[] r) {
        double l = 0;
        for (int i = 0; i < x.length; i++) l += r[i] * (x[i] > 0 ? x[i] : alpha[i % SIZE] * x[i]);
        return l;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @Test
    void maxoutTakesTheLargestPieceAndRoutesTheGradientToIt() {
        // 2 vectors, 2 units of 3 pieces
        float[] x = {1f, 5f, 2f, -1f, -3f, -2f, 0f, 0f, 0f, 7f, 8f, 9f};
        MemorySegment out = Mem.zeros(4);
        MaxoutKernels.forward(Mem.of(x), out, 2, 2, 3);
        assertArrayEquals(new float[] {5f, -1f, 0f, 9f}, Mem.get(out, 4));
        MemorySegment dx = Mem.filled(12, Float.NaN);
        MaxoutKernels.backward(Mem.of(x), Mem.of(0.5f, -1f, 2f, 3f), dx, 2, 2, 3);
        // a tie (0, 0, 0) sends the gradient to the first piece
        assertArrayEquals(new float[] {0f, 0.5f, 0f, -1f, 0f, 0f, 2f, 0f, 0f, 0f, 0f, 3f}, Mem.get(dx, 12));
    }

    @Test
    void buffersTooSmallAreRefusedWithTheirSizes() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> MaxoutKernels.forward(Mem.zeros(5), Mem.zeros(2), 1, 2, 3));
        assertTrue(e.getMessage().contains("expected at least 6"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> PReluKernels.forward(Mem.zeros(10), Mem.zeros(3), 0, Mem.zeros(10), 2, 5));
        assertTrue(e.getMessage().contains("parameters"), e.getMessage());
    }
}
