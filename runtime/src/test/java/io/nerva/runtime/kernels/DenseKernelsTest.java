package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DenseKernelsTest {

    /** The fused kernel performs the same float operations as bias add + activation, so results are bit-identical. */
    @ParameterizedTest
    @EnumSource(ActivationType.class)
    void biasActivationEqualsSeparateBiasAddAndActivation(ActivationType t) {
        Random rnd = new Random(t.ordinal());
        int rows = 5, cols = 7, n = rows * cols;
        float[] z = Mem.uniform(rnd, n, -3, 3);
        float[] params = Mem.uniform(rnd, 20, -1, 1);
        long biasOff = 9;
        float alpha = t == ActivationType.LEAKY_RELU ? 0.1f : Float.NaN;

        MemorySegment zSep = Mem.of(z), aSep = Mem.zeros(n);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) Mem.set(zSep, r * cols + j, z[r * cols + j] + params[(int) biasOff + j]);
        }
        Activations.forward(t, alpha, zSep, aSep, rows, cols);

        MemorySegment zf = Mem.of(z), af = Mem.zeros(n);
        DenseKernels.biasActivation(zf, Mem.of(params), biasOff, af, rows, cols, t, alpha);
        assertArrayEquals(Mem.get(zSep, n), Mem.get(zf, n), "z + bias written back");
        assertArrayEquals(Mem.get(aSep, n), Mem.get(af, n), "activation");

        // no bias: z untouched, a = f(z)
        MemorySegment z0 = Mem.of(z), a0 = Mem.zeros(n), aRef = Mem.zeros(n);
        DenseKernels.biasActivation(z0, Mem.of(params), -1, a0, rows, cols, t, alpha);
        Activations.forward(t, alpha, Mem.of(z), aRef, rows, cols);
        assertArrayEquals(z, Mem.get(z0, n));
        assertArrayEquals(Mem.get(aRef, n), Mem.get(a0, n));
    }

    @Test
    void biasActivationLinearInPlace() {
        MemorySegment z = Mem.of(1f, 2f, 3f, 4f), p = Mem.of(0f, 10f, 20f);
        DenseKernels.biasActivation(z, p, 1, z, 2, 2, ActivationType.LINEAR, Float.NaN);
        assertArrayEquals(new float[] {11f, 22f, 13f, 24f}, Mem.get(z, 4));
    }

    @Test
    void biasGradientIsColumnSumsAndOverwrites() {
        Random rnd = new Random(3);
        int rows = 9, cols = 4;
        float[] dz = Mem.uniform(rnd, rows * cols, -1, 1);
        MemorySegment grads = Mem.filled(10, 123f);
        DenseKernels.biasGradient(Mem.of(dz), rows, cols, grads, 5);
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int r = 0; r < rows; r++) s += dz[r * cols + j];
            assertEquals(s, Mem.at(grads, 5 + j), 1e-5);
        }
        assertEquals(123f, Mem.at(grads, 4));
        assertEquals(123f, Mem.at(grads, 9));
    }

    static double[] referenceProduct(
            boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, float[] b, int bOff) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    double bv = tb ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    s += av * bv;
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    @Test
    void javaPathEqualsBlasPathAndDoubleReference() {
        int[][] shapes = {{1, 1, 1}, {1, 5, 3}, {4, 1, 6}, {3, 5, 7}, {17, 9, 13}, {32, 33, 31}, {2, 64, 70}};
        float[] betas = {0f, 1f, 0.5f};
        Random rnd = new Random(11);
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int tr = 0; tr < 4; tr++) {
                boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
                for (float beta : betas) {
                    int aOff = 3, bOff = 5, cOff = 2;
                    float[] a = Mem.uniform(rnd, aOff + m * k, -1, 1);
                    float[] b = Mem.uniform(rnd, bOff + k * n, -1, 1);
                    float[] c0 = Mem.uniform(rnd, cOff + m * n, -1, 1);
                    if (beta == 0f) for (int i = cOff; i < c0.length; i++) c0[i] = Float.NaN; // must not be read
                    MemorySegment cj = Mem.of(c0), cb = Mem.of(c0);
                    DenseKernels.matmulJava(ta, tb, m, n, k, Mem.of(a), aOff, Mem.of(b), bOff, cj, cOff, beta);
                    DenseKernels.matmulBlas(ta, tb, m, n, k, Mem.of(a), aOff, Mem.of(b), bOff, cb, cOff, beta);
                    double[] ref = referenceProduct(ta, tb, m, n, k, a, aOff, b, bOff);
                    String what =
                            "m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " beta=" + beta;
                    for (int i = 0; i < m * n; i++) {
                        double expect = ref[i] + (beta == 0f ? 0 : beta * (double) c0[cOff + i]);
                        double tol = 1e-5 * (k + 1);
                        assertEquals(expect, Mem.at(cj, cOff + i), tol, "java " + what);
                        assertEquals(Mem.at(cb, cOff + i), Mem.at(cj, cOff + i), tol, "java vs blas " + what);
                    }
                    assertEquals(c0[0], Mem.at(cj, 0), "before C untouched " + what);
                    assertEquals(c0[1], Mem.at(cj, 1), "before C untouched " + what);
                }
            }
        }
    }

    @Test
    void dispatchUsesTheThreshold() {
        assertEquals(Long.getLong("nerva.smallProduct", 256L), DenseKernels.SMALL_PRODUCT_FLOPS);
        Random rnd = new Random(5);
        int m = 2, n = 3, k = 4; // 24 < 256: Java path, bit-identical to matmulJava
        float[] a = Mem.uniform(rnd, m * k, -1, 1), b = Mem.uniform(rnd, k * n, -1, 1);
        MemorySegment c1 = Mem.zeros(m * n), c2 = Mem.zeros(m * n);
        DenseKernels.matmul(false, false, m, n, k, Mem.of(a), 0, Mem.of(b), 0, c1, 0, 0f);
        DenseKernels.matmulJava(false, false, m, n, k, Mem.of(a), 0, Mem.of(b), 0, c2, 0, 0f);
        assertArrayEquals(Mem.get(c2, m * n), Mem.get(c1, m * n));
        // large product through BLAS
        m = 20;
        n = 20;
        k = 20;
        a = Mem.uniform(rnd, m * k, -1, 1);
        b = Mem.uniform(rnd, k * n, -1, 1);
        c1 = Mem.zeros(m * n);
        DenseKernels.matmul(false, true, m, n, k, Mem.of(a), 0, Mem.of(b), 0, c1, 0, 0f);
        double[] ref = referenceProduct(false, true, m, n, k, a, 0, b, 0);
        for (int i = 0; i < m * n; i++) assertEquals(ref[i], Mem.at(c1, i), 1e-4);
    }

    @Test
    void oneRowProductsGoThroughSgemvForEveryTransposeAndBeta() {
        Random rnd = new Random(8);
        int n = 37, k = 50; // 1·37·50 ≥ the threshold: the sgemv branch
        for (int tr = 0; tr < 4; tr++) {
            boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
            for (float beta : new float[] {0f, 0.5f}) {
                float[] a = Mem.uniform(rnd, 2 + k, -1, 1), b = Mem.uniform(rnd, 3 + k * n, -1, 1);
                float[] c0 = Mem.uniform(rnd, 1 + n, -1, 1);
                if (beta == 0f) for (int i = 1; i < c0.length; i++) c0[i] = Float.NaN;
                MemorySegment c = Mem.of(c0);
                DenseKernels.matmul(ta, tb, 1, n, k, Mem.of(a), 2, Mem.of(b), 3, c, 1, beta);
                double[] ref = referenceProduct(ta, tb, 1, n, k, a, 2, b, 3);
                for (int j = 0; j < n; j++) {
                    double expect = ref[j] + (beta == 0f ? 0 : beta * (double) c0[1 + j]);
                    assertEquals(
                            expect,
                            Mem.at(c, 1 + j),
                            1e-4,
                            "transA=" + ta + " transB=" + tb + " beta=" + beta + " j=" + j);
                }
                assertEquals(c0[0], Mem.at(c, 0), "before C untouched");
            }
        }
    }
}
