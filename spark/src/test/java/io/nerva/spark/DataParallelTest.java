package io.nerva.spark;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.examples.FashionMlpNetModel;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Callback;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.History;
import io.nerva.runtime.train.TrainingControl;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training of the Fashion MLP on barrier tasks against {@code fit} in one process:
 * the same global batches, so the same loss curve (bit for bit on one worker, within float
 * tolerance on two, where the gradient is summed in another order).
 */
class DataParallelTest {
    private static final int SAMPLES = 512; // 8 steps of 64 per epoch
    private static final int BATCH = 64;
    /** Relative difference allowed between a 2-worker and a 1-process loss or weight (float sums in another order). */
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static Fit fit(int epochs) {
        return Fit.epochs(epochs)
                .batch(BATCH)
                .optimizer(Optimizers.adam(1e-3))
                .seed(7)
                .verbose(false);
    }

    private static Dataset train() {
        return LocalSpark.fashion().train().slice(0, SAMPLES);
    }

    private static org.apache.spark.sql.Dataset<Row> frame;

    private static synchronized org.apache.spark.sql.Dataset<Row> frame() {
        if (frame == null)
            frame = SampleFrames.of(LocalSpark.session(), train(), SAMPLES, 2).cache();
        return frame;
    }

    /** Two epochs of fit in this process, which several tests compare against. */
    private static Local twoEpochs;

    private static synchronized Local twoEpochs() {
        if (twoEpochs == null) twoEpochs = local(fit(2));
        return twoEpochs;
    }

    /** fit in this process; per-step losses recorded by a batch callback. */
    private record Local(double[] stepLosses, History history, float[] weights) {}

