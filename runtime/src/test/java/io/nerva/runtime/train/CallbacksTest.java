package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.callback.CSVLogger;
import io.nerva.runtime.callback.LearningRateScheduler;
import io.nerva.runtime.callback.ReduceLROnPlateau;
import io.nerva.runtime.callback.TerminateOnNaN;
import io.nerva.runtime.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Callback}'s hooks, the callbacks in {@code io.nerva.runtime.callback}, early stopping's minDelta and restoreBestWeights. */
class CallbacksTest {
    @TempDir
    Path dir;

    private static final Dataset DATA = TestData.blobs(10, 1, true); // 30 samples: 4 steps of 8

    private static Fit fit(int epochs) {
        return Fit.epochs(epochs).verbose(false).batch(8).loss(TestLosses.CCE).shuffle(false);
    }

    private static LinearModel model() {
        return new LinearModel(2, 3, ActivationType.SOFTMAX, 5);
    }

    /** Records every hook as a short string. */
    private static final class Recorder implements Callback {
        final List<String> events = new ArrayList<>();
        final boolean batches;

        Recorder(boolean batches) {
            this.batches = batches;
        }

        @Override
        public void onTrainBegin(TrainingControl c) {
            events.add("trainBegin");
        }

        @Override
        public void onTrainEnd(History h, TrainingControl c) {
            events.add("trainEnd:" + h.epochs());
        }

        @Override
        public void onEpochBegin(int epoch, TrainingControl c) {
            events.add("epochBegin:" + epoch);
        }

        @Override
        public void onBatchEnd(int epoch, int batch, double loss, TrainingControl c) {
            assertTrue(Double.isFinite(loss) && loss > 0, "batch loss " + loss);
            events.add("batch:" + epoch + "." + batch);
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs, TrainingControl c) {
            events.add("epochEnd:" + epoch + ":" + logs.keySet());
        }

        @Override
        public boolean wantsBatches() {
            return batches;
        }
    }

    @Test
    void hooksRunInKerasOrder() {
        Recorder r = new Recorder(true);
        try (LinearModel m = model()) {
            Trainer.fit(m, DATA, fit(2).optimizer(TestOptimizers.sgd(0.1)).callback(r));
        }
        assertEquals(
                List.of(
                        "trainBegin",
                        "epochBegin:0",
                        "batch:0.0",
                        "batch:0.1",
                        "batch:0.2",
                        "batch:0.3",
                        "epochEnd:0:[loss]",
                        "epochBegin:1",
                        "batch:1.0",
                        "batch:1.1",
                        "batch:1.2",
                        "batch:1.3",
                        "epochEnd:1:[loss]",
                        "trainEnd:2"),
                r.events);
    }

    @Test
    void batchHookIsNotCalledUnlessAskedFor() {
        Recorder r = new Recorder(false);
        try (LinearModel m = model()) {
            Trainer.fit(m, DATA, fit(1).optimizer(TestOptimizers.sgd(0.1)).callback(r));
        }
        assertEquals(List.of("trainBegin", "epochBegin:0", "epochEnd:0:[loss]", "trainEnd:1"), r.events);
    }

    @Test
    void trainEndRunsWhenAnEpochThrows() {
        Recorder r = new Recorder(false);
        RecordingOptimizer opt = new RecordingOptimizer(0.1);
        opt.poisonAt = 2;
        try (LinearModel m = model()) {
            ArithmeticException e = assertThrows(
                    ArithmeticException.class,
                    () -> Trainer.fit(m, DATA, fit(3).optimizer(opt).callback(r)));
            // The poisoned update is caught where it happens, and the step is undone.
            assertTrue(
                    e.getMessage().contains("at epoch 1/3") && e.getMessage().contains("training diverged"),
                    e.getMessage());
        }
        assertEquals(List.of("trainBegin", "epochBegin:0", "trainEnd:0"), r.events);
    }

    @Test
    void aBatchHookCanStopMidEpoch() {
        List<Integer> batches = new ArrayList<>();
        Callback stopAtSecond = new Callback() {
            @Override
            public boolean wantsBatches() {
                return true;
            }

            @Override
            public void onBatchEnd(int epoch, int batch, double loss, TrainingControl c) {
                batches.add(batch);
                if (batch == 1) c.stop();
            }
        };
        RecordingOptimizer opt = new RecordingOptimizer(0.1);
        History h;
        try (LinearModel m = model()) {
            h = Trainer.fit(m, DATA, fit(3).optimizer(opt).callback(stopAtSecond));
        }
        assertEquals(List.of(0, 1), batches);
        assertEquals(2, opt.rates.size(), "two steps were taken");
        assertEquals(1, h.epochs());
    }

