package io.nerva.bench;

import io.nerva.blas.Blas;
import io.nerva.blas.BlasLoader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * C = A·B (row-major, no transposes, beta = 0) on off-heap segments, through OpenBLAS (FFM) or
 * the pure-Java fallback. Time per product; {@link BenchMain} turns it into GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SgemmBench {
    /** M x N x K: square sizes, then the shapes of the example network's layers. */
    @Param({
        "64x64x64",
        "128x128x128",
        "256x256x256",
        "512x512x512",
        "1024x1024x1024",
        "64x128x784",
        "256x128x784",
        "1x128x784",
        "64x10x128"
    })
    public String shape;

    @Param({"1", "2"})
    public int threads;

    /** {@code openblas}: the system library (else the bundled one); {@code java}: the fallback. */
    @Param({"openblas", "java"})
    public String backend;

    private Blas blas;
    private Arena arena;
    private MemorySegment a, b, c;
    private int m, n, k;

    @Setup(Level.Trial)
    public void setUp() {
        blas = backend(backend);
        blas.setThreads(threads);
        Shapes s = Shapes.parse(shape);
        m = s.m();
        n = s.n();
        k = s.k();
        arena = Arena.ofShared();
        a = Fill.random(arena, (long) m * k, 1);
        b = Fill.random(arena, (long) k * n, 2);
        c = arena.allocate(4L * m * n, 64);
    }

    static Blas backend(String name) {
        return switch (name) {
            case "openblas" ->
                BlasLoader.system()
                        .map(Blas.class::cast)
                        .or(() -> BlasLoader.bytedeco().map(Blas.class::cast))
                        .orElseThrow(
                                () -> new IllegalStateException("no OpenBLAS: apt-get install libopenblas0-pthread"));
            case "java" -> Blas.java();
            default -> throw new IllegalArgumentException("backend must be openblas or java, got " + name);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void sgemm() {
        blas.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
    }
}
