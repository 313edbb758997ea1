package io.nerva.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every backend against the double-precision {@link Reference}. */
class BackendsTest {
    static final int[] SIZES = {1, 3, 17, 64, 129};
    /** (alpha, beta); beta = 0 runs with C full of NaN, which must not reach the result. */
    static final float[][] SCALARS = {{0.7f, -1.3f}, {-1.3f, 0f}};

    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** How the operands are handed over: float[], off-heap segments, heap segments, or a mix. */
    enum Path {
        ARRAY,
        NATIVE,
        HEAP,
        MIXED
    }

    static Stream<Arguments> backendsAndPaths() {
        return Backends.ALL.stream().flatMap(b -> Arrays.stream(Path.values()).map(p -> Arguments.of(b, p)));
    }

    static final java.util.List<String> backends = Backends.ALL;
    static final java.util.List<String> openBlas = Backends.OPENBLAS;

    static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndPaths")
    void sgemmMatchesReference(String backend, Path path) {
        Blas blas = Backends.get(backend);
        SplittableRandom r = new SplittableRandom(42);
        int cases = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int m : SIZES)
                for (int n : SIZES)
                    for (int k : SIZES)
                        for (int t = 0; t < 4; t++)
                            for (float[] s : SCALARS) {
                                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                                float alpha = s[0], beta = s[1];
                                // leading dimensions above the minimum and offsets into the buffers
                                int aRows = ta ? k : m, aCols = ta ? m : k, lda = aCols + 3, aOff = 5;
                                int bRows = tb ? n : k, bCols = tb ? k : n, ldb = bCols + 1, bOff = 2;
                                int ldc = n + 2, cOff = 7;
                                float[] a = random(r, aOff + aRows * lda + 3);
                                float[] b = random(r, bOff + bRows * ldb + 1);
                                float[] c = random(r, cOff + m * ldc + 4);
                                if (beta == 0) Arrays.fill(c, Float.NaN);
                                float[] c0 = c.clone();
                                double[] mag = new double[m * n];
                                double[] want = Reference.sgemm(
                                        ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, mag);

                                float[] got = switch (path) {
                                    case ARRAY -> {
                                        blas.sgemm(
                                                ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                                        yield c;
                                    }
                                    default -> {
                                        MemorySegment as = segment(arena, a, path != Path.HEAP);
                                        MemorySegment bs = segment(arena, b, path == Path.NATIVE);
                                        MemorySegment cs = segment(arena, c, path != Path.HEAP);
                                        blas.sgemm(
                                                ta, tb, m, n, k, alpha, as, aOff, lda, bs, bOff, ldb, beta, cs, cOff,
                                                ldc);
                                        yield cs.toArray(F);
                                    }
                                };
                                String what = backend + " " + path + " sgemm(transA=" + ta + ", transB=" + tb + ", m="
                                        + m + ", n=" + n + ", k=" + k + ", alpha=" + alpha + ", beta=" + beta + ")";
                                for (int i = 0; i < got.length; i++) {
                                    int row = (i - cOff) / ldc, col = (i - cOff) % ldc;
                                    boolean inC = i >= cOff && row < m && col < n;
                                    if (!inC) {
                                        if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(c0[i])) {
                                            fail(what + ": wrote outside C at index " + i + " (was " + c0[i] + ", now "
                                                    + got[i] + ")");
                                        }
                                        continue;
                                    }
                                    double w = want[row * n + col];
                                    if (!(Math.abs(got[i] - w) <= Reference.tolerance(mag[row * n + col], k))) {
                                        fail(what + ": C[" + row + "][" + col + "] = " + got[i] + ", expected " + w);
                                    }
                                }
                                cases++;
                            }
        }
        assertEquals(SIZES.length * SIZES.length * SIZES.length * 4 * SCALARS.length, cases);
    }

    /** A copy of {@code data} off-heap, or a heap segment over it. */
    static MemorySegment segment(Arena arena, float[] data, boolean offHeap) {
        return offHeap ? arena.allocateFrom(F, data) : MemorySegment.ofArray(data);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndPaths")
    void sgemvMatchesReference(String backend, Path path) {
        if (path == Path.ARRAY) return; // sgemv has only the segment form; ARRAY is covered by HEAP
        Blas blas = Backends.get(backend);
        SplittableRandom r = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            for (int m : SIZES)
                for (int n : SIZES)
                    for (boolean ta : new boolean[] {false, true})
                        for (float[] s : SCALARS) {
                            float alpha = s[0], beta = s[1];
                            int lda = n + 2, aOff = 3, xOff = 1, yOff = 2;
                            int xLen = ta ? m : n, yLen = ta ? n : m;
                            float[] a = random(r, aOff + m * lda);
                            float[] x = random(r, xOff + xLen + 2);
                            float[] y = random(r, yOff + yLen + 2);
                            if (beta == 0) Arrays.fill(y, Float.NaN);
                            float[] y0 = y.clone();
                            MemorySegment as = segment(arena, a, path != Path.HEAP);
                            MemorySegment xs = segment(arena, x, path == Path.NATIVE);
                            MemorySegment ys = segment(arena, y, path != Path.HEAP);
                            blas.sgemv(ta, m, n, alpha, as, aOff, lda, xs, xOff, beta, ys, yOff);
                            float[] got = ys.toArray(F);
                            String what = backend + " " + path + " sgemv(trans=" + ta + ", m=" + m + ", n=" + n
                                    + ", beta=" + beta + ")";
                            for (int i = 0; i < got.length; i++) {
                                int yi = i - yOff;
                                if (yi < 0 || yi >= yLen) {
                                    assertEquals(
                                            Float.floatToRawIntBits(y0[i]),
                                            Float.floatToRawIntBits(got[i]),
                                            what + ": wrote outside y at " + i);
                                    continue;
                                }
                                double sum = 0, mag = 0;
                                for (int j = 0; j < xLen; j++) {
                                    double t = (ta ? a[aOff + j * lda + yi] : a[aOff + yi * lda + j])
                                            * (double) x[xOff + j];
                                    sum += t;
                                    mag += Math.abs(t);
                                }
                                double old = beta == 0 ? 0 : (double) beta * y0[i];
                                double want = alpha * sum + old;
                                double tol = Reference.tolerance(Math.abs(alpha) * mag + Math.abs(old), xLen);
                                if (!(Math.abs(got[i] - want) <= tol))
                                    fail(what + ": y[" + yi + "] = " + got[i] + ", expected " + want);
                            }
                        }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndPaths")
    void saxpyAndSscal(String backend, Path path) {
        if (path == Path.ARRAY) return;
        Blas blas = Backends.get(backend);
        SplittableRandom r = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {1, 3, 17, 1000}) {
                float[] x = random(r, n + 5), y = random(r, n + 6);
                // clones: a heap segment is a view, and x and y stay the expected "before" values
                MemorySegment xs = segment(arena, x.clone(), path != Path.HEAP);
                MemorySegment ys = segment(arena, y.clone(), path == Path.NATIVE);
                blas.saxpy(n, -0.7f, xs, 2, ys, 3);
                float[] got = ys.toArray(F);
                for (int i = 0; i < y.length; i++) {
                    float want = i >= 3 && i < 3 + n ? y[i] + -0.7f * x[i - 1] : y[i];
                    assertEquals(want, got[i], 1e-6f, backend + " " + path + " saxpy n=" + n + " at " + i);
                }
                blas.sscal(n, 1.5f, xs, 4);
                got = xs.toArray(F);
                for (int i = 0; i < x.length; i++) {
                    float want = i >= 4 && i < 4 + n ? 1.5f * x[i] : x[i];
                    assertEquals(want, got[i], 1e-6f, backend + " " + path + " sscal n=" + n + " at " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @FieldSource("backends")
    void outOfBoundsOperandsAreRejectedWithThePreciseReason(String backend) {
        Blas blas = Backends.get(backend);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(64), big = arena.allocate(4096);
            // A is m×k = 3×5 with lda 5 at offset 2: (2 + 2·5 + 5)·4 = 68 bytes > 64
            var e = assertThrows(
                    IndexOutOfBoundsException.class,
                    () -> blas.sgemm(false, false, 3, 4, 5, 1f, small, 2, 5, big, 0, 4, 0f, big, 0, 4));
            assertEquals(
                    "A (m×k = 3×5 row-major, lda=5, offset 2) needs 68 bytes but its segment has 64 bytes",
                    e.getMessage());
            // transposed B is stored n×k = 4×5, ldb 6: (3·6 + 5)·4 = 92 bytes > 64
            e = assertThrows(
                    IndexOutOfBoundsException.class,
                    () -> blas.sgemm(false, true, 3, 4, 5, 1f, big, 0, 5, small, 0, 6, 0f, big, 0, 4));
            assertEquals(
                    "B (n×k, transposed = 4×5 row-major, ldb=6, offset 0) needs 92 bytes but its segment has 64 bytes",
                    e.getMessage());
            e = assertThrows(
                    IndexOutOfBoundsException.class,
                    () -> blas.sgemm(
                            false,
                            false,
                            3,
                            5,
                            4,
                            1f,
                            new float[12],
                            0,
                            4,
                            new float[20],
                            0,
                            5,
                            0f,
                            new float[14],
                            0,
                            5));
            assertEquals(
                    "C (m×n = 3×5 row-major, ldc=5, offset 0) needs 60 bytes but its array has 56 bytes",
                    e.getMessage());
            var iae = assertThrows(
                    IllegalArgumentException.class,
                    () -> blas.sgemm(false, false, 3, 4, 5, 1f, big, 0, 4, big, 0, 4, 0f, big, 0, 4));
            assertEquals(
                    "lda must be >= max(1, 5), the row length of A (m×k = 3×5 row-major), got 4", iae.getMessage());
            iae = assertThrows(
                    IllegalArgumentException.class,
                    () -> blas.sgemm(false, false, -1, 4, 5, 1f, big, 0, 5, big, 0, 4, 0f, big, 0, 4));
            assertEquals("m must be >= 0, got -1", iae.getMessage());
            e = assertThrows(
                    IndexOutOfBoundsException.class,
                    () -> blas.sgemv(true, 4, 3, 1f, big, 0, 3, small, 13, 0f, big, 0));
            assertEquals("x (m = 4 floats, offset 13) needs 68 bytes but its segment has 64 bytes", e.getMessage());
            e = assertThrows(IndexOutOfBoundsException.class, () -> blas.saxpy(10, 1f, big, 0, small, 7));
            assertEquals("y (n = 10 floats, offset 7) needs 68 bytes but its segment has 64 bytes", e.getMessage());
            e = assertThrows(IndexOutOfBoundsException.class, () -> blas.sscal(1, 1f, small, -1));
            assertEquals("x offset must be >= 0, got -1", e.getMessage());
            iae = assertThrows(
                    IllegalArgumentException.class,
                    () -> blas.sgemm(false, false, 2, 2, 2, 1f, big, 0, 2, big, 0, 2, 0f, big.asReadOnly(), 0, 2));
            assertEquals("C is written but its segment is read-only", iae.getMessage());
        }
    }

    /**
     * The off-heap path binds pointers as JAVA_LONG so that a call allocates nothing. Measured with
     * the per-thread allocation counter after warm-up (C2 compiles the call sites): fewer than one
     * byte per call on average, i.e. not even one small object per several hundred calls.
     */
    @ParameterizedTest
    @FieldSource("openBlas")
    void offHeapCallsDoNotAllocate(String backend) {
        Blas blas = Backends.get(backend);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4 * 64), b = arena.allocate(4 * 64), c = arena.allocate(4 * 64);
            a.fill((byte) 1);
            b.fill((byte) 1);
            int calls = 20_000;
            for (int round = 0; round < 3; round++) { // rounds 0 and 1 warm up
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < calls; i++) {
                    blas.sgemm(i % 2 == 0, false, 4, 4, 4, 0.5f, a, 1, 4, b, 2, 4, 0f, c, 3, 4);
                    blas.sgemv(true, 4, 8, 0.5f, a, 0, 8, b, 0, 0f, c, 0);
                    blas.saxpy(16, 0.5f, a, 0, c, 0);
                    blas.sscal(16, 0.5f, c, 0);
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                if (round == 2) {
                    assertTrue(
                            allocated < 4L * calls,
                            backend + ": " + allocated + " bytes allocated by " + 4 * calls + " off-heap calls");
                }
            }
        }
    }

    @ParameterizedTest
    @FieldSource("openBlas")
    void threadsCanBeSetAndRead(String backend) {
        Blas blas = Backends.get(backend);
        int before = blas.threads();
        assertTrue(before >= 1, "threads() = " + before);
        try {
            blas.setThreads(1);
            assertEquals(1, blas.threads());
            blas.setThreads(before);
            assertEquals(before, blas.threads());
        } finally {
            blas.setThreads(before);
        }
        assertThrows(IllegalArgumentException.class, () -> blas.setThreads(0));
    }

    @ParameterizedTest
    @FieldSource("openBlas")
    void reportsItsOriginVersionAndIntegerWidth(String backend) {
        OpenBlas blas = (OpenBlas) Backends.get(backend);
        assertEquals(backend, blas.origin());
        assertTrue(blas.name().startsWith("OpenBLAS " + blas.version() + " (" + backend + ", /"), blas.name());
        assertTrue(
                blas.version().matches("\\d+\\.\\d+\\.\\d+.*"), "version " + blas.version() + " from " + blas.config());
        assertTrue(blas.config().startsWith("OpenBLAS "), blas.config());
        if (backend.equals("bytedeco")) {
            assertTrue(blas.path().startsWith(Backends.CACHE), blas.path() + " not under " + Backends.CACHE);
        } else {
            assertTrue(
                    !blas.path().startsWith(Backends.CACHE),
                    "system backend resolved to the bytedeco copy " + blas.path());
        }
    }
}