    @Test
    void terminateOnNaNStopsQuietlyWhereFitWouldThrow() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TerminateOnNaN t = new TerminateOnNaN(new PrintStream(out, true, StandardCharsets.UTF_8));
        RecordingOptimizer opt = new RecordingOptimizer(0.1);
        History h;
        try (LinearModel m = model()) {
            // Weights that are already NaN (optimizers cannot make them so: fit undoes such a step)
            // give a NaN loss at the first batch, before anything is applied.
            m.parameters().values().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, Float.NaN);
            h = Trainer.fit(m, DATA, fit(5).optimizer(opt).callback(t));
        }
        assertEquals(1, h.epochs());
        assertTrue(Double.isNaN(h.get("loss")[0]), h.toString());
        assertEquals(0, t.stoppedEpoch());
        assertEquals(0, t.stoppedBatch());
        assertEquals(0, opt.rates.size(), "no step was applied");
        assertEquals(
                "Batch 0: Invalid loss NaN, terminating training",
                out.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void reduceLROnPlateauFollowsKerasPatienceAndCooldown() {
        List<Double> atBegin = new ArrayList<>();
        Callback lrs = new Callback() {
            @Override
            public void onEpochBegin(int epoch, TrainingControl c) {
                atBegin.add(c.learningRate());
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordingOptimizer opt = new RecordingOptimizer(0.1);
        try (LinearModel m = model()) {
            // 'score' never improves after epoch 0.
            Trainer.fit(
                    m,
                    DATA,
                    fit(7).optimizer(opt)
                            .metrics(new ScriptedMetric("score", 1, 1, 1, 1, 1, 1, 1))
                            .callback(lrs)
                            .callback(ReduceLROnPlateau.on("score", MonitorMode.MIN)
                                    .factor(0.5)
                                    .patience(2)
                                    .cooldown(1)
                                    .minLr(0.02)
                                    .log(new PrintStream(out, true, StandardCharsets.UTF_8))));
        }
        // e0 best; e1 wait 1; e2 wait 2 -> 0.05 and a cooldown epoch; e3 cooldown ends, wait 1; e4 wait 2 -> 0.025; e5
        // ...
        assertEquals(List.of(0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025), atBegin);
        assertEquals(0.05, opt.rates.get(3 * 4), "the first step of epoch 3 uses the reduced rate");
        assertEquals(0.1, opt.rates.get(3 * 4 - 1));
        assertEquals(
                "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.05.\n"
                        + "Epoch 5: ReduceLROnPlateau reducing learning rate to 0.025.\n"
                        + "Epoch 7: ReduceLROnPlateau reducing learning rate to 0.02.",
                out.toString(StandardCharsets.UTF_8).strip().replace("\r", ""));
    }

    @Test
    void reduceLROnPlateauStopsAtMinLr() {
        List<Double> atBegin = new ArrayList<>();
        Callback lrs = new Callback() {
            @Override
            public void onEpochBegin(int epoch, TrainingControl c) {
                atBegin.add(c.learningRate());
            }
        };
        try (LinearModel m = model()) {
            Trainer.fit(
                    m,
                    DATA,
                    fit(4).optimizer(new RecordingOptimizer(0.1))
                            .metrics(new ScriptedMetric("score", 1))
                            .callback(lrs)
                            .callback(ReduceLROnPlateau.on("score", MonitorMode.MAX)
                                    .factor(0.5)
                                    .patience(0)
                                    .minLr(0.03)));
        }
        // e0 improves; every later epoch halves the rate, down to 0.03 and no further
        assertEquals(List.of(0.1, 0.1, 0.05, 0.03), atBegin);
    }

    @Test
    void reduceLROnPlateauNamesAMissingMonitor() {
        try (LinearModel m = model()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Trainer.fit(
                            m,
                            DATA,
                            fit(2).optimizer(new RecordingOptimizer(0.1)).callback(ReduceLROnPlateau.on("val_loss"))));
            assertEquals(
                    "ReduceLROnPlateau watches 'val_loss', which this fit does not report (it reports [loss])",
                    e.getMessage());
        }
        assertEquals(
                "factor must be in (0, 1), got 1.5",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> ReduceLROnPlateau.on("val_loss").factor(1.5))
                        .getMessage());
    }

    @Test
    void learningRateSchedulerSetsEveryEpochsRate() {
        RecordingOptimizer opt = new RecordingOptimizer(0.1);
        try (LinearModel m = model()) {
            Trainer.fit(
                    m,
                    DATA,
                    fit(3).optimizer(opt).callback(new LearningRateScheduler((epoch, lr) -> epoch == 0 ? lr : lr / 2)));
        }
        assertEquals(List.of(0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025), opt.rates);
        try (LinearModel m = model()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Trainer.fit(
                            m, DATA, fit(2).optimizer(opt).callback(new LearningRateScheduler((epoch, lr) -> -1))));
            assertEquals(
                    "the learning-rate schedule gave -1.0 for epoch 0; expected a positive finite rate",
                    e.getMessage());
        }
    }

    @Test
    void earlyStoppingMinDeltaIgnoresSmallImprovements() {
        double[] shrinking = {1.0, 0.95, 0.93, 0.92, 0.91, 0.90};
        try (LinearModel m = model()) {
            History plain = Trainer.fit(
                    m,
                    DATA,
                    fit(6).optimizer(new RecordingOptimizer(0.1))
                            .metrics(new ScriptedMetric("score", shrinking))
                            .earlyStopping("score", 2, MonitorMode.MIN));
            assertEquals(6, plain.epochs(), "every epoch improves strictly");
        }
        try (LinearModel m = model()) {
            History delta = Trainer.fit(
                    m,
                    DATA,
                    fit(6).optimizer(new RecordingOptimizer(0.1))
                            .metrics(new ScriptedMetric("score", shrinking))
                            .earlyStopping("score", 2, MonitorMode.MIN, 0.1, false));
            assertEquals(3, delta.epochs(), "0.95 and 0.93 are within 0.1 of 1.0");
        }
        assertEquals(
                "minDelta must be finite and at least 0, got -0.1",
                assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).earlyStopping("loss", 1, -0.1, true))
                        .getMessage());
    }

    @Test
    void earlyStoppingRestoresTheBestWeights() {
        double[] score = {0.5, 0.9, 0.6, 0.7, 0.95};
        for (boolean restore : new boolean[] {true, false}) {
            List<float[]> weights = new ArrayList<>();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (LinearModel m = model()) {
                History h = Trainer.fit(
                        m,
                        DATA,
                        fit(5).optimizer(TestOptimizers.sgd(0.5))
                                .verbose(2)
                                .log(new PrintStream(out, true, StandardCharsets.UTF_8))
                                .metrics(new ScriptedMetric("score", score))
                                .callback((epoch, logs, c) ->
                                        weights.add(c.model().parameters().toArray()))
                                .earlyStopping("score", 2, MonitorMode.MAX, 0, restore));
                assertEquals(4, h.epochs());
                assertArrayEquals(weights.get(restore ? 1 : 3), m.parameters().toArray(), "restore " + restore);
                assertFalse(java.util.Arrays.equals(weights.get(1), weights.get(3)));
            }
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(
                    restore,
                    text.contains(
                            "Early stopping: score did not improve for 2 epochs; restored the weights of epoch 2 (score 0.9000)"),
                    text);
        }
    }

    @Test
    void csvLoggerWritesWhatHistoryExports() throws Exception {
        Path file = dir.resolve("logs/run.csv");
        History h;
        try (LinearModel m = model()) {
            h = Trainer.fit(
                    m,
                    DATA,
                    fit(3).optimizer(TestOptimizers.sgd(0.1))
                            .metrics(new TestAccuracy())
                            .validation(DATA)
                            .callback(new CSVLogger(file)));
        }
        String csv = Files.readString(file);
        assertEquals(h.toCsv(), csv);
        assertTrue(csv.startsWith("epoch,loss,accuracy,val_loss,val_accuracy\n0,"), csv);
        assertEquals(4, csv.split("\n").length);
        assertEquals(h, History.fromCsv(csv));
        // A second run starts afresh; with append it adds rows without a second header.
        try (LinearModel m = model()) {
            Trainer.fit(m, DATA, fit(2).optimizer(TestOptimizers.sgd(0.1)).callback(new CSVLogger(file)));
            Trainer.fit(m, DATA, fit(1).optimizer(TestOptimizers.sgd(0.1)).callback(new CSVLogger(file, ";", true)));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(4, lines.size(), lines.toString());
        assertEquals("epoch,loss", lines.get(0));
        assertTrue(lines.get(3).matches("0;\\d\\.\\d+(E-\\d+)?"), lines.get(3));
    }
}
