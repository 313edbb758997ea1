package io.nerva.bench;

import io.nerva.blas.Blas;
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
 * One sample through a dense layer, the 1×128×784 shape as a matrix-vector product:
 * y(128) = W(128×784)·x(784).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SgemvBench {
    @Param({"1x128x784"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    @Param({"openblas"})
    public String backend;

    private Blas blas;
    private Arena arena;
    private MemorySegment w, x, y;
    private int rows, cols;

    @Setup(Level.Trial)
    public void setUp() {
        blas = SgemmBench.backend(backend);
        blas.setThreads(threads);
        Shapes s = Shapes.parse(shape);
        rows = s.n();
        cols = s.k();
        arena = Arena.ofShared();
        w = Fill.random(arena, (long) rows * cols, 1);
        x = Fill.random(arena, cols, 2);
        y = arena.allocate(4L * rows, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void sgemv() {
        blas.sgemv(false, rows, cols, 1f, w, 0, cols, x, 0, 0f, y, 0);
    }
}
