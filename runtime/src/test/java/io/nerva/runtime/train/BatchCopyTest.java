package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.annotations.ActivationType;
import io.nerva.blas.Parallel;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.optim.Optimizers;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A batch large enough to be copied by columns on two threads lands whole, sample by sample. */
class BatchCopyTest {
    @Test
    void aBatchCopiedByColumnsOnTwoThreadsEqualsItsSamples() {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        int features = 300, samples = 200, batch = 64; // 19,200 floats a batch: split, edges inside a sample
        Random rnd = new Random(9);
        float[][] x = new float[samples][features], y = new float[samples][1];
        for (float[] row : x) for (int j = 0; j < features; j++) row[j] = rnd.nextFloat();
        Dataset data = Dataset.of(x, y);
        try (LinearModel model = new LinearModel(features, 1, ActivationType.LINEAR, 3);
                TrainingLoop loop =
                        new TrainingLoop(model, TestLosses.MSE, Optimizers.sgd(0.01), data, batch, 7L, false)) {
            assertTrue(Parallel.shared(loop.input()), "the workers may write the input buffer");
            for (int start : new int[] {0, 64, 136}) {
                int rows = Math.min(batch, samples - start);
                loop.copyBatch(start, rows);
                for (int r = 0; r < rows; r++) {
                    float[] got = loop.input()
                            .asSlice((long) r * features * Float.BYTES, (long) features * Float.BYTES)
                            .toArray(ValueLayout.JAVA_FLOAT);
                    assertArrayEquals(x[start + r], got, "sample " + (start + r) + " at row " + r);
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
