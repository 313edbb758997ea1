package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.metric.Metric;
import io.nerva.runtime.predict.Predictor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FitTest {

    private static Fit quiet(int epochs) {
        return Fit.epochs(epochs).verbose(false);
    }

    @Test
    void learnsSeparableBlobs() {
        Dataset data = TestData.blobs(100, 1, true);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            History h = Trainer.fit(
                    model,
                    data,
                    quiet(15)
                            .batch(16)
                            .optimizer(TestOptimizers.sgd(0.1))
                            .loss(TestLosses.CCE)
                            .metrics(new TestAccuracy())
                            .seed(3));
            assertEquals(List.of("loss", "accuracy"), h.names());
            assertEquals(15, h.epochs());
            double[] loss = h.get("loss");
            assertTrue(loss[14] < loss[0] / 3, "loss should fall: " + Arrays.toString(loss));
            assertTrue(h.last("accuracy") > 0.97, h.toString());
        }
    }

    @Test
    void learnsLinearRegressionWeights() {
        Dataset data = TestData.regression(256, 2);
        try (LinearModel model = new LinearModel(2, 1, ActivationType.LINEAR, 1)) {
            History h = Trainer.fit(
                    model,
                    data,
                    quiet(40).batch(32).optimizer(TestOptimizers.sgd(0.05)).loss(TestLosses.MSE));
            assertTrue(h.last("loss") < 1e-3, h.toString());
            float[] w = model.layers().getFirst().kernel().get();
            assertEquals(2f, w[0], 0.02f);
            assertEquals(-3f, w[1], 0.02f);
            assertEquals(1f, model.layers().getFirst().bias().get()[0], 0.02f);
        }
    }

    @Test
    void sparseLabelsTrainToo() {
        Dataset data = TestData.blobs(60, 4, false);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            History h = Trainer.fit(
                    model,
                    data,
                    quiet(10)
                            .batch(8)
                            .optimizer(TestOptimizers.sgd(0.1))
                            .loss(TestLosses.SPARSE_CCE)
                            .metricFactories(TestAccuracy::new));
            assertTrue(h.last("accuracy") > 0.95, h.toString());
        }
    }

    @Test
    void sameSeedGivesIdenticalHistoryAndWeights() {
        Dataset data = TestData.blobs(50, 1, true);
        Fit fit = quiet(4).batch(10)
                .optimizer(TestOptimizers.momentum(0.05, 0.9))
                .loss(TestLosses.CCE)
                .metrics(new TestAccuracy())
                .validationSplit(0.2)
                .seed(42);
        History h1, h2, h3;
        float[] w1, w2, w3;
        try (LinearModel a = new LinearModel(2, 3, ActivationType.SOFTMAX, 9);
                LinearModel b = new LinearModel(2, 3, ActivationType.SOFTMAX, 9);
                LinearModel c = new LinearModel(2, 3, ActivationType.SOFTMAX, 9)) {
            h1 = Trainer.fit(a, data, fit);
            h2 = Trainer.fit(b, data, fit);
            h3 = Trainer.fit(c, data, fit.seed(43));
            w1 = a.parameters().toArray();
            w2 = b.parameters().toArray();
            w3 = c.parameters().toArray();
        }
        assertEquals(h1, h2);
        assertEquals(h1.hashCode(), h2.hashCode());
        assertArrayEquals(w1, w2); // float[] equality is bitwise
        assertNotEquals(h1, h3);
        assertFalse(Arrays.equals(w1, w3));
    }

    @Test
    void validationDataGivesValMetrics() {
        Dataset train = TestData.blobs(60, 1, true);
        Dataset test = TestData.blobs(20, 2, true);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            TestAccuracy accuracy = new TestAccuracy(); // one object serves training and validation in turn
            History h = Trainer.fit(
                    model,
                    train,
                    quiet(3).batch(16)
                            .optimizer(TestOptimizers.sgd(0.1))
                            .loss(TestLosses.CCE)
                            .metrics(accuracy)
                            .validation(test));
            assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), h.names());
            // validation ran on the final weights after the last epoch: evaluate must agree exactly
            Map<String, Double> eval = Trainer.evaluate(model, test, TestLosses.CCE, List.of(new TestAccuracy()), 16);
            assertEquals(eval.get("loss"), h.last("val_loss"));
            assertEquals(eval.get("accuracy"), h.last("val_accuracy"));
        }
    }

    @Test
    void validationSplitHoldsOutTheLastSamples() {
        Dataset data = TestData.blobs(40, 1, true); // 120 samples
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            History h = Trainer.fit(
                    model,
                    data,
                    quiet(2).batch(32)
                            .optimizer(TestOptimizers.sgd(0.1))
                            .loss(TestLosses.CCE)
                            .validationSplit(0.25));
            assertEquals(List.of("loss", "val_loss"), h.names());
            double expected = Trainer.evaluate(model, data.slice(90, 120), TestLosses.CCE, List.of(), 32)
                    .get("loss");
            assertEquals(expected, h.last("val_loss"));
        }
    }

    @Test
    void everySampleIsSeenExactlyOncePerEpochInANewOrder() {
        int n = 103; // not a multiple of the batch: the last batch is partial
        Dataset data = TestData.ids(n);
        try (LinearModel model = new LinearModel(1, 1, ActivationType.LINEAR, 5)) {
            model.seenCounts = new int[n];
            model.seenOrder = new int[3 * n];
            Trainer.fit(
                    model,
                    data,
                    quiet(3).batch(10)
                            .optimizer(TestOptimizers.sgd(0))
                            .loss(TestLosses.MSE)
                            .seed(8));
            int[] all = new int[n];
            Arrays.fill(all, 3);
            assertArrayEquals(all, model.seenCounts);
            int[] e1 = Arrays.copyOfRange(model.seenOrder, 0, n);
            int[] e2 = Arrays.copyOfRange(model.seenOrder, n, 2 * n);
            for (int[] epoch : List.of(e1, e2, Arrays.copyOfRange(model.seenOrder, 2 * n, 3 * n))) {
                assertArrayEquals(
                        java.util.stream.IntStream.range(0, n).toArray(),
                        Arrays.stream(epoch).sorted().toArray());
            }
            assertFalse(Arrays.equals(e1, e2), "each epoch should have its own order");
            assertFalse(Arrays.equals(e1, java.util.stream.IntStream.range(0, n).toArray()));
        }
    }

    @Test
    void withoutShuffleSamplesComeInOrder() {
        Dataset data = TestData.ids(25);
        try (LinearModel model = new LinearModel(1, 1, ActivationType.LINEAR, 5)) {
            model.seenCounts = new int[25];
            model.seenOrder = new int[50];
            Trainer.fit(
                    model,
                    data,
                    quiet(2).batch(4)
                            .shuffle(false)
                            .optimizer(TestOptimizers.sgd(0))
                            .loss(TestLosses.MSE));
            int[] expected =
                    java.util.stream.IntStream.range(0, 50).map(i -> i % 25).toArray();
            assertArrayEquals(expected, model.seenOrder);
        }
    }

    @Test
    void evaluateMatchesAManualComputation() {
        Dataset data = TestData.blobs(17, 3, true); // 51 samples, batches of 8 leave a partial one
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 11);
                Predictor predictor = new Predictor(model)) {
            Map<String, Double> result = Trainer.evaluate(model, data, TestLosses.CCE, List.of(new TestAccuracy()), 8);
            assertEquals(List.of("loss", "accuracy"), List.copyOf(result.keySet()));
            double loss = 0;
            int correct = 0;
            int[] labels = data.labels();
            for (int i = 0; i < data.size(); i++) {
                float[] p = predictor.predict(data.features(i));
                loss -= Math.log(p[labels[i]]);
                if (predictor.predictClass(data.features(i)) == labels[i]) correct++;
            }
            assertEquals(loss / data.size(), result.get("loss"), 1e-6);
            assertEquals((double) correct / data.size(), result.get("accuracy"));
        }
    }

    @Test
    void printsAKerasLikeLinePerEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Dataset data = TestData.blobs(20, 1, true);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            Trainer.fit(
                    model,
                    data,
                    Fit.epochs(2)
                            .log(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                            .optimizer(TestOptimizers.sgd(0.1))
                            .loss(TestLosses.CCE)
                            .metrics(new TestAccuracy())
                            .validation(data));
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals(2, lines.length);
        assertTrue(
                lines[0].matches("Epoch 1/2 - \\d+\\.\\d\\ds - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"
                        + " - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}"),
                lines[0]);
        assertTrue(lines[1].startsWith("Epoch 2/2 - "), lines[1]);
    }

    @Test
    void callbackSeesEveryEpochAndCanStopEarly() {
        Dataset data = TestData.blobs(20, 1, true); // 60 samples, batch 16: 4 steps per epoch
        List<String> calls = new ArrayList<>();
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            History h = Trainer.fit(
                    model,
                    data,
                    quiet(10)
                            .batch(16)
                            .optimizer(TestOptimizers.momentum(0.1, 0.5))
                            .loss(TestLosses.CCE)
                            .callback((epoch, logs, control) -> {
                                calls.add(epoch + ":" + logs.keySet() + ":" + control.step() + ":" + control.epochs());
                                assertThrows(UnsupportedOperationException.class, () -> logs.put("x", 1.0));
                                assertEquals(2 * 3 + 3, control.optimizerState().byteSize() / Float.BYTES);
                                assertTrue(control.optimizerState().isReadOnly());
                                if (epoch == 1) control.stop();
                            }));
            assertEquals(2, h.epochs());
        }
        assertEquals(List.of("0:[loss]:4:10", "1:[loss]:8:10"), calls);
    }

    // ---------------------------------------------------------------- errors

    @Test
    void missingOptimizerOrLossSaysWhatToAdd() {
        Dataset data = TestData.blobs(5, 1, true);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            var e1 = assertThrows(
                    IllegalStateException.class, () -> Trainer.fit(model, data, quiet(1).loss(TestLosses.CCE)));
            assertTrue(e1.getMessage().startsWith("no optimizer: add .optimizer(...) to the Fit"), e1.getMessage());
            var e2 = assertThrows(
                    IllegalStateException.class,
                    () -> Trainer.fit(model, data, quiet(1).optimizer(TestOptimizers.sgd(0.1))));
            assertTrue(e2.getMessage().startsWith("no loss: add .loss(...) to the Fit"), e2.getMessage());
        }
    }

    @Test
    void badBatchAndEpochsAreRejectedAtOnce() {
        assertEquals(
                "batch size must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).batch(0))
                        .getMessage());
        assertEquals(
                "epochs must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> Fit.epochs(0))
                        .getMessage());
        assertEquals(
                "validationSplit must be in (0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).validationSplit(1))
                        .getMessage());
        assertEquals(
                "UNSPECIFIED is not a loss: choose one, e.g. LossFunction.CATEGORICAL_CROSSENTROPY",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Fit.epochs(1).loss(io.nerva.annotations.LossFunction.UNSPECIFIED))
                        .getMessage());
    }

    @Test
    void featureSizeMismatchNamesBothShapes() {
        Dataset data = TestData.blobs(5, 1, true);
        try (LinearModel model = new LinearModel(new int[] {28, 28, 1}, 3, ActivationType.SOFTMAX, 5, true)) {
            var e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Trainer.fit(
                            model,
                            data,
                            quiet(1).optimizer(TestOptimizers.sgd(0.1)).loss(TestLosses.CCE)));
            assertEquals(
                    "training data has samples of 2 floats (shape [2]) but model 'Linear784x3' expects 784 "
                            + "(shape [28, 28, 1])",
                    e.getMessage());
        }
    }

    @Test
    void targetColumnMismatchSuggestsTheFix() {
        Dataset sparse = TestData.blobs(5, 1, false);
        Dataset oneHot = TestData.blobs(5, 1, true);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            Fit fit = quiet(1).optimizer(TestOptimizers.sgd(0.1));
            var e1 = assertThrows(
                    IllegalArgumentException.class, () -> Trainer.fit(model, sparse, fit.loss(TestLosses.CCE)));
            assertEquals(
                    "training data has 1 target column per sample but CATEGORICAL_CROSSENTROPY on the 3 outputs of "
                            + "model 'Linear2x3' needs 3; for class indices use the sparse variant of the loss, or one-hot targets "
                            + "(Dataset.classification)",
                    e1.getMessage());
            var e2 = assertThrows(
                    IllegalArgumentException.class, () -> Trainer.fit(model, oneHot, fit.loss(TestLosses.SPARSE_CCE)));
            assertTrue(
                    e2.getMessage()
                            .startsWith(
                                    "training data has 3 target columns per sample but "
                                            + "SPARSE_CATEGORICAL_CROSSENTROPY on the 3 outputs of model 'Linear2x3' needs 1; for one-hot"),
                    e2.getMessage());
            var e3 = assertThrows(
                    IllegalArgumentException.class,
                    () -> Trainer.fit(model, oneHot, fit.loss(TestLosses.CCE).validation(sparse)));
            assertTrue(e3.getMessage().startsWith("validation data has 1 target column"), e3.getMessage());
        }
    }

    @Test
    void untrainableModelIsRefusedWithTheReason() {
        Dataset data = TestData.blobs(5, 1, true);
        try (LinearModel model = new LinearModel(new int[] {2}, 3, ActivationType.SOFTMAX, 5, false)) {
            var e = assertThrows(
                    IllegalStateException.class,
                    () -> Trainer.fit(
                            model,
                            data,
                            quiet(1).optimizer(TestOptimizers.sgd(0.1)).loss(TestLosses.CCE)));
            assertTrue(
                    e.getMessage()
                            .startsWith("model 'Linear2x3' cannot be trained: it is declared "
                                    + "@Network(inferenceOnly = true) or has a layer gradients cannot flow through"),
                    e.getMessage());
        }
    }

    @Test
    void divergingLossStopsWithEpochStepAndAdvice() {
        Dataset data = TestData.regression(64, 1);
        try (LinearModel model = new LinearModel(2, 1, ActivationType.LINEAR, 5)) {
            var e = assertThrows(
                    ArithmeticException.class,
                    () -> Trainer.fit(
                            model,
                            data,
                            quiet(50)
                                    .batch(16)
                                    .optimizer(TestOptimizers.sgd(1e3))
                                    .loss(TestLosses.MSE)));
            // Caught before the step's update, whichever of loss, gradient or new weights goes first.
            assertTrue(
                    e.getMessage()
                            .matches(
                                    "(loss is (NaN|Infinity)|the gradient of 'dense\\.(kernel|bias)' is .*|"
                                            + "the optimizer made 'dense\\.(kernel|bias)' NaN or infinite at .*) at epoch \\d+/50, step \\d+ \\(batch [1-4] of 4\\)"
                                            + ".*training diverged; the weights are those before this step\\. Try a lower learning rate.*"),
                    e.getMessage());
        }
    }

    @Test
    void duplicateMetricNamesAreRejected() {
        Dataset data = TestData.blobs(5, 1, true);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            var e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Trainer.fit(
                            model,
                            data,
                            quiet(1).optimizer(TestOptimizers.sgd(0.1))
                                    .loss(TestLosses.CCE)
                                    .metrics(new TestAccuracy(), new TestAccuracy())));
            assertEquals("metric 'accuracy' is given twice", e.getMessage());
        }
    }

    @Test
    void evaluateChecksItsInputs() {
        Dataset data = TestData.blobs(5, 1, true);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            List<Metric> none = List.of();
            assertEquals(
                    "batch size must be at least 1, got 0",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> Trainer.evaluate(model, data, TestLosses.CCE, none, 0))
                            .getMessage());
            assertTrue(assertThrows(
                            IllegalArgumentException.class,
                            () -> Trainer.evaluate(model, data, TestLosses.SPARSE_CCE, none, 4))
                    .getMessage()
                    .startsWith("evaluation data has 3 target columns"));
        }
    }

    @Test
    void aLossThatDoesNotFitTheOutputIsRefusedBeforeTraining() {
        try (LinearModel model = new LinearModel(2, 3, io.nerva.annotations.ActivationType.SOFTMAX, 1)) {
            io.nerva.runtime.data.Dataset data =
                    io.nerva.runtime.data.Dataset.of(new float[][] {{1, 2}}, new float[][] {{0, 1, 0}});
            Fit fit = Fit.epochs(1)
                    .optimizer(TestOptimizers.sgd(0.1))
                    .loss(io.nerva.runtime.loss.Loss.of(io.nerva.annotations.LossFunction.BINARY_CROSSENTROPY))
                    .verbose(false);
            var e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> Trainer.fit(model, data, fit));
            org.junit.jupiter.api.Assertions.assertEquals(
                    model.name() + ": BINARY_CROSSENTROPY expects probabilities from a SIGMOID output, "
                            + "but the output (the last layer) has activation SOFTMAX; use SIGMOID",
                    e.getMessage());
        }
    }
}
