package io.nerva.runtime.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The copying scan finds the same first NaN or infinity as the direct one, wherever it is. */
class FiniteCopyingTest {
    @Test
    void findsTheSameFirstNonFiniteAsTheDirectScan() {
        Random random = new Random(7);
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7f800001)};
        int n = 30_000;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate((long) n * Float.BYTES, 4);
            for (int trial = 0; trial < 300; trial++) {
                for (long i = 0; i < n; i++) {
                    // finite, including the largest floats and subnormals
                    float v = switch ((int) (i % 3)) {
                        case 0 -> (float) random.nextGaussian();
                        case 1 -> random.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE;
                        default -> Float.MIN_VALUE * random.nextInt(100);
                    };
                    s.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
                }
                for (int k = 0; k < trial % 5; k++) { // 0 to 4 non-finite values, anywhere or next to a block edge
                    long edge = 8192L * random.nextInt(4) + random.nextInt(3) - 1;
                    long at = random.nextBoolean() ? random.nextInt(n) : Math.max(0, Math.min(n - 1, edge));
                    s.setAtIndex(ValueLayout.JAVA_FLOAT, at, bad[random.nextInt(bad.length)]);
                }
                long from = random.nextInt(100), count = random.nextInt((int) (n - from) + 1);
                assertEquals(
                        Finite.firstNonFinite(s, from, count),
                        Finite.firstNonFiniteCopying(s, from, count),
                        "trial " + trial + ", from " + from + ", count " + count);
            }
            assertEquals(-1, Finite.firstNonFiniteCopying(s, 0, 0));
        }
    }

    /** The heap-array check (a scan when small, the segment pass when large) finds the first non-finite index. */
    @Test
    void heapArraysOfEverySizeReportTheFirstNonFinite() {
        Random random = new Random(11);
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int n : new int[] {0, 1, 784, 4095, 4096, 4097, 50_176}) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (float) random.nextGaussian();
            assertEquals(-1, Finite.firstNonFinite(values), "all finite, " + n);
            if (n == 0) continue;
            int first = random.nextInt(n);
            values[first] = bad[random.nextInt(bad.length)];
            if (first + 1 < n) values[n - 1] = Float.NaN; // a later one does not count
            assertEquals(first, Finite.firstNonFinite(values), "length " + n);
        }
    }
}
