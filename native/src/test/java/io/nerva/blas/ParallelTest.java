package io.nerva.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Nerva's own threads ({@link Parallel}) and the products they split ({@link GemmSplit}). */
class ParallelTest {
    private int savedThreads;

    @BeforeEach
    void twoThreads() {
        savedThreads = Parallel.threads();
        Parallel.setThreads(2);
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
    }

    @Test
    void everyPartRunsExactlyOnce() {
        for (int parts = 1; parts <= 7; parts++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(parts);
            int n = parts;
            for (int rep = 0; rep < 200; rep++) {
                Parallel.run(
                        (p, total) -> {
                            assertEquals(n, total);
                            runs.incrementAndGet(p);
                        },
                        parts);
            }
            for (int p = 0; p < parts; p++) assertEquals(200, runs.get(p), "part " + p + " of " + parts);
        }
    }

    /**
     * Tasks of different part counts back to back: a worker that saw one task must never run a part
     * of it after it ended, nor count a part of it as one of the next task's (it once read the next
     * task's part count with the old task, claimed a part past the old task's end, and ran it).
     */
    @Test
    void aWorkerNeverRunsAPartOfATaskThatEnded() {
        Parallel.setThreads(4);
        final class Counted implements Parallel.Task {
            final int parts;
            final AtomicIntegerArray runs;
            volatile boolean running;
            int strays;

            Counted(int parts) {
                this.parts = parts;
                this.runs = new AtomicIntegerArray(parts);
            }

            @Override
            public void run(int part, int total) {
                if (!running || total != parts || part >= parts) {
                    synchronized (this) {
                        strays++;
                    }
                    return;
                }
                runs.incrementAndGet(part);
            }
        }
        Counted[] tasks = {new Counted(2), new Counted(7), new Counted(3)};
        int reps = 3_000_000;
        for (int rep = 0; rep < reps; rep++) {
            Counted t = tasks[rep % tasks.length];
            t.running = true;
            Parallel.run(t, t.parts);
            t.running = false;
        }
        for (Counted t : tasks) {
            synchronized (t) {
                assertEquals(0, t.strays, "parts run outside their task (of " + t.parts + ")");
            }
            for (int p = 0; p < t.parts; p++)
                assertEquals(reps / tasks.length, t.runs.get(p), "runs of part " + p + " of " + t.parts);
        }
    }

