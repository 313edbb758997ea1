package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Fit#saveBest} and {@link Fit#earlyStopping}. */
class MonitorTest {
    @TempDir
    Path dir;

    private static Fit quiet(int epochs) {
        return Fit.epochs(epochs).verbose(false);
    }

    /** Index of the first best value (later equal values are no improvement). */
    private static int best(List<Double> values, boolean maximize) {
        int b = 0;
        for (int e = 1; e < values.size(); e++) {
            if (maximize ? values.get(e) > values.get(b) : values.get(e) < values.get(b)) b = e;
        }
        return b;
    }

    @Test
    void saveBestKeepsTheWeightsOfTheBestEpoch() throws Exception {
        Dataset train = TestData.blobs(30, 1, true);
        Dataset validation = TestData.blobs(10, 2, true);
        for (String monitor : List.of("val_loss", "val_accuracy", "loss")) {
            Path file = dir.resolve(monitor + ".safetensors");
            List<float[]> weights = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
                // A large rate makes the values go up and down, so the best epoch is not simply the last.
                Trainer.fit(
                        model,
                        train,
                        quiet(12)
                                .batch(8)
                                .optimizer(Optimizers.sgd(1.5, 0.9, false))
                                .loss(TestLosses.CCE)
                                .metrics(new TestAccuracy())
                                .validation(validation)
                                .seed(4)
                                .saveBest(file, monitor)
                                .callback((epoch, logs, control) -> {
                                    weights.add(control.model().parameters().toArray());
                                    values.add(logs.get(monitor));
                                }));
            }
            int bestEpoch = best(values, monitor.contains("acc"));
            assertNotEquals(values.size() - 1, bestEpoch, monitor + " " + values);
            try (LinearModel loaded = new LinearModel(2, 3, ActivationType.SOFTMAX, 77)) {
                loaded.load(file);
                assertArrayEquals(
                        weights.get(bestEpoch),
                        loaded.parameters().toArray(),
                        monitor + ": epoch " + bestEpoch + " of " + values);
            }
        }
        try (var files = Files.list(dir)) {
            assertEquals(3, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void aMonitorTheFitDoesNotReportIsRefusedAtTheStart() {
        Dataset data = TestData.blobs(10, 1, true);
        Path file = dir.resolve("best.safetensors");
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            float[] before = model.parameters().toArray();
            Fit fit = quiet(3).optimizer(TestOptimizers.sgd(0.1))
                    .loss(TestLosses.CCE)
                    .metrics(new TestAccuracy());
            assertEquals(
                    "saveBest watches 'val_accuracy', which this fit does not report (it reports [loss, accuracy]);"
                            + " it needs validation data: add .validation(data) or .validationSplit(fraction) to the Fit",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> Trainer.fit(model, data, fit.saveBest(file, "val_accuracy")))
                            .getMessage());
            assertEquals(
                    "earlyStopping watches 'val_mse', which this fit does not report (it reports [loss, accuracy,"
                            + " val_loss, val_accuracy])",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> Trainer.fit(
                                            model,
                                            data,
                                            fit.validationSplit(0.2).earlyStopping("val_mse", 2)))
                            .getMessage());
            assertArrayEquals(before, model.parameters().toArray(), "nothing was trained");
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void autoModeDecidesByNameAsKeras() {
        assertEquals(MonitorMode.MIN, MonitorMode.resolve("val_loss", MonitorMode.AUTO));
        assertEquals(MonitorMode.MIN, MonitorMode.resolve("loss", MonitorMode.AUTO));
        assertEquals(MonitorMode.MIN, MonitorMode.resolve("val_mae", MonitorMode.AUTO));
        assertEquals(MonitorMode.MIN, MonitorMode.resolve("mean_squared_error", MonitorMode.AUTO));
        assertEquals(MonitorMode.MAX, MonitorMode.resolve("val_accuracy", MonitorMode.AUTO));
        assertEquals(MonitorMode.MAX, MonitorMode.resolve("top_5_accuracy", MonitorMode.AUTO));
        assertEquals(MonitorMode.MAX, MonitorMode.resolve("val_auc", MonitorMode.AUTO));
        assertEquals(MonitorMode.MAX, MonitorMode.resolve("val_score", MonitorMode.MAX));
        assertEquals(
                "cannot tell whether 'val_score' should be maximised or minimised; pass MonitorMode.MAX or"
                        + " MonitorMode.MIN",
                assertThrows(IllegalArgumentException.class, () -> MonitorMode.resolve("val_score", MonitorMode.AUTO))
                        .getMessage());
        assertEquals(
                "patience must be at least 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).earlyStopping("loss", -1))
                        .getMessage());
    }

    @Test
    void aMisspeltNameIsReportedAsUnknownBeforeItsDirection() {
        Dataset data = TestData.blobs(10, 1, true);
        // Configuring accepts any name: which names a fit reports depends on the rest of the Fit.
        Fit fit = quiet(2).optimizer(TestOptimizers.sgd(0.1))
                .loss(TestLosses.CCE)
                .metrics(new TestAccuracy())
                .validation(data);
        Fit misspelt = fit.earlyStopping("val_los", 1);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            assertEquals(
                    "earlyStopping watches 'val_los', which this fit does not report (it reports"
                            + " [loss, accuracy, val_loss, val_accuracy])",
                    assertThrows(IllegalArgumentException.class, () -> Trainer.fit(model, data, misspelt))
                            .getMessage());
            assertEquals(
                    "saveBest watches 'val_acc', which this fit does not report (it reports"
                            + " [loss, accuracy, val_loss, val_accuracy])",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> Trainer.fit(
                                            model, data, fit.saveBest(dir.resolve("best.safetensors"), "val_acc")))
                            .getMessage());
        }
        assertEquals(
                "the monitored name is blank; use e.g. \"val_loss\"",
                assertThrows(IllegalArgumentException.class, () -> fit.earlyStopping(" ", 1))
                        .getMessage());
    }

    @Test
    void earlyStoppingEndsARunThatStopsImproving() {
        Dataset data = TestData.blobs(10, 1, true);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            // A zero learning rate: the loss of epoch 0 is never beaten.
            Fit frozen = quiet(10).optimizer(TestOptimizers.sgd(0)).loss(TestLosses.CCE);
            assertEquals(
                    3, Trainer.fit(model, data, frozen.earlyStopping("loss", 2)).epochs());
            assertEquals(
                    2, Trainer.fit(model, data, frozen.earlyStopping("loss", 1)).epochs());
            assertEquals(
                    2, Trainer.fit(model, data, frozen.earlyStopping("loss", 0)).epochs());
            // Maximising the loss: every epoch ties, none improves.
            assertEquals(
                    2,
                    Trainer.fit(model, data, frozen.earlyStopping("loss", 1, MonitorMode.MAX))
                            .epochs());
        }
        try (LinearModel model = new LinearModel(2, 1, ActivationType.LINEAR, 1)) {
            // Steadily improving: all epochs run.
            History h = Trainer.fit(
                    model,
                    TestData.regression(128, 2),
                    quiet(8).batch(16)
                            .optimizer(TestOptimizers.sgd(0.01))
                            .loss(TestLosses.MSE)
                            .earlyStopping("loss", 0));
            assertEquals(8, h.epochs(), h.toString());
        }
    }

    @Test
    void earlyStoppingCountsOnAcrossAResume() {
        Dataset data = TestData.blobs(10, 1, true);
        Path checkpoint = dir.resolve("ckpt.safetensors");
        Fit frozen =
                quiet(10).optimizer(TestOptimizers.sgd(0)).loss(TestLosses.CCE).earlyStopping("loss", 3);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            Trainer.fit(
                    model,
                    data,
                    Fit.epochs(2)
                            .verbose(false)
                            .optimizer(TestOptimizers.sgd(0))
                            .loss(TestLosses.CCE)
                            .earlyStopping("loss", 3)
                            .checkpoint(checkpoint));
            // One epoch without improvement so far: two more reach the patience of 3.
            assertEquals(
                    2, Trainer.fit(model, data, frozen.resumeFrom(checkpoint)).epochs());
            // Watching something else, the run starts counting afresh: one epoch sets the best, three more wait.
            Fit other = frozen.earlyStopping("loss", 3, MonitorMode.MAX);
            assertEquals(
                    4, Trainer.fit(model, data, other.resumeFrom(checkpoint)).epochs());
        }
    }
}
