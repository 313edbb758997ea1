package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.metric.Average;
import io.nerva.runtime.metric.ClassificationReport;
import io.nerva.runtime.metric.ConfusionMatrix;
import io.nerva.runtime.metric.Metrics;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Precision, recall and F1 inside fit and evaluate, and the confusion matrix of a trained model on a Dataset. */
class ClassificationFitTest {
    @Test
    void f1InFitIsTheF1OfTheModelsPredictions() {
        Dataset train = TestData.blobs(30, 1, false);
        Dataset validation = TestData.blobs(15, 2, false);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            Fit fit = Fit.epochs(2)
                    .verbose(false)
                    .batch(8)
                    .optimizer(TestOptimizers.sgd(0.002))
                    .loss(TestLosses.SPARSE_CCE)
                    .metricFactories(
                            Metrics::precision, Metrics::recall, Metrics::f1, () -> Metrics.f1(Average.WEIGHTED))
                    .validation(validation)
                    .earlyStopping("val_f1", 5);
            History h = Trainer.fit(model, train, fit);
            assertEquals(
                    java.util.List.of(
                            "loss",
                            "precision",
                            "recall",
                            "f1",
                            "f1_weighted",
                            "val_loss",
                            "val_precision",
                            "val_recall",
                            "val_f1",
                            "val_f1_weighted"),
                    h.names());
            ConfusionMatrix cm = ConfusionMatrix.of(model, validation);
            assertEquals(45, cm.total());
            // barely trained, so the classes are not yet perfectly told apart and the values differ
            assertTrue(cm.accuracy() > 0.2 && cm.accuracy() < 1, cm.toString());
            assertEquals(cm.f1(Average.MACRO), h.last("val_f1"), 1e-12);
            assertEquals(cm.precision(Average.MACRO), h.last("val_precision"), 1e-12);
            assertEquals(cm.recall(Average.MACRO), h.last("val_recall"), 1e-12);
            assertEquals(cm.f1(Average.WEIGHTED), h.last("val_f1_weighted"), 1e-12);
            Map<String, Double> eval = Trainer.evaluate(model, validation, fit);
            assertEquals(cm.f1(Average.MACRO), eval.get("f1"), 1e-12);
            String report = ClassificationReport.of(cm).toString();
            assertTrue(
                    report.contains(String.format(
                            java.util.Locale.ROOT, "accuracy %s %9.2f        45", " ".repeat(20), cm.accuracy())),
                    report);
            // the predictions the matrix counts are the model's own
            int[] labels = validation.labels();
            long right = 0;
            for (int i = 0; i < validation.size(); i++)
                if (model.predictClass(validation.features(i)) == labels[i]) right++;
            assertEquals((double) right / validation.size(), cm.accuracy(), 1e-15);
        }
    }
}
