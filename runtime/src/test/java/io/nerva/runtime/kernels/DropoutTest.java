package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.runtime.Mem;
import io.nerva.runtime.core.Rng;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DropoutTest {
    private static final int N = 100_000;

    /**
     * A large mask drawn on one or two threads holds exactly the values of one nextFloat per value,
     * in order, and leaves the Rng where those draws would have.
     */
    @Test
    void aLargeMaskEqualsSequentialDrawsOnAnyThreadCount() {
        int saved = io.nerva.blas.Parallel.threads();
        long n = 100_003;
        float rate = 0.3f;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            MemorySegment x = arena.allocate(4 * n), y = arena.allocate(4 * n), mask = arena.allocate(4 * n);
            for (long i = 0; i < n; i++) x.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f + i % 7);
            Rng reference = new Rng(11);
            float[] want = new float[(int) n];
            for (int i = 0; i < n; i++) want[i] = reference.nextFloat() < rate ? 0f : 1f / (1f - rate);
            for (int threads = 1; threads <= 2; threads++) {
                io.nerva.blas.Parallel.setThreads(threads);
                Rng rng = new Rng(11);
                Dropout.forward(x, y, mask, n, rate, rng, true);
                assertArrayEquals(want, mask.toArray(ValueLayout.JAVA_FLOAT), "mask on " + threads + " thread(s)");
                assertEquals(reference.state(), rng.state(), "the Rng after the draws");
                for (long i = 0; i < n; i += 997) {
                    assertEquals((1f + i % 7) * want[(int) i], y.getAtIndex(ValueLayout.JAVA_FLOAT, i), "y[" + i + "]");
                }
            }
        } finally {
            io.nerva.blas.Parallel.setThreads(saved);
        }
    }

    @Test
    void maskStatisticsAndScale() {
        float rate = 0.3f;
        MemorySegment x = Mem.filled(N, 1f), y = Mem.zeros(N), mask = Mem.zeros(N);
        Dropout.forward(x, y, mask, N, rate, new Rng(1), true);
        float scale = 1f / (1f - rate);
        long zeros = 0;
        double sumY = 0;
        for (int i = 0; i < N; i++) {
            float m = Mem.at(mask, i);
            assertTrue(m == 0f || m == scale, "mask value " + m);
            assertEquals(m, Mem.at(y, i));
            if (m == 0f) zeros++;
            sumY += Mem.at(y, i);
        }
        // binomial: sd of the zero fraction = sqrt(0.21/1e5) ≈ 0.00145, so 0.01 is ~7 sd
        assertEquals(rate, zeros / (double) N, 0.01);
        // E[y] = x = 1; sd of the mean ≈ scale·sqrt(rate(1-rate))/sqrt(N) ≈ 0.002
        assertEquals(1.0, sumY / N, 0.01);
    }

    @Test
    void reusesMaskWhenNotNewAndBackwardUsesMask() {
        int n = 1000;
        Random rnd = new Random(2);
        MemorySegment x = Mem.of(Mem.uniform(rnd, n, -1, 1)), y = Mem.zeros(n), mask = Mem.zeros(n);
        Rng rng = new Rng(9);
        Dropout.forward(x, y, mask, n, 0.5f, rng, true);
        float[] first = Mem.get(mask, n);
        long state = rng.state();
        MemorySegment x2 = Mem.of(Mem.uniform(rnd, n, -1, 1));
        Dropout.forward(x2, y, mask, n, 0.5f, rng, false);
        assertArrayEquals(first, Mem.get(mask, n));
        assertEquals(state, rng.state(), "no random numbers drawn for a reused mask");
        for (int i = 0; i < n; i++) assertEquals(Mem.at(x2, i) * first[i], Mem.at(y, i));

        MemorySegment dy = Mem.of(Mem.uniform(rnd, n, -1, 1)), dx = Mem.zeros(n);
        Dropout.backward(dy, dx, mask, n);
        for (int i = 0; i < n; i++) assertEquals(Mem.at(dy, i) * first[i], Mem.at(dx, i));
        Dropout.backward(dy, dy, mask, n); // in place
        assertArrayEquals(Mem.get(dx, n), Mem.get(dy, n));
    }

    @Test
    void deterministicForASeedAndRateZeroIsIdentity() {
        int n = 257;
        MemorySegment x = Mem.filled(n, 2f), m1 = Mem.zeros(n), m2 = Mem.zeros(n), y = Mem.zeros(n);
        Dropout.forward(x, y, m1, n, 0.4f, new Rng(77), true);
        Dropout.forward(x, y, m2, n, 0.4f, new Rng(77), true);
        assertArrayEquals(Mem.get(m1, n), Mem.get(m2, n));
        Dropout.forward(x, y, m1, n, 0f, new Rng(77), true);
        for (int i = 0; i < n; i++) assertEquals(2f, Mem.at(y, i));
        assertThrows(IllegalArgumentException.class, () -> Dropout.forward(x, y, m1, n, 1f, new Rng(1), true));
        assertThrows(IllegalArgumentException.class, () -> Dropout.forward(x, y, m1, n, -0.1f, new Rng(1), true));
    }
}
