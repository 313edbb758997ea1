package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradientStepTest {
    @TempDir
    Path dir;

    private static final Dataset DATA = TestData.blobs(30, 5, true); // 90 samples, one-hot: 90 = 5·16 + 10

    private static Fit fit(int epochs) {
        return Fit.epochs(epochs)
                .verbose(false)
                .batch(16)
                .optimizer(Optimizers.adam(0.05))
                .loss(TestLosses.CCE)
                .seed(11);
    }

    /** With input dropout, so the step's dropout generator must match fit's too. */
    private static LinearModel model(long initSeed) {
        LinearModel m = new LinearModel(2, 3, ActivationType.SOFTMAX, initSeed);
        m.inputDropout = 0.2f;
        return m;
    }

    /**
     * Epochs {@code [from, to)} with a GradientStep: fit's sample order (the identity shuffled by
     * one generator every epoch), compute then apply per batch. Returns the epochs' mean losses.
     */
    private static double[] train(GradientStep step, Dataset data, int batch, Rng order, int from, int to) {
        int n = data.size();
        int[] idx = new int[n];
        int in = data.sampleSize();
        int tc = data.targetColumns();
        float[] x = new float[batch * in];
        float[] y = new float[batch * tc];
        float[] g = new float[(int) step.model().parameters().count()];
        double[] losses = new double[to - from];
        for (int epoch = from; epoch < to; epoch++) {
            for (int i = 0; i < n; i++) idx[i] = i;
            order.shuffle(idx, n);
            double sum = 0;
            for (int start = 0; start < n; start += batch) {
                int rows = Math.min(batch, n - start);
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(data.features(idx[start + r]), 0, x, r * in, in);
                    System.arraycopy(data.target(idx[start + r]), 0, y, r * tc, tc);
                }
                double l = step.computeGradients(x, y, rows);
                step.applyGradients(step.copyGradients(g), epoch);
                sum += l * rows;
            }
            losses[epoch - from] = sum / n;
        }
        return losses;
    }

    @Test
    void computeThenApplyOnEveryBatchEqualsFitBitForBit() {
        History h;
        float[] fitted;
        try (LinearModel m = model(3)) {
            h = Trainer.fit(m, DATA, fit(3));
            fitted = m.parameters().toArray();
        }
        try (LinearModel m = model(3);
                GradientStep step = GradientStep.of(m, fit(3), 16, 3)) {
            double[] losses = train(step, DATA, 16, new Rng(11), 0, 3);
            assertArrayEquals(h.get("loss"), losses, 0.0);
            assertArrayEquals(fitted, m.parameters().toArray(), 0f);
            assertEquals(3 * 6, step.step());
        }
    }

    /** A frozen tensor: fit leaves it alone, and so does the step, through the same update over trained runs. */
    @Test
    void aFrozenTensorStaysPutAndTheRestEqualsFitBitForBit() {
        History h;
        float[] fitted;
        try (LinearModel m = model(3)) {
            m.parameters()
                    .setTrainable(java.util.List.of(m.layers().get(0).bias().spec()), false);
            h = Trainer.fit(m, DATA, fit(2));
            fitted = m.parameters().toArray();
        }
        try (LinearModel m = model(3)) {
            m.parameters()
                    .setTrainable(java.util.List.of(m.layers().get(0).bias().spec()), false);
            float[] bias = m.layers().get(0).bias().get();
            float[] kernel = m.layers().get(0).kernel().get();
            try (GradientStep step = GradientStep.of(m, fit(2), 16, 3)) {
                double[] losses = train(step, DATA, 16, new Rng(11), 0, 2);
                assertArrayEquals(h.get("loss"), losses, 0.0);
                assertArrayEquals(fitted, m.parameters().toArray(), 0f);
                assertArrayEquals(bias, m.layers().get(0).bias().get(), 0f);
                assertFalse(
                        java.util.Arrays.equals(
                                kernel, m.layers().get(0).kernel().get()),
                        "the kernel trains");
            }
        }
    }

    @Test
    void computeLeavesTheWeightsAndApplyUsesOnlyTheGivenGradient() {
        try (LinearModel m = model(3);
                GradientStep step = GradientStep.of(m, fit(1).optimizer(Optimizers.sgd(0.5)), 16, 3)) {
            float[] before = m.parameters().toArray();
            float[] x = DATA.slice(0, 4).features();
            float[] y = DATA.slice(0, 4).targets();
            double l = step.computeGradients(x, y, 4);
            assertTrue(l > 0 && Double.isFinite(l), "loss " + l);
            assertArrayEquals(before, m.parameters().toArray(), 0f);
            float[] g = step.copyGradients(new float[before.length]);
            assertTrue(Arrays.stream(toDoubles(g)).anyMatch(v -> v != 0), "a non-zero gradient");

            // An external gradient (here twice the computed one): plain SGD moves each weight by exactly −lr·g.
            float[] external = new float[g.length];
            for (int i = 0; i < g.length; i++) external[i] = 2 * g[i];
            step.applyGradients(external, 0);
            float[] after = m.parameters().toArray();
            for (int i = 0; i < g.length; i++)
                assertEquals(before[i] - 0.5f * external[i], after[i], 0f, "parameter " + i);
            assertEquals(1, step.step());
        }
    }

    @Test
    void aStepCheckpointResumesInFitAndAFitCheckpointResumesInAStep() throws IOException {
        float[] straight;
        History h;
        try (LinearModel m = model(3)) {
            h = Trainer.fit(m, DATA, fit(4));
            straight = m.parameters().toArray();
        }

        // Two epochs by steps, checkpoint, two more by fit.
        Path fromSteps = dir.resolve("steps.ckpt.safetensors");
        try (LinearModel m = model(3);
                GradientStep step = GradientStep.of(m, fit(4), 16, 3)) {
            Rng order = new Rng(11);
            train(step, DATA, 16, order, 0, 2);
            Checkpoint.write(fromSteps, m, step, 2, 4, 16, DATA.size(), order.state());
        }
        try (LinearModel m = model(99)) {
            History rest = Trainer.fit(m, DATA, fit(4).resumeFrom(fromSteps));
            assertArrayEquals(Arrays.copyOfRange(h.get("loss"), 2, 4), rest.get("loss"), 0.0);
            assertArrayEquals(straight, m.parameters().toArray(), 0f);
        }

        // Two epochs by fit, checkpoint, two more by steps.
        Path fromFit = dir.resolve("fit.ckpt.safetensors");
        try (LinearModel m = model(3)) {
            Trainer.fit(m, DATA, fit(2).checkpoint(fromFit));
        }
        try (LinearModel m = model(99);
                GradientStep step = GradientStep.of(m, fit(4), 16, 3)) {
            Checkpoint.Info info = Checkpoint.restore(fromFit, m, step);
            assertEquals(2, info.epoch());
            assertEquals(2 * 6, step.step());
            double[] rest = train(step, DATA, 16, new Rng(info.shuffleRngState()), info.epoch(), 4);
            assertArrayEquals(Arrays.copyOfRange(h.get("loss"), 2, 4), rest, 0.0);
            assertArrayEquals(straight, m.parameters().toArray(), 0f);
        }
    }

    @Test
    void badInputIsRefusedWithWhatWasExpected() {
        try (LinearModel m = model(3);
                GradientStep step = GradientStep.of(m, fit(1), 4, 3)) {
            float[] x = new float[5 * 2];
            float[] y = new float[5 * 3];
            var tooMany = assertThrows(IllegalArgumentException.class, () -> step.computeGradients(x, y, 5));
            assertEquals("expected 1 to 4 rows (this step's capacity), got 5", tooMany.getMessage());
            var shortTargets =
                    assertThrows(IllegalArgumentException.class, () -> step.computeGradients(x, new float[3], 2));
            assertEquals("2 rows need 4 feature floats and 6 target floats, got 10 and 3", shortTargets.getMessage());
            var grads = assertThrows(IllegalArgumentException.class, () -> step.applyGradients(new float[2], 0));
            assertEquals("expected 9 gradient floats (one per parameter), got 2", grads.getMessage());
            float[] nan = new float[9];
            nan[4] = Float.NaN;
            float[] before = m.parameters().toArray();
            assertThrows(TrainingDivergedException.class, () -> step.applyGradients(nan, 0));
            assertArrayEquals(before, m.parameters().toArray(), 0f);
            assertEquals(0, step.step());
        }
        try (LinearModel m = model(3)) {
            var columns = assertThrows(IllegalArgumentException.class, () -> GradientStep.of(m, fit(1), 4, 1));
            assertTrue(columns.getMessage().contains("takes 3 target column(s) per row, got 1"), columns.getMessage());
        }
    }

    private static double[] toDoubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
