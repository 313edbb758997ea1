package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.blas.Parallel;
import io.nerva.runtime.kernels.ConvKernels.Geometry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Convolution and pooling passes split by samples give the bits of the whole call. */
class SamplePartsTest {
    private int saved;

    @BeforeEach
    void twoThreads() {
        saved = Parallel.threads();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    /** Every pass, on a one-channel (staged) and a many-channel input, SAME and VALID, 1 vs 2 threads. */
    @Test
    void splitPassesEqualWholeOnes() {
        Geometry[] convs = {
            Geometry.keras(28, 28, 1, 3, 3, 1, 1, 1, 1, true), Geometry.keras(13, 13, 32, 3, 3, 1, 1, 1, 1, false)
        };
        Geometry[] pools = {
            Geometry.keras(26, 26, 32, 2, 2, 2, 2, 1, 1, false), Geometry.keras(11, 11, 16, 3, 3, 2, 2, 1, 1, true)
        };
        for (Geometry g : convs) {
            float[][] one = conv(g, 1, Arena.ofShared()), two = conv(g, 2, Arena.ofShared());
            for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], two[i], g + " output " + i);
            float[][] confined = conv(g, 2, Arena.ofConfined());
            for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], confined[i], "confined " + g);
        }
        for (Geometry g : pools) {
            float[][] one = pool(g, 1, Arena.ofShared()), two = pool(g, 2, Arena.ofShared());
            for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], two[i], g + " output " + i);
        }
    }

    private static final int ROWS = 9;

    private static float[][] conv(Geometry g, int threads, Arena arena) {
        Parallel.setThreads(threads);
        try (arena) {
            long m = (long) ROWS * g.oh() * g.ow() * g.patch(), n = (long) ROWS * g.inSize();
            assertTrue(m >= SampleParts.MIN_FLOATS, "big enough to split");
            MemorySegment x = random(arena, n, 1), cols = arena.allocate(m * 4), y = random(arena, m, 2);
            MemorySegment back = arena.allocate(n * 4);
            back.fill((byte) 0x7f); // garbage: col2im must clear its samples
            ConvKernels.im2col(g, x, cols, ROWS);
            ConvKernels.col2im(g, y, back, ROWS);
            return new float[][] {cols.toArray(ValueLayout.JAVA_FLOAT), back.toArray(ValueLayout.JAVA_FLOAT)};
        }
    }

    private static float[][] pool(Geometry g, int threads, Arena arena) {
        Parallel.setThreads(threads);
        try (arena) {
            long out = (long) ROWS * g.oh() * g.ow() * g.c(), in = (long) ROWS * g.inSize();
            MemorySegment x = random(arena, in, 3), y = arena.allocate(out * 4), arg = arena.allocate(out * 4);
            MemorySegment dy = random(arena, out, 4), dx = arena.allocate(in * 4);
            PoolKernels.maxForward(g, x, y, arg, ROWS);
            PoolKernels.maxBackward(g, dy, arg, dx, ROWS);
            float[] args = new float[(int) out];
            for (int i = 0; i < out; i++) args[i] = arg.getAtIndex(ValueLayout.JAVA_INT, i);
            return new float[][] {y.toArray(ValueLayout.JAVA_FLOAT), args, dx.toArray(ValueLayout.JAVA_FLOAT)};
        }
    }

    /**
     * The fused ReLU passes of convolutions, split by rows (forward) and by rows within every tile
     * (backward, whose bias sums keep their order): the bits of one thread, bias gradient included;
     * rows not a multiple of a tile, and NaN, infinite and zero values for the exact path.
     */
    @Test
    void splitReluPassesEqualWholeOnes() {
        for (int cout : new int[] {32, 64, 5}) {
            int m = 9 * 676 + 3; // pixels of 9 samples and a partial tile
            float[][] one = relu(m, cout, 1), two = relu(m, cout, 2);
            for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], two[i], cout + " channels, output " + i);
        }
    }

    private static float[][] relu(int m, int cout, int threads) {
        Parallel.setThreads(threads);
        try (Arena arena = Arena.ofShared()) {
            long n = (long) m * cout;
            MemorySegment out = random(arena, n, 5), params = random(arena, cout + 3, 6), grad = random(arena, n, 7);
            out.setAtIndex(ValueLayout.JAVA_FLOAT, 100, Float.NaN);
            out.setAtIndex(ValueLayout.JAVA_FLOAT, 7 * cout, 0f);
            grad.setAtIndex(ValueLayout.JAVA_FLOAT, 7 * cout, Float.POSITIVE_INFINITY); // ∞ at a zero output: masked
            ConvKernels.biasRelu(out, params, 3, m, cout);
            MemorySegment grads = arena.allocate(4L * (cout + 2));
            ConvKernels.reluBackward(out, grad, m, cout, grads, 2);
            return new float[][] {
                out.toArray(ValueLayout.JAVA_FLOAT),
                grad.toArray(ValueLayout.JAVA_FLOAT),
                grads.toArray(ValueLayout.JAVA_FLOAT)
            };
        }
    }

    private static MemorySegment random(Arena arena, long n, long seed) {
        Random r = new Random(seed);
        MemorySegment s = arena.allocate(n * 4);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        return s;
    }
}
