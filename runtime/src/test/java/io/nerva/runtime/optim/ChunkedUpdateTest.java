package io.nerva.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nerva.blas.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Optimizer updates split across {@link Parallel}'s threads equal the single-threaded update bit for bit. */
class ChunkedUpdateTest {
    private static final int N = 3 * (int) ChunkedUpdate.MIN_PARALLEL + 777;
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
            float[][] one = train(opt, 1, Arena::ofShared, -1);
            float[][] two = train(opt, 2, Arena::ofShared, -1);
            assertArrayEquals(one[0], two[0], opt + ": weights");
            assertArrayEquals(one[1], two[1], opt + ": state");
        }
    }

    @Test
    void confinedBuffersUpdateOnTheirOwnThread() {
        Optimizer adam = Optimizers.adam(1e-3);
        float[][] one = train(adam, 1, Arena::ofShared, -1);
        float[][] confined = train(adam, 2, Arena::ofConfined, -1);
        assertArrayEquals(one[0], confined[0]);
    }

    @Test
    void theFirstNonFiniteParameterIsReportedWhicheverPartHadIt() {
        int bad = N - 5; // in the last part
        float[][] r = train(Optimizers.sgd(0.01), 2, Arena::ofShared, bad);
        assertEquals(bad, (long) r[2][0]);
        assertEquals(1f, r[0][bad], "the parameter keeps its old value");
    }

    /** Three steps on N parameters; returns weights, state and (with {@code infAt} ≥ 0) the first bad index. */
    private static float[][] train(Optimizer opt, int threads, Supplier<Arena> arenas, int infAt) {
        Parallel.setThreads(threads);
        Random rnd = new Random(3);
        int slots = opt.stateSlots();
        try (Arena arena = arenas.get()) {
            MemorySegment w = arena.allocate((long) N * 4), g = arena.allocate((long) N * 4);
            MemorySegment s = arena.allocate(Math.max(4L, (long) slots * N * 4));
            for (int i = 0; i < N; i++) {
                w.setAtIndex(ValueLayout.JAVA_FLOAT, i, infAt >= 0 ? 1f : (float) rnd.nextGaussian());
            }
            long first = -1;
            for (int step = 1; step <= 3; step++) {
                for (int i = 0; i < N; i++) g.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian());
                if (infAt >= 0) g.setAtIndex(ValueLayout.JAVA_FLOAT, infAt, Float.POSITIVE_INFINITY);
                first = ((Optimizers.Guarded) opt).updateGuarded(w, g, s, N, step, 1e-3);
            }
            return new float[][] {w.toArray(ValueLayout.JAVA_FLOAT), s.toArray(ValueLayout.JAVA_FLOAT), {first}};
        }
    }
}
