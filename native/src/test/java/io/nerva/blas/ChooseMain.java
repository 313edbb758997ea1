package io.nerva.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Entry points for tests that need a fresh JVM: {@code choose} picks the process-wide backend
 * through {@link Blas#get()} (its stderr is what the test inspects); {@code extract DIR} loads
 * the bytedeco library from cache root DIR, as concurrent first runs would.
 */
public final class ChooseMain {
    public static void main(String[] args) throws Exception {
        Blas blas = switch (args[0]) {
            case "choose" -> Blas.get();
            case "extract" ->
                BlasLoader.bytedeco(Path.of(args[1]))
                        .orElseThrow(() -> new AssertionError("bytedeco OpenBLAS did not load from " + args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        };
        try (Arena arena = Arena.ofConfined()) { // one product proves the library works
            MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2, 3, 4);
            MemorySegment c = arena.allocate(16);
            blas.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, a, 0, 2, 0f, c, 0, 2);
            float[] r = c.toArray(ValueLayout.JAVA_FLOAT); // [[1,2],[3,4]]² = [[7,10],[15,22]]
            System.out.println("product " + r[0] + " " + r[1] + " " + r[2] + " " + r[3] + " by " + blas.name());
        }
    }
}
