package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.runtime.Mem;
import io.nerva.runtime.core.Rng;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DropoutTest {
    private static final int N = 100_000;

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
