package io.nerva.runtime.train;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.nerva.annotations.Initializer;
import io.nerva.blas.Parallel;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.optim.TensorRows;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gradient check and the tensor rows a parameter update splits its work by. */
class ParameterUpdateTest {
    private static final int IN = 700, OUT = 128;
    private int saved;

    @BeforeEach
    void twoThreads() {
        saved = Parallel.threads();
        Parallel.setThreads(2);
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    private static Parameters dense() {
        long kernel = (long) IN * OUT;
        return new Parameters(
                List.of(
                        new ParamSpec("d.kernel", new int[] {IN, OUT}, 0, Initializer.GLOROT_UNIFORM, 0, IN, OUT),
                        new ParamSpec("d.bias", new int[] {OUT}, kernel, Initializer.ZEROS, 0, IN, OUT)),
                true);
    }

    /**
     * Split over two threads, part 1 scans the kernel's last rows and part 0 the bias after them:
     * the smaller index is reported whichever part finds its own first.
     */
    @Test
    void theFirstNonFiniteGradientIsFoundInEitherPart() {
        try (Parameters params = dense();
                Arena arena = Arena.ofShared()) {
            ParameterUpdate update = new ParameterUpdate(
                    params, Optimizers.adam(1e-3), arena.allocate(8L * params.count()), MemorySegment.NULL, "d");
            MemorySegment grads = params.grads();
            assertEquals(-1, update.firstNonFiniteGradient());
            long inPart1 = (long) (IN - 1) * OUT + 5, inPart0 = (long) IN * OUT + 3;
            grads.setAtIndex(JAVA_FLOAT, inPart0, Float.NaN);
            assertEquals(inPart0, update.firstNonFiniteGradient());
            grads.setAtIndex(JAVA_FLOAT, inPart1, Float.POSITIVE_INFINITY);
            assertEquals(inPart1, update.firstNonFiniteGradient());
            Parallel.setThreads(1);
            assertEquals(inPart1, update.firstNonFiniteGradient());
        }
    }

    @Test
    void tensorRowsTileARunOrAreNull() {
        try (Parameters params = dense()) {
            TensorRows all = ParameterUpdate.tensorsOf(params, 0, params.count());
            assertNotNull(all);
            assertEquals(2, all.tensors());
            assertEquals(params.count(), all.count());
            assertEquals((long) IN * OUT, all.start(1, 0, 2), "the bias is one row: part 0's");
            assertNotNull(ParameterUpdate.tensorsOf(params, (long) IN * OUT, OUT));
            assertNull(ParameterUpdate.tensorsOf(params, 0, params.count() - 1), "a run ending inside a tensor");
        }
    }
}
