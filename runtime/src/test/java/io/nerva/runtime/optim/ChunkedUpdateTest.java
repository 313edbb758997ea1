package io.nerva.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.blas.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Optimizer updates split across {@link Parallel}'s threads, by contiguous chunks or by the rows of
 * each tensor, equal the single-threaded update bit for bit.
 */
class ChunkedUpdateTest {
    private static final int N = 3 * (int) ChunkedUpdate.MIN_PARALLEL + 777;
    /** A Dense kernel, its bias, a convolution kernel, a 10-float bias (a short chunk): N floats in all. */
    private static final TensorRows TENSORS = TensorRows.of(
            new int[] {700, 128}, new int[] {128}, new int[] {3, 3, 8, 64}, new int[] {4735}, new int[] {10});

    private int saved;

    @BeforeEach
    void save() {
        saved = Parallel.threads();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void everyOptimizerGivesTheSameBitsOnOneAndTwoThreads() {
        for (Optimizer opt : new Optimizer[] {
            Optimizers.adam(1e-3),
            Optimizers.adamW(1e-3, 0.004),
            Optimizers.sgd(0.01),
            Optimizers.sgd(0.01, 0.9, false),
            Optimizers.sgd(0.01, 0.9, true),
            Optimizers.rmsprop(1e-3),
            Optimizers.adagrad(1e-2)
        }) {
            float[][] one = train(opt, 1, Arena::ofShared, null);
            float[][] two = train(opt, 2, Arena::ofShared, null);
            assertArrayEquals(one[0], two[0], opt + ": weights");
            assertArrayEquals(one[1], two[1], opt + ": state");
            for (int threads = 1; threads <= 3; threads++) {
                float[][] byRows = train(opt, threads, Arena::ofShared, null, TENSORS);
                assertArrayEquals(one[0], byRows[0], opt + ": weights split by tensor rows on " + threads);
                assertArrayEquals(one[1], byRows[1], opt + ": state split by tensor rows on " + threads);
            }
        }
    }

    @Test
    void tensorRowsFollowTheProductsRowBlocks() {
        assertEquals(N, TENSORS.count());
        // the Dense kernel: 700 rows of 128 in two blocks at the products' edge; the bias stays whole in part 0
        int edge = Parallel.blockStart(1, 700, 2);
        assertEquals(0, TENSORS.start(0, 0, 2));
        assertEquals((long) edge * 128, TENSORS.start(0, 1, 2));
        assertEquals(700L * 128, TENSORS.start(0, 2, 2));
        assertEquals(700L * 128, TENSORS.start(1, 0, 2));
        assertEquals(700L * 128 + 128, TENSORS.start(1, 1, 2));
        // the convolution kernel: 3·3·8 = 72 rows of 64
        assertEquals(700L * 128 + 128 + (long) Parallel.blockStart(1, 72, 2) * 64, TENSORS.start(2, 1, 2));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TensorRows.of(new int[] {3, 0}));
        assertTrue(e.getMessage().contains("[3, 0]"), e.getMessage());
        IllegalArgumentException count = assertThrows(
                IllegalArgumentException.class,
                () -> ((Optimizers.Guarded) Optimizers.adam(1e-3))
                        .updateGuarded(
                                MemorySegment.ofArray(new float[N]),
                                MemorySegment.ofArray(new float[N]),
                                MemorySegment.ofArray(new float[2 * N]),
                                N - 1,
                                1,
                                1e-3,
                                TENSORS));
        assertTrue(count.getMessage().contains("the tensors hold " + N + " parameters, the buffer " + (N - 1)));
    }

    @Test
    void confinedBuffersUpdateOnTheirOwnThread() {
        Optimizer adam = Optimizers.adam(1e-3);
        float[][] one = train(adam, 1, Arena::ofShared, null);
        float[][] confined = train(adam, 2, Arena::ofConfined, null);
        assertArrayEquals(one[0], confined[0]);
        assertArrayEquals(one[0], train(adam, 2, Arena::ofConfined, null, TENSORS)[0]);
    }

    @Test
    void theFirstNonFiniteParameterIsReportedWhicheverPartHadIt() {
        int bad = N - 5; // in the last part
        float[][] r = train(Optimizers.sgd(0.01), 2, Arena::ofShared, new int[] {bad});
        assertEquals(bad, (long) r[2][0]);
        assertEquals(1f, r[0][bad], "the parameter keeps its old value");
        // split by rows, part 1 holds the Dense kernel's last rows and part 0 the 10-float bias after
        // them: the smaller index is reported, though part 0 reaches its own first
        int inPart1 = 699 * 128, inPart0 = N - 3;
        float[][] byRows = train(Optimizers.adam(1e-3), 2, Arena::ofShared, new int[] {inPart0, inPart1}, TENSORS);
        assertEquals(inPart1, (long) byRows[2][0]);
        assertEquals(1f, byRows[0][inPart1]);
        assertEquals(1f, byRows[0][inPart0]);
    }

    private static float[][] train(Optimizer opt, int threads, Supplier<Arena> arenas, int[] infAt) {
        return train(opt, threads, arenas, infAt, null);
    }

    /**
     * Three steps on N parameters (split by {@code tensors} when not null); returns weights, state
     * and (with {@code infAt}) the first bad index.
     */
    private static float[][] train(
            Optimizer opt, int threads, Supplier<Arena> arenas, int[] infAt, TensorRows tensors) {
        Parallel.setThreads(threads);
        Random rnd = new Random(3);
        int slots = opt.stateSlots();
        try (Arena arena = arenas.get()) {
            MemorySegment w = arena.allocate((long) N * 4), g = arena.allocate((long) N * 4);
            MemorySegment s = arena.allocate(Math.max(4L, (long) slots * N * 4));
            for (int i = 0; i < N; i++) {
                w.setAtIndex(ValueLayout.JAVA_FLOAT, i, infAt != null ? 1f : (float) rnd.nextGaussian());
            }
            long first = -1;
            for (int step = 1; step <= 3; step++) {
                for (int i = 0; i < N; i++) g.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian());
                if (infAt != null)
                    for (int at : infAt) g.setAtIndex(ValueLayout.JAVA_FLOAT, at, Float.POSITIVE_INFINITY);
                first = ((Optimizers.Guarded) opt).updateGuarded(w, g, s, N, step, 1e-3, tensors);
            }
            return new float[][] {w.toArray(ValueLayout.JAVA_FLOAT), s.toArray(ValueLayout.JAVA_FLOAT), {first}};
        }
    }
}
