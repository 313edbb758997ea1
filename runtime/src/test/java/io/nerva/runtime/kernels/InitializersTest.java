package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.Initializer;
import io.nerva.runtime.Mem;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Rng;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class InitializersTest {
    private static final int FAN_IN = 300, FAN_OUT = 200, N = FAN_IN * FAN_OUT, OFF = 4;

    static ParamSpec spec(Initializer init, float value) {
        return new ParamSpec("d.kernel", new int[] {FAN_IN, FAN_OUT}, OFF, init, value, FAN_IN, FAN_OUT);
    }

    static double expectedVariance(Initializer init) {
        return switch (init) {
            case GLOROT_UNIFORM, GLOROT_NORMAL -> 2.0 / (FAN_IN + FAN_OUT);
            case HE_UNIFORM, HE_NORMAL -> 2.0 / FAN_IN;
            case LECUN_UNIFORM, LECUN_NORMAL -> 1.0 / FAN_IN;
            default -> 0;
        };
    }

    @ParameterizedTest
    @EnumSource(
            value = Initializer.class,
            names = {"GLOROT_UNIFORM", "HE_UNIFORM", "LECUN_UNIFORM", "GLOROT_NORMAL", "HE_NORMAL", "LECUN_NORMAL"})
    void varianceScalingStatistics(Initializer init) {
        MemorySegment v = Mem.filled(OFF + N + 3, 9f);
        Initializers.fill(spec(init, 0), v, new Rng(123));
        double var = expectedVariance(init);
        assertEquals(var, Initializers.variance(spec(init, 0)), 1e-15);
        boolean uniform = init.name().endsWith("UNIFORM");
        // uniform: |w| ≤ limit = √(3·var); truncated normal: |w| ≤ 2σ with σ = √var / 0.8796…
        double bound = uniform ? Math.sqrt(3 * var) : 2 * Math.sqrt(var) / 0.87962566103423978;
        double sum = 0, sq = 0, maxAbs = 0;
        for (int i = 0; i < N; i++) {
            double w = Mem.at(v, OFF + i);
            sum += w;
            sq += w * w;
            maxAbs = Math.max(maxAbs, Math.abs(w));
        }
        assertTrue(maxAbs <= bound * (1 + 1e-6), init + ": max |w| " + maxAbs + " > bound " + bound);
        assertTrue(maxAbs > 0.98 * bound, init + ": max |w| " + maxAbs + " far below bound " + bound);
        double mean = sum / N;
        double variance = sq / N - mean * mean;
        // sd of a variance estimate over 60000 samples is ≤ 0.6% for these light-tailed laws; allow 3%
        assertEquals(var, variance, 0.03 * var, init + " variance");
        assertEquals(0, mean, 5 * Math.sqrt(var / N), init + " mean");
        assertEquals(9f, Mem.at(v, OFF - 1), "before the tensor untouched");
        assertEquals(9f, Mem.at(v, OFF + N), "after the tensor untouched");
    }

    @Test
    void glorotUniformLimitAndUniformVariance() {
        MemorySegment v = Mem.zeros(OFF + N);
        Initializers.fill(spec(Initializer.GLOROT_UNIFORM, 0), v, new Rng(5));
        double limit = Math.sqrt(6.0 / (FAN_IN + FAN_OUT));
        double sq = 0;
        for (int i = 0; i < N; i++) {
            float w = Mem.at(v, OFF + i);
            assertTrue(Math.abs(w) <= limit);
            sq += (double) w * w;
        }
        assertEquals(limit * limit / 3, sq / N, 0.02 * limit * limit / 3);
    }

    @Test
    void constantsAndDeterminism() {
        MemorySegment v = Mem.filled(OFF + N, 7f);
        Initializers.fill(spec(Initializer.ZEROS, 0), v, new Rng(1));
        assertEquals(0f, Mem.at(v, OFF));
        assertEquals(0f, Mem.at(v, OFF + N - 1));
        assertEquals(7f, Mem.at(v, OFF - 1));
        Initializers.fill(spec(Initializer.ONES, 0), v, new Rng(1));
        assertEquals(1f, Mem.at(v, OFF + 17));
        Initializers.fill(spec(Initializer.CONSTANT, 0.25f), v, new Rng(1));
        assertEquals(0.25f, Mem.at(v, OFF + N - 1));

        MemorySegment a = Mem.zeros(OFF + N), b = Mem.zeros(OFF + N), c = Mem.zeros(OFF + N);
        Initializers.fill(spec(Initializer.HE_NORMAL, 0), a, new Rng(42));
        Initializers.fill(spec(Initializer.HE_NORMAL, 0), b, new Rng(42));
        Initializers.fill(spec(Initializer.HE_NORMAL, 0), c, new Rng(43));
        assertArrayEquals(Mem.get(a, OFF + N), Mem.get(b, OFF + N));
        assertFalse(java.util.Arrays.equals(Mem.get(a, OFF + N), Mem.get(c, OFF + N)));
    }

    /** Keras' Orthogonal on a square recurrent kernel, a tall and a wide one: QᵀQ = I on the short side. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"8, 8", "12, 4", "4, 12", "128, 512"})
    void orthogonalHasOrthonormalColumnsOrRows(int rows, int cols) {
        ParamSpec s =
                new ParamSpec("r.recurrent_kernel", new int[] {rows, cols}, OFF, Initializer.ORTHOGONAL, 0, rows, cols);
        MemorySegment v = Mem.filled(OFF + rows * cols, 9f);
        Initializers.fill(s, v, new Rng(5));
        boolean tall = rows >= cols;
        int k = Math.min(rows, cols), m = Math.max(rows, cols);
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double dot = 0;
                for (int i = 0; i < m; i++) {
                    double x = tall ? Mem.at(v, OFF + i * cols + a) : Mem.at(v, OFF + a * cols + i);
                    double y = tall ? Mem.at(v, OFF + i * cols + b) : Mem.at(v, OFF + b * cols + i);
                    dot += x * y;
                }
                assertEquals(a == b ? 1.0 : 0.0, dot, 1e-5, "vectors " + a + ", " + b);
            }
        }
        assertEquals(9f, Mem.at(v, OFF - 1));
    }

    @Test
    void randomUniformIsKerasDefaultRange() {
        MemorySegment v = Mem.filled(OFF + N, 9f);
        Initializers.fill(spec(Initializer.RANDOM_UNIFORM, 0), v, new Rng(3));
        double max = 0, sum = 0;
        for (int i = 0; i < N; i++) {
            max = Math.max(max, Math.abs(Mem.at(v, OFF + i)));
            sum += Mem.at(v, OFF + i);
        }
        assertTrue(max <= 0.05 && max > 0.049, "max |w| " + max);
        assertEquals(0, sum / N, 1e-3);
    }
}