    private static Local local(Fit fit) {
        double[] losses = new double[fit.epochCount() * (SAMPLES / BATCH)];
        int[] next = {0};
        Callback steps = new Callback() {
            @Override
            public boolean wantsBatches() {
                return true;
            }

            @Override
            public void onBatchEnd(int epoch, int batch, double loss, TrainingControl control) {
                losses[next[0]++] = loss;
            }
        };
        try (var net = FashionMlpNetModel.create(42)) {
            History h = net.fit(train(), fit.callback(steps));
            return new Local(Arrays.copyOf(losses, next[0]), h, net.parameters().toArray());
        }
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * Math.max(1, Math.abs(expected[i])), what + " " + i);
        }
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double maxAbs = 0;
        for (float v : expected) maxAbs = Math.max(maxAbs, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * maxAbs, "weight " + i);
        }
    }

    @Test
    void twoWorkersFollowTheLossCurveOfOneProcess() {
        Local expected = twoEpochs();
        DataParallel.Result r = DataParallel.fit(frame(), 2, () -> FashionMlpNetModel.create(42), () -> fit(2));
        assertEquals(2, r.workers());
        assertEquals(2L * SAMPLES / BATCH, r.steps());
        assertTrue(r.weightsIdenticalOnAllTasks(), "every task holds the same weights");
        assertTrue(
                r.maxRowsPerTask() < BATCH, "each task computed a share of the batch, at most " + r.maxRowsPerTask());
        double maxDiff = 0;
        for (int i = 0; i < expected.stepLosses().length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected.stepLosses()[i] - r.stepLosses()[i]));
        }
        System.out.printf(
                "2 workers vs fit: largest step-loss difference %.3g over %d steps; per step %.2f ms computing, "
                        + "%.2f ms exchanging %d-byte messages, %.2f ms applying%n",
                maxDiff,
                r.steps(),
                r.computeMillisPerStep(),
                r.reduceMillisPerStep(),
                r.messageBytes(),
                r.applyMillisPerStep());
        assertClose(expected.stepLosses(), r.stepLosses(), "step loss");
        assertClose(expected.history().get("loss"), r.epochLosses(), "epoch loss");
        assertClose(expected.weights(), r.weights());
        // the loss went down: this is training, not a copy of the initial weights
        assertTrue(r.epochLosses()[1] < r.stepLosses()[0], Arrays.toString(r.epochLosses()));
    }

    @Test
    void allGatherThroughTheDriverAndSocketsBetweenTasksTrainBitForBitAlike() {
        var small = SampleFrames.of(LocalSpark.session(), train(), 256, 2);
        DataParallel.Result sockets = DataParallel.fit(
                small, 2, () -> FashionMlpNetModel.create(42), () -> fit(1), GradientExchange.Transport.SOCKETS);
        DataParallel.Result allGather = DataParallel.fit(
                small, 2, () -> FashionMlpNetModel.create(42), () -> fit(1), GradientExchange.Transport.ALL_GATHER);
        assertEquals(256 / BATCH, allGather.steps());
        assertArrayEquals(sockets.stepLosses(), allGather.stepLosses(), 0.0);
        assertArrayEquals(sockets.weights(), allGather.weights(), 0f);
        assertTrue(allGather.weightsIdenticalOnAllTasks());
    }

    @Test
    void oneWorkerIsFitBitForBit() {
        Local expected = local(fit(1));
        DataParallel.Result r = DataParallel.fit(frame(), 1, () -> FashionMlpNetModel.create(42), () -> fit(1));
        assertArrayEquals(expected.stepLosses(), r.stepLosses(), 0.0);
        assertArrayEquals(expected.weights(), r.weights(), 0f);
    }

    @Test
    void aCheckpointOfEitherResumesOnTheOther() {
        Local straight = twoEpochs();

        // One epoch on two workers, the second in this process.
        Path fromSpark = dir.resolve("spark.ckpt.safetensors");
        String sparkFile =
                fromSpark.toString(); // the fit factory is serialized to the tasks; a Path is not Serializable
        DataParallel.fit(frame(), 2, () -> FashionMlpNetModel.create(42), () -> fit(1).checkpoint(Path.of(sparkFile)));
        try (var net = FashionMlpNetModel.create(1)) {
            History rest = net.fit(train(), fit(2).resumeFrom(fromSpark));
            assertClose(
                    Arrays.copyOfRange(straight.history().get("loss"), 1, 2), rest.get("loss"), "resumed epoch loss");
            assertClose(straight.weights(), net.parameters().toArray());
        }

        // One epoch in this process, the second on two workers (starting from other initial weights: the checkpoint's
        // count).
        Path fromFit = dir.resolve("fit.ckpt.safetensors");
        try (var net = FashionMlpNetModel.create(42)) {
            net.fit(train(), fit(1).checkpoint(fromFit));
        }
        String fitFile = fromFit.toString();
        DataParallel.Result r = DataParallel.fit(
                frame(), 2, () -> FashionMlpNetModel.create(1), () -> fit(2).resumeFrom(Path.of(fitFile)));
        assertEquals(SAMPLES / BATCH, r.steps(), "only the second epoch ran");
        assertClose(
                Arrays.copyOfRange(straight.stepLosses(), SAMPLES / BATCH, 2 * SAMPLES / BATCH),
                r.stepLosses(),
                "resumed step loss");
        assertClose(straight.weights(), r.weights());
    }

    @Test
    void aFailedTaskRestartsTheStageWhichResumesFromTheLastCheckpoint() {
        Local straight = twoEpochs();
        String file = dir.resolve("restart.ckpt.safetensors").toString();
        DataParallel.failFirstAttemptAfterEpochForTest = 1;
        try {
            DataParallel.Result r = DataParallel.fit(
                    frame(), 2, () -> FashionMlpNetModel.create(42), () -> fit(2).checkpoint(Path.of(file)));
            assertEquals(1, r.stageAttempt(), "the second attempt of the barrier stage finished the run");
            assertEquals(SAMPLES / BATCH, r.steps(), "it ran only the epoch after the checkpoint");
            assertClose(straight.weights(), r.weights());
        } finally {
            DataParallel.failFirstAttemptAfterEpochForTest = 0;
        }
    }

    @Test
    void fitOptionsItCannotHonourAreRefused() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> DataParallel.fit(
                        frame(), 2, () -> FashionMlpNetModel.create(42), () -> fit(1).validationSplit(0.1)));
        assertTrue(e.getMessage().contains("this Fit also sets validation"), e.getMessage());
    }
}
