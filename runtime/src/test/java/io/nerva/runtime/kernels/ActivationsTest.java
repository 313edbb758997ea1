package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ActivationsTest {
    private static final int ROWS = 4, COLS = 6, N = ROWS * COLS;

    /** Every differentiable activation with its default alpha, plus LEAKY_RELU and ELU with a non-default one. */
    static Stream<Arguments> differentiable() {
        List<Arguments> list = new ArrayList<>();
        for (ActivationType t : ActivationType.values()) {
            if (t.differentiable()) list.add(Arguments.of(t, Float.NaN));
        }
        list.add(Arguments.of(ActivationType.LEAKY_RELU, 0.05f));
        list.add(Arguments.of(ActivationType.ELU, 0.7f));
        return list.stream();
    }

    /** Double-precision reference of the whole forward pass (row-wise for softmax). */
    static double[] reference(ActivationType t, float alpha, double[] z) {
        double[] a = new double[z.length];
        if (t == ActivationType.SOFTMAX) {
            for (int r = 0; r < ROWS; r++) {
                double max = Double.NEGATIVE_INFINITY, s = 0;
                for (int j = 0; j < COLS; j++) max = Math.max(max, z[r * COLS + j]);
                for (int j = 0; j < COLS; j++) s += Math.exp(z[r * COLS + j] - max);
                for (int j = 0; j < COLS; j++) a[r * COLS + j] = Math.exp(z[r * COLS + j] - max) / s;
            }
        } else {
            for (int i = 0; i < z.length; i++) a[i] = Activations.value(t, alpha, z[i]);
        }
        return a;
    }

    static double dot(double[] u, double[] a) {
        double s = 0;
        for (int i = 0; i < u.length; i++) s += u[i] * a[i];
        return s;
    }

    /**
     * Finite-difference check of {@code backward} on the scalar {@code L = Σ u ⊙ f(z)} for a random
     * upstream gradient u, so that {@code dL/dz = backward(dA = u)} (for softmax this exercises the
     * full Jacobian-vector product). Sample points have |z| in [0.1, 2.5]: away from the kinks of
     * RELU/LEAKY_RELU/ELU/SELU at 0 and of HARD_SIGMOID at ±3 by much more than either step.
     *
     * <p>1. Against central differences of the double reference, h = 1e-5: truncation error
     * h²·|L'''|/6 ≈ 1e-11 and rounding ≈ 1e-16·|L|/h ≈ 1e-10, so the only real error is the float
     * rounding of the analytic gradient (≈ 1e-7 relative; GELU_EXACT's fast erf adds ≈ 2e-7
     * absolute): tolerance 2e-5 relative + 2e-6 absolute.
     *
     * <p>2. Against central differences of the float kernel itself, h = 1e-2: each float output
     * carries ≈ 6e-8 relative rounding, which divided by 2h gives ≈ 3e-6·|u·a| of noise (the other
     * elements are recomputed bit-identically and cancel); truncation is h²·|f'''|/6 ≈ 2e-5·|f'''|
     * with |f'''| ≤ ~15 on this range (EXPONENTIAL at 2.5). The actual step is taken as the
     * difference of the two perturbed float inputs. Tolerance 2e-3 relative + 3e-4 absolute.
     */
    @ParameterizedTest(name = "{0} alpha={1}")
    @MethodSource("differentiable")
    void backwardMatchesFiniteDifferences(ActivationType t, float alpha) {
        Random rnd = new Random(42 + t.ordinal());
        float[] z = Mem.awayFromZero(rnd, N, 0.1, 2.5);
        float[] u = Mem.uniform(rnd, N, -1, 1);
        MemorySegment zs = Mem.of(z), as = Mem.zeros(N), du = Mem.of(u), dz = Mem.zeros(N);
        Activations.forward(t, alpha, zs, as, ROWS, COLS);
        Activations.backward(t, alpha, zs, as, du, dz, ROWS, COLS);
        float[] analytic = Mem.get(dz, N);
        double[] ud = Mem.toDouble(u);

        // 1. double reference, tight
        double h = 1e-5;
        for (int i = 0; i < N; i++) {
            double[] zp = Mem.toDouble(z), zm = Mem.toDouble(z);
            zp[i] += h;
            zm[i] -= h;
            double fd = (dot(ud, reference(t, alpha, zp)) - dot(ud, reference(t, alpha, zm))) / (2 * h);
            final int at = i;
            assertEquals(fd, analytic[i], 2e-5 * Math.abs(fd) + 2e-6, () -> t + ": double-reference FD at z=" + z[at]);
        }

        // 2. float kernel, looser
        float hf = 1e-2f;
        MemorySegment zpert = Mem.zeros(N), apert = Mem.zeros(N);
        for (int i = 0; i < N; i++) {
            float zi = z[i], zp = zi + hf, zm = zi - hf;
            MemorySegment.copy(zs, 0, zpert, 0, (long) N * Float.BYTES);
            Mem.set(zpert, i, zp);
            Activations.forward(t, alpha, zpert, apert, ROWS, COLS);
            double lp = dot(ud, Mem.toDouble(Mem.get(apert, N)));
            Mem.set(zpert, i, zm);
            Activations.forward(t, alpha, zpert, apert, ROWS, COLS);
            double lm = dot(ud, Mem.toDouble(Mem.get(apert, N)));
            double fd = (lp - lm) / ((double) zp - zm);
            final int at = i;
            assertEquals(fd, analytic[i], 2e-3 * Math.abs(fd) + 3e-4, () -> t + ": float FD at z=" + z[at]);
        }
    }

    /** The backward pass against the scalar double derivative (element-wise types), dZ aliasing dA. */
    @ParameterizedTest(name = "{0} alpha={1}")
    @MethodSource("differentiable")
    void backwardMatchesScalarDerivativeInPlace(ActivationType t, float alpha) {
        if (t == ActivationType.SOFTMAX) return;
        Random rnd = new Random(7 + t.ordinal());
        float[] z = Mem.awayFromZero(rnd, N, 0.05, 4.0);
        float[] u = Mem.uniform(rnd, N, -2, 2);
        MemorySegment zs = Mem.of(z), as = Mem.zeros(N), g = Mem.of(u);
        Activations.forward(t, alpha, zs, as, ROWS, COLS);
        Activations.backward(t, alpha, zs, as, g, g, ROWS, COLS); // in place
        for (int i = 0; i < N; i++) {
            double ref = u[i] * Activations.derivative(t, alpha, z[i]);
            assertEquals(ref, Mem.at(g, i), 1e-5 * Math.abs(ref) + 1e-6, t + " at z=" + z[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ActivationType.class, names = "SOFTMAX", mode = EnumSource.Mode.EXCLUDE)
    void forwardMatchesDoubleReference(ActivationType t) {
        float[] z = new float[241];
        for (int i = 0; i < z.length; i++) z[i] = -6f + 0.05f * i + 0.001f; // never exactly 0
        MemorySegment zs = Mem.of(z), as = Mem.zeros(z.length);
        Activations.forward(t, Float.NaN, zs, as, 1, z.length);
        for (int i = 0; i < z.length; i++) {
            double ref = Activations.value(t, Double.NaN, z[i]);
            // one float rounding of a double result (6e-8 relative); the fast erf adds < 3e-7·|z|/2
            assertEquals(ref, Mem.at(as, i), 2e-7 * Math.abs(ref) + 1e-6, t + " at " + z[i]);
        }
    }

    @Test
    void nanAlphaMeansDefaultAndAlphaIsUsed() {
        MemorySegment z = Mem.of(-2f, 3f), a = Mem.zeros(2);
        Activations.forward(ActivationType.LEAKY_RELU, Float.NaN, z, a, 1, 2);
        assertArrayEquals(new float[] {-0.4f, 3f}, Mem.get(a, 2));
        Activations.forward(ActivationType.LEAKY_RELU, 0.5f, z, a, 1, 2);
        assertArrayEquals(new float[] {-1f, 3f}, Mem.get(a, 2));
        Activations.forward(ActivationType.ELU, Float.NaN, z, a, 1, 2);
        assertEquals(Math.expm1(-2), Mem.at(a, 0), 1e-7);
        Activations.forward(ActivationType.ELU, 2f, z, a, 1, 2);
        assertEquals(2 * Math.expm1(-2), Mem.at(a, 0), 1e-6);
    }

    @Test
    void knownValues() {
        assertEquals(0.5, Activations.value(ActivationType.SIGMOID, Double.NaN, 0), 0);
        assertEquals(
                1.0507009873554805 * 1.6732632423543772 * Math.expm1(-1),
                Activations.value(ActivationType.SELU, Double.NaN, -1),
                1e-15);
        assertEquals(
                0.8411919906082768, Activations.value(ActivationType.GELU, Double.NaN, 1), 1e-12); // tanh approximation
        assertEquals(0.8413447460685429, Activations.value(ActivationType.GELU_EXACT, Double.NaN, 1), 1e-13); // Φ(1)
        assertEquals(Math.log(2), Activations.value(ActivationType.SOFTPLUS, Double.NaN, 0), 1e-15);
        assertEquals(1000.0, Activations.value(ActivationType.SOFTPLUS, Double.NaN, 1000), 0);
        assertEquals(1.0, Activations.value(ActivationType.HARD_SIGMOID, Double.NaN, 3), 0);
        assertEquals(0.0, Activations.value(ActivationType.HARD_SIGMOID, Double.NaN, -3.5), 0);
        assertEquals(2.0 / 3.0, Activations.value(ActivationType.HARD_SIGMOID, Double.NaN, 1), 1e-15);
        assertEquals(1.0, Activations.value(ActivationType.BINARY_STEP, Double.NaN, 0), 0);
        assertEquals(0.0, Activations.value(ActivationType.BINARY_STEP, Double.NaN, -1e-30), 0);
        assertEquals(0.0, Activations.derivative(ActivationType.HARD_SIGMOID, Double.NaN, 3.5), 0);
        assertEquals(0.0, Activations.derivative(ActivationType.RELU, Double.NaN, -1), 0);
    }

    @Test
    void erfAgainstKnownValues() {
        double[][] known = {
            {0, 0},
            {0.1, 0.1124629160182849},
            {0.5, 0.5204998778130465},
            {1, 0.8427007929497149},
            {2, 0.9953222650189527},
            {2.5, 0.9995930479825550},
            {3, 0.9999779095030014},
            {4, 0.9999999845827421},
            {7, 1.0}
        };
        for (double[] k : known) {
            assertEquals(k[1], Activations.erf(k[0]), 1e-14, "erf(" + k[0] + ")");
            assertEquals(-k[1], Activations.erf(-k[0]), 1e-14, "erf(-" + k[0] + ")");
            assertEquals(k[1], Activations.erfFast(k[0]), 2e-7, "erfFast(" + k[0] + ")");
        }
        // erfc tail through the continued fraction: erfc(3) = 2.209049699858544e-05
        assertEquals(2.209049699858544e-05, 1 - Activations.erf(3), 1e-15);
        for (double x = -6; x <= 6; x += 0.01) assertEquals(Activations.erf(x), Activations.erfFast(x), 2e-7, "x=" + x);
        assertTrue(Double.isNaN(Activations.erf(Double.NaN)));
    }

    @Test
    void softmaxRowsSumToOneAndAreStable() {
        float[] z = {1000f, -1000f, 0f, 999f, 1000f, 1000f, 1000f, 1000f, -1000f, -1000f, -1000f, -1000f, 1f, 2f, 3f, 4f
        };
        MemorySegment zs = Mem.of(z), as = Mem.zeros(16);
        Activations.forward(ActivationType.SOFTMAX, Float.NaN, zs, as, 4, 4);
        float[] a = Mem.get(as, 16);
        for (int r = 0; r < 4; r++) {
            double s = 0;
            for (int j = 0; j < 4; j++) {
                assertTrue(Float.isFinite(a[r * 4 + j]) && a[r * 4 + j] >= 0, "row " + r);
                s += a[r * 4 + j];
            }
            assertEquals(1.0, s, 1e-6, "row " + r);
        }
        assertEquals(1 / (1 + Math.exp(-1)), a[0], 1e-6); // 1000 vs 999
        assertEquals(0f, a[1]);
        assertEquals(0.25f, a[4], 1e-7f); // four equal large logits
        assertEquals(0.25f, a[8], 1e-7f); // four equal very negative logits
        double e = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4);
        assertEquals(Math.exp(3) / e, a[14], 1e-7);
    }

    @Test
    void binaryStepForwardOnlyAndBackwardThrows() {
        MemorySegment z = Mem.of(-1f, 0f, 2f), a = Mem.zeros(3), g = Mem.of(1f, 1f, 1f);
        Activations.forward(ActivationType.BINARY_STEP, Float.NaN, z, a, 1, 3);
        assertArrayEquals(new float[] {0f, 1f, 1f}, Mem.get(a, 3));
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Activations.backward(ActivationType.BINARY_STEP, Float.NaN, z, a, g, g, 1, 3));
        assertTrue(e.getMessage().contains("BINARY_STEP is not differentiable"), e.getMessage());
        assertThrows(
                IllegalStateException.class, () -> Activations.derivative(ActivationType.BINARY_STEP, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> Activations.value(ActivationType.SOFTMAX, Double.NaN, 1));
    }

    @Test
    void linearInPlaceAndSoftmaxBackwardInPlace() {
        MemorySegment z = Mem.of(1f, -2f, 3f);
        Activations.forward(ActivationType.LINEAR, Float.NaN, z, z, 1, 3);
        assertArrayEquals(new float[] {1f, -2f, 3f}, Mem.get(z, 3));

        MemorySegment a = Mem.zeros(3), g = Mem.of(0.5f, -1f, 2f), out = Mem.zeros(3);
        Activations.forward(ActivationType.SOFTMAX, Float.NaN, z, a, 1, 3);
        Activations.backward(ActivationType.SOFTMAX, Float.NaN, z, a, g, out, 1, 3);
        Activations.backward(ActivationType.SOFTMAX, Float.NaN, z, a, g, g, 1, 3);
        assertArrayEquals(Mem.get(out, 3), Mem.get(g, 3));
        double sum = Mem.at(out, 0) + Mem.at(out, 1) + Mem.at(out, 2);
        assertEquals(0.0, sum, 1e-7); // softmax gradients are orthogonal to the all-ones direction
    }

    @Test
    void saturatedRegionsHaveFiniteGradients() {
        float[] z = {-100f, -30f, 30f, 100f};
        for (ActivationType t : ActivationType.values()) {
            if (!t.differentiable() || t == ActivationType.EXPONENTIAL) continue;
            MemorySegment zs = Mem.of(z), as = Mem.zeros(4), g = Mem.of(1f, 1f, 1f, 1f);
            Activations.forward(t, Float.NaN, zs, as, 1, 4);
            Activations.backward(t, Float.NaN, zs, as, g, g, 1, 4);
            for (int i = 0; i < 4; i++) {
                assertTrue(Float.isFinite(Mem.at(as, i)), t + " forward at " + z[i]);
                assertTrue(Float.isFinite(Mem.at(g, i)), t + " backward at " + z[i]);
            }
        }
    }
}
