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
 * The fixed cost of a downcall: an s×s×s product through OpenBLAS (off-heap segments, and
 * float[] through the critical heap-access handle) against the plain Java loop generated code
 * would otherwise contain. Where the loop stops winning is the threshold for calling BLAS.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TinyBench {
    @Param({"1", "2", "4", "8", "16", "24", "32", "48", "64"})
    public int size;

    private Blas blas;
    private Arena arena;
    private MemorySegment as, bs, cs;
    private float[] a, b, c;

    @Setup(Level.Trial)
    public void setUp() {
        blas = SgemmBench.backend("openblas");
        blas.setThreads(1);
        int n = size * size;
        arena = Arena.ofShared();
        as = Fill.random(arena, n, 1);
        bs = Fill.random(arena, n, 2);
        cs = arena.allocate(4L * n, 64);
        a = Fill.randomArray(n, 1);
        b = Fill.randomArray(n, 2);
        c = new float[n];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void openblasOffHeap() {
        int s = size;
        blas.sgemm(false, false, s, s, s, 1f, as, 0, s, bs, 0, s, 0f, cs, 0, s);
    }

    @Benchmark
    public void openblasArray() {
        int s = size;
        blas.sgemm(false, false, s, s, s, 1f, a, 0, s, b, 0, s, 0f, c, 0, s);
    }

    /** i-p-j order: the inner loop is contiguous in B and C, so C2 vectorises it. */
    @Benchmark
    public void javaLoop() {
        int s = size;
        float[] a = this.a, b = this.b, c = this.c;
        for (int i = 0; i < s; i++) {
            int ci = i * s;
            for (int j = 0; j < s; j++) c[ci + j] = 0f;
            for (int p = 0; p < s; p++) {
                float aip = a[i * s + p];
                int bp = p * s;
                for (int j = 0; j < s; j++) c[ci + j] += aip * b[bp + j];
            }
        }
    }
}
