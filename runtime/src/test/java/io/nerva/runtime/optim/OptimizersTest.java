package io.nerva.runtime.optim;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OptimizersTest {
    private static final int N = 9, STEPS = 6;

    /** A double-precision reference of one Keras update; {@code s} holds the optimizer's slots. */
    interface Ref {
        void step(double[] w, double[] g, double[][] s, long t, double lr);
    }

    record Case(String name, Optimizer opt, int slots, Ref ref) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Ref sgdMomentum(double mu, boolean nesterov) {
        return (w, g, s, t, lr) -> {
            for (int i = 0; i < w.length; i++) {
                s[0][i] = mu * s[0][i] - lr * g[i];
                w[i] += nesterov ? mu * s[0][i] - lr * g[i] : s[0][i];
            }
        };
    }

    static Ref adam(double b1, double b2, double eps, double wd) {
        return (w, g, s, t, lr) -> {
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            for (int i = 0; i < w.length; i++) {
                w[i] -= w[i] * wd * lr; // Keras applies decoupled weight decay before the update
                s[0][i] += (g[i] - s[0][i]) * (1 - b1);
                s[1][i] += (g[i] * g[i] - s[1][i]) * (1 - b2);
                w[i] -= alpha * s[0][i] / (Math.sqrt(s[1][i]) + eps);
            }
        };
    }

    static Ref rmsprop(double rho, double eps) {
        return (w, g, s, t, lr) -> {
            for (int i = 0; i < w.length; i++) {
                s[0][i] = rho * s[0][i] + (1 - rho) * g[i] * g[i];
                w[i] -= lr * g[i] / Math.sqrt(s[0][i] + eps);
            }
        };
    }

    /** Keras Adagrad; the reference keeps the real accumulator, starting at {@code init} on the first step. */
    static Ref adagrad(double init, double eps) {
        return (w, g, s, t, lr) -> {
            for (int i = 0; i < w.length; i++) {
                if (t == 1) s[0][i] = init;
                s[0][i] += g[i] * g[i];
                w[i] -= lr * g[i] / Math.sqrt(s[0][i] + eps);
            }
        };
    }

    static Stream<Case> cases() {
        LearningRate c05 = LearningRate.constant(0.05);
        return Stream.of(
                new Case("sgd", Optimizers.sgd(0.1), 0, (w, g, s, t, lr) -> {
                    for (int i = 0; i < w.length; i++) w[i] -= lr * g[i];
                }),
                new Case("sgd momentum", Optimizers.sgd(0.1, 0.9, false), 1, sgdMomentum(0.9, false)),
                new Case("sgd nesterov", Optimizers.sgd(0.1, 0.8, true), 1, sgdMomentum(0.8, true)),
                new Case("adam", Optimizers.adam(0.05), 2, adam(0.9, 0.999, 1e-7, 0)),
                new Case("adam large epsilon", Optimizers.adam(0.05, 0.8, 0.95, 0.1), 2, adam(0.8, 0.95, 0.1, 0)),
                new Case(
                        "adam exponential schedule",
                        Optimizers.adam(LearningRates.exponential(0.1, 2, 0.5)),
                        2,
                        adam(0.9, 0.999, 1e-7, 0)),
                new Case("adamW", Optimizers.adamW(0.05, 0.1), 2, adam(0.9, 0.999, 1e-7, 0.1)),
                new Case("adamW default decay", Optimizers.adamW(0.05), 2, adam(0.9, 0.999, 1e-7, 0.004)),
                new Case("rmsprop", Optimizers.rmsprop(0.05), 1, rmsprop(0.9, 1e-7)),
                new Case(
                        "rmsprop large epsilon (inside the sqrt)",
                        Optimizers.rmsprop(c05, 0.8, 0.5),
                        1,
                        rmsprop(0.8, 0.5)),
                new Case("adagrad", Optimizers.adagrad(0.1), 1, adagrad(0.1, 1e-7)),
                new Case("adagrad custom", Optimizers.adagrad(c05, 0.3, 0.5), 1, adagrad(0.3, 0.5)));
    }

    /**
     * {@value #STEPS} updates of the float optimizer on a small vector against the double reference
     * of the Keras formula, with fresh random gradients each step (one of them 0). The float code
     * rounds each of a handful of operations per step (≈ 6e-8 relative each), so after six steps
     * the parameters agree to ≈ 1e-6; tolerance 1e-5 relative + 3e-6 absolute.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesDoublePrecisionKerasReference(Case c) {
        assertEquals(c.slots(), c.opt().stateSlots());
        Random rnd = new Random(c.name().hashCode());
        float[] w0 = Mem.uniform(rnd, N, -1, 1);
        MemorySegment params = Mem.of(w0), grads = Mem.zeros(N), state = Mem.zeros((long) Math.max(1, c.slots()) * N);
        double[] w = Mem.toDouble(w0);
        double[][] s = new double[Math.max(1, c.slots())][N];
        for (long t = 1; t <= STEPS; t++) {
            float[] g = Mem.uniform(rnd, N, -1, 1);
            g[3] = 0f;
            MemorySegment.copy(Mem.of(g), 0, grads, 0, (long) N * Float.BYTES);
            double lr = c.opt().learningRate().at(t, 0);
            c.opt().update(params, grads, state, N, t, lr);
            c.ref().step(w, Mem.toDouble(g), s, t, lr);
            for (int i = 0; i < N; i++) {
                assertEquals(w[i], Mem.at(params, i), 1e-5 * Math.abs(w[i]) + 3e-6, c + ": step " + t + " param " + i);
            }
        }
        double moved = 0;
        for (int i = 0; i < N; i++) moved += Math.abs(w[i] - w0[i]);
        assertTrue(moved > 1e-2, c + ": parameters barely moved, the comparison is vacuous");
    }

    /**
     * Dead units: after 100 steps the gradient of every other parameter is exactly 0 for 1,900 steps.
     * Without a flush their moments decay into the subnormal range and stay there (β·2⁻¹⁴⁹ rounds
     * back to 2⁻¹⁴⁹), which the float reference below (the plain formula) shows; the optimizers
     * keep none, and their weights equal that reference's within float noise. The parameter count
     * spans several update chunks, with a ragged last one.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("decayingCases")
    void deadUnitsLeaveNoSubnormalStateAndTheSameWeights(String name, Optimizer opt) {
        int n = 2 * Optimizers.Scratch.CHUNK + 37, slots = opt.stateSlots();
        Random rnd = new Random(7);
        float[] w0 = Mem.uniform(rnd, n, -1, 1);
        MemorySegment params = Mem.of(w0), grads = Mem.zeros(n), state = Mem.zeros((long) slots * n);
        float[] refW = w0.clone();
        float[][] refS = new float[slots][n];
        for (long t = 1; t <= 2000; t++) {
            float[] g = Mem.uniform(rnd, n, -0.1, 0.1);
            if (t > 100) for (int i = 0; i < n; i += 2) g[i] = 0f;
            MemorySegment.copy(Mem.of(g), 0, grads, 0, (long) n * Float.BYTES);
            double lr = opt.learningRate().at(t, 0);
            opt.update(params, grads, state, n, t, lr);
            plainFloatStep(opt, refW, g, refS, t, lr);
        }
        long refSubnormal = 0;
        for (float[] slot : refS) for (float x : slot) if (subnormal(x)) refSubnormal++;
        assertTrue(
                refSubnormal > n / 4,
                name + ": the unflushed reference should show the problem, has " + refSubnormal + " subnormal moments");
        for (long i = 0; i < (long) slots * n; i++) {
            assertFalse(subnormal(Mem.at(state, i)), name + ": state " + i + " is subnormal: " + Mem.at(state, i));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(refW[i], Mem.at(params, i), 2e-6 * Math.abs(refW[i]) + 1e-7, name + ": param " + i);
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> decayingCases() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("adam", Optimizers.adam(1e-3)),
                org.junit.jupiter.params.provider.Arguments.of("adamW", Optimizers.adamW(1e-3)),
                org.junit.jupiter.params.provider.Arguments.of("sgd momentum", Optimizers.sgd(0.01, 0.9, false)),
                org.junit.jupiter.params.provider.Arguments.of("sgd nesterov", Optimizers.sgd(0.01, 0.9, true)),
                org.junit.jupiter.params.provider.Arguments.of("rmsprop", Optimizers.rmsprop(1e-3)));
    }

    private static boolean subnormal(float x) {
        return x != 0f && Math.abs(x) < Float.MIN_NORMAL;
    }

    /** The update formulas in float, as written before the flush (the reference of the test above). */
    private static void plainFloatStep(Optimizer opt, float[] w, float[] g, float[][] s, long t, double lr) {
        switch (opt) {
            case Optimizers.Adam a -> {
                float alpha = (float) (lr * Math.sqrt(1.0 - Math.pow(a.beta2(), t)) / (1.0 - Math.pow(a.beta1(), t)));
                float c1 = (float) (1.0 - a.beta1()), c2 = (float) (1.0 - a.beta2()), eps = (float) a.epsilon();
                float decay = a.weightDecay() != 0 ? (float) (1.0 - lr * a.weightDecay()) : 1f;
                for (int i = 0; i < w.length; i++) {
                    s[0][i] += (g[i] - s[0][i]) * c1;
                    s[1][i] += (g[i] * g[i] - s[1][i]) * c2;
                    w[i] = w[i] * decay - alpha * s[0][i] / ((float) Math.sqrt(s[1][i]) + eps);
                }
            }
            case Optimizers.Sgd sgd -> {
                float a = (float) lr, mu = (float) sgd.momentum();
                for (int i = 0; i < w.length; i++) {
                    float step = -a * g[i];
                    s[0][i] = mu * s[0][i] + step;
                    w[i] += sgd.nesterov() ? mu * s[0][i] + step : s[0][i];
                }
            }
            case Optimizers.RmsProp r -> {
                float rho = (float) r.rho(), r1 = (float) (1.0 - r.rho()), a = (float) lr, eps = (float) r.epsilon();
                for (int i = 0; i < w.length; i++) {
                    s[0][i] = rho * s[0][i] + r1 * g[i] * g[i];
                    w[i] -= a * g[i] / (float) Math.sqrt(s[0][i] + eps);
                }
            }
            default -> throw new AssertionError(opt);
        }
    }

    @Test
    void schedulesAtKnownSteps() {
        LearningRate exp = LearningRates.exponential(0.1, 10, 0.5);
        assertEquals(0.1, exp.at(1, 0), 1e-15); // first update: Keras step 0
        assertEquals(0.1 * Math.pow(0.5, 0.5), exp.at(6, 0), 1e-15);
        assertEquals(0.05, exp.at(11, 3), 1e-15);
        assertEquals(0.025, exp.at(21, 0), 1e-15);

        LearningRate cos = LearningRates.cosine(1.0, 100, 0.1);
        assertEquals(1.0, cos.at(1, 0), 1e-15);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), cos.at(26, 0), 1e-15);
        assertEquals(0.55, cos.at(51, 0), 1e-15);
        assertEquals(0.1, cos.at(101, 0), 1e-15);
        assertEquals(0.1, cos.at(5000, 0), 1e-15); // stays at alpha·initial

        LearningRate step = LearningRates.step(0.1, 10, 0.5); // by epochs
        assertEquals(0.1, step.at(1, 0), 1e-15);
        assertEquals(0.1, step.at(999, 9), 1e-15);
        assertEquals(0.05, step.at(1, 10), 1e-15);
        assertEquals(0.025, step.at(1, 25), 1e-15);

        assertEquals(0.3, Optimizers.sgd(0.3).learningRate().at(77, 5), 0);
        assertSame(cos, Optimizers.rmsprop(cos).learningRate());
    }

    @Test
    void rejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> Optimizers.sgd(-0.1));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.sgd(0.1, 1.0, false));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.adam(0.1, 1.0, 0.9, 1e-7));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.adamW(0.1, -1));
        assertThrows(IllegalArgumentException.class, () -> LearningRates.step(0.1, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> LearningRates.cosine(0.1, 10, 2));
        assertThrows(IllegalArgumentException.class, () -> LearningRates.exponential(0.1, 0, 0.5));
        MemorySegment p = Mem.zeros(1);
        assertThrows(IllegalArgumentException.class, () -> Optimizers.adam().update(p, p, Mem.zeros(2), 1, 0, 0.1));
    }

    @Test
    void kerasDefaults() {
        assertEquals(0.01, Optimizers.sgd().learningRate().at(1, 0));
        assertEquals(0.001, Optimizers.adam().learningRate().at(1, 0));
        assertEquals(0.001, Optimizers.adamW().learningRate().at(1, 0));
        assertEquals(0.001, Optimizers.rmsprop().learningRate().at(1, 0));
        assertEquals(0.001, Optimizers.adagrad().learningRate().at(1, 0));
        assertEquals(0, Optimizers.sgd(0.1, 0, true).stateSlots());
    }
}