    @Test
    void aTaskOfTooManyPartsIsRefusedWithItsCount() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Parallel.run((p, n) -> {}, Parallel.MAX_PARTS + 1));
        assertTrue(e.getMessage().contains("at most 65535 parts, got 65536"), e.getMessage());
        AtomicIntegerArray runs = new AtomicIntegerArray(Parallel.MAX_PARTS);
        Parallel.run((p, n) -> runs.incrementAndGet(p), Parallel.MAX_PARTS);
        for (int p = 0; p < Parallel.MAX_PARTS; p++) assertEquals(1, runs.get(p), "part " + p);
    }

    @Test
    void aFailingPartIsRethrownAndThePoolStaysUsable() {
        IllegalStateException boom = new IllegalStateException("part 1 failed");
        for (int rep = 0; rep < 50; rep++) {
            IllegalStateException thrown = assertThrows(
                    IllegalStateException.class,
                    () -> Parallel.run(
                            (p, n) -> {
                                if (p == 1) throw boom;
                            },
                            2));
            assertSame(boom, thrown);
        }
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        Parallel.run((p, n) -> runs.incrementAndGet(p), 2);
        assertEquals(1, runs.get(0));
        assertEquals(1, runs.get(1));
    }

    @Test
    void aNestedTaskRunsOnTheThreadThatStartedIt() {
        AtomicIntegerArray foreign = new AtomicIntegerArray(1);
        Parallel.run(
                (p, n) -> {
                    Thread outer = Thread.currentThread();
                    Parallel.run(
                            (q, m) -> {
                                if (Thread.currentThread() != outer) foreign.incrementAndGet(0);
                            },
                            2);
                },
                2);
        assertEquals(0, foreign.get(0));
    }

    @Test
    void splitEdgesAreOrderedAlignedAndCoverTheRange() {
        for (int len : new int[] {1, 15, 33, 64, 100, 128, 784, 1792}) {
            for (int parts = 1; parts <= 4; parts++) {
                assertEquals(0, Parallel.blockStart(0, len, parts));
                assertEquals(len, Parallel.blockStart(parts, len, parts));
                for (int p = 1; p < parts; p++) {
                    int e = Parallel.blockStart(p, len, parts);
                    assertTrue(e >= Parallel.blockStart(p - 1, len, parts) && e <= len, len + "/" + parts);
                    assertTrue(e % 16 == 0 || e == len, "edge " + e);
                }
            }
        }
    }

    @Test
    void weightShapedProductsAreCutAlongTheWeightsRows() {
        assertEquals(GemmSplit.Cut.DEPTH, GemmSplit.cut(false, false, 64, 128, 784, true)); // X·W
        assertEquals(GemmSplit.Cut.ROWS, GemmSplit.cut(true, false, 784, 128, 64, true)); // Xᵀ·dZ
        assertEquals(GemmSplit.Cut.COLUMNS, GemmSplit.cut(false, true, 64, 784, 128, true)); // dZ·Wᵀ
        assertEquals(GemmSplit.Cut.ROWS, GemmSplit.cut(true, false, 128, 512, 64, true)); // a widening layer's dW
        assertEquals(
                GemmSplit.Cut.COLUMNS, GemmSplit.cut(false, false, 64, 128, 784, false)); // heap arrays: no partials
        assertEquals(GemmSplit.Cut.ROWS, GemmSplit.cut(false, false, 1792, 512, 128, true)); // a tall A is no batch
        // too few weight rows to split in two: the longer side of C, as before
        assertEquals(GemmSplit.Cut.COLUMNS, GemmSplit.cut(true, false, 28, 512, 1792, true)); // an LSTM's dW
        assertEquals(GemmSplit.Cut.ROWS, GemmSplit.cut(false, true, 1792, 28, 512, true)); // its dX
    }

    /** The depth cut over 3 threads, C contiguous (one sum per partial): equals the oracle with beta. */
    @Test
    void aDepthCutOnThreeThreadsEqualsTheReference() {
        Parallel.setThreads(3);
        int m = 48, n = 96, k = 700;
        assertEquals(3, GemmSplit.parts(GemmSplit.Cut.DEPTH, m, n, k));
        Random rnd = new Random(5);
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = random(rnd, m * n);
        double[] mag = new double[m * n];
        double[] want = Reference.sgemm(false, false, m, n, k, 0.5f, a, 0, k, b, 0, n, 2f, c, 0, n, mag);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment sc = copy(arena, c);
            Backends.get("system")
                    .sgemm(false, false, m, n, k, 0.5f, copy(arena, a), 0, k, copy(arena, b), 0, n, 2f, sc, 0, n);
            for (int i = 0; i < m * n; i++) {
                assertEquals(
                        want[i],
                        sc.getAtIndex(ValueLayout.JAVA_FLOAT, i),
                        Reference.tolerance(mag[i], k),
                        "C[" + i + "]");
            }
        }
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(64, 128, 784, false, false),
                Arguments.of(784, 128, 64, true, false),
                Arguments.of(64, 512, 128, false, false),
                Arguments.of(64, 128, 512, false, true),
                Arguments.of(200, 70, 90, true, true),
                Arguments.of(33, 300, 40, false, true),
                Arguments.of(97, 97, 97, true, false));
    }

    /** A split product (rows or columns, offsets, padded leading dimensions, beta) equals the oracle. */
    @ParameterizedTest
    @MethodSource("shapes")
    void splitProductsMatchTheReference(int m, int n, int k, boolean ta, boolean tb) {
        assertTrue((long) m * n * k >= GemmSplit.MIN_MULTIPLY_ADDS, "the shape must be split");
        Blas blas = Backends.get("system");
        Random rnd = new Random(m * 31L + n);
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 7;
        int aOff = 11, bOff = 13, cOff = 17;
        float[] a = random(rnd, aOff + (ta ? k : m) * lda), b = random(rnd, bOff + (tb ? n : k) * ldb);
        float[] c = random(rnd, cOff + m * ldc);
        double[] mag = new double[m * n];
        double[] want = Reference.sgemm(ta, tb, m, n, k, 0.5f, a, aOff, lda, b, bOff, ldb, 2f, c, cOff, ldc, mag);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment sa = copy(arena, a), sb = copy(arena, b), sc = copy(arena, c);
            blas.sgemm(ta, tb, m, n, k, 0.5f, sa, aOff, lda, sb, bOff, ldb, 2f, sc, cOff, ldc);
            float[] got = sc.toArray(ValueLayout.JAVA_FLOAT);
            float[] onArrays = c.clone();
            blas.sgemm(ta, tb, m, n, k, 0.5f, a, aOff, lda, b, bOff, ldb, 2f, onArrays, cOff, ldc);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double tol = Reference.tolerance(mag[i * n + j], k);
                    int at = cOff + i * ldc + j;
                    assertEquals(want[i * n + j], got[at], tol, "segments C[" + i + "," + j + "]");
                    assertEquals(want[i * n + j], onArrays[at], tol, "arrays C[" + i + "," + j + "]");
                }
            }
            // padding between and around the rows stays untouched
            for (int i = 0; i < m; i++) {
                for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                    assertEquals(c[cOff + i * ldc + j], got[cOff + i * ldc + j], "padding");
                }
            }
        }
    }

    @Test
    void confinedSegmentsAreMultipliedOnTheirOwnThread() {
        Blas blas = Backends.get("system");
        int m = 64, n = 128, k = 784;
        Random rnd = new Random(7);
        float[] a = random(rnd, m * k), b = random(rnd, k * n);
        double[] mag = new double[m * n];
        double[] want = Reference.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, new float[m * n], 0, n, mag);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sc = arena.allocate((long) m * n * 4);
            blas.sgemm(false, false, m, n, k, 1f, copy(arena, a), 0, k, copy(arena, b), 0, n, 0f, sc, 0, n);
            for (int i = 0; i < m * n; i++) {
                assertEquals(want[i], sc.getAtIndex(ValueLayout.JAVA_FLOAT, i), Reference.tolerance(mag[i], k));
            }
        }
    }

    /** oneDNN runs one OpenMP thread per call on every thread that multiplies: the threads are Nerva's. */
    @Test
    void oneDnnRunsOneOpenMpThreadOnTheCallerAndOnTheWorkers() throws Exception {
        Blas blas = Backends.get("onednn");
        float[] a = new float[256 * 256], b = new float[256 * 256], c = new float[256 * 256];
        blas.sgemm(
                false, false, 256, 256, 256, 1f, a, 0, 256, b, 0, 256, 0f, c, 0,
                256); // split: the worker multiplies too
        assertEquals(1, OneDnnGemm.openMpThreadsOfThisThread());
        int[] onWorker = {0};
        Parallel.run(
                (p, n) -> {
                    if (p == 1) {
                        blas.sgemm(
                                false, false, 64, 64, 40, 1f, a, 0, 40, b, 0, 64, 0f, c, 0, 64); // oneDNN's, not split
                        onWorker[0] = OneDnnGemm.openMpThreadsOfThisThread();
                    }
                },
                2);
        assertEquals(1, onWorker[0]);
        Thread fresh = new Thread(() -> {
            blas.sgemm(false, false, 64, 64, 40, 1f, a, 0, 40, b, 0, 64, 0f, c, 0, 64); // oneDNN's, not split
            onWorker[0] = OneDnnGemm.openMpThreadsOfThisThread();
        });
        fresh.start();
        fresh.join();
        assertEquals(1, onWorker[0], "a thread's first product pins it");
    }

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }

    private static MemorySegment copy(Arena arena, float[] v) {
        MemorySegment s = arena.allocate((long) v.length * 4, 64);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT, 0, v.length);
        return s;
    }
}
