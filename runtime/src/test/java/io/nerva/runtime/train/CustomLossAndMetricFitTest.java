package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.loss.ElementwiseLoss;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.metric.RowMetric;
import io.nerva.runtime.optim.Optimizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A loss and a metric written by the user go through fit, validation, callbacks, early stopping and evaluate. */
class CustomLossAndMetricFitTest {

    /** {@code (p − y)⁴}, averaged. */
    static final class Quartic extends ElementwiseLoss {
        Quartic() {
            super("quartic");
        }

        @Override
        protected double value(double p, double y) {
            double e = p - y;
            return e * e * e * e;
        }

        @Override
        protected double derivative(double p, double y) {
            double e = p - y;
            return 4 * e * e * e;
        }
    }

    /** The fraction of samples whose every output is within 0.5 of its target. */
    static final class WithinHalf extends RowMetric {
        WithinHalf() {
            super("within_half");
        }

        @Override
        protected double score(float[] output, float[] target) {
            for (int i = 0; i < output.length; i++) if (Math.abs(output[i] - target[i]) > 0.5) return 0;
            return 1;
        }
    }

    private static Dataset data(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[n * 2], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) r.nextGaussian();
            x[2 * i + 1] = (float) r.nextGaussian();
            y[i] = 0.7f * x[2 * i] - 0.4f * x[2 * i + 1];
        }
        return Dataset.of(x, new int[] {2}, y, 1);
    }

    @Test
    void theUsersLossAndMetricAreReportedLikeBuiltIns() {
        Dataset train = data(64, 1), val = data(32, 2);
        List<Map<String, Double>> seen = new ArrayList<>();
        try (LinearModel m = new LinearModel(2, 1, ActivationType.LINEAR, 3)) {
            Fit fit = Fit.epochs(40)
                    .batch(16)
                    .optimizer(Optimizers.sgd(0.01))
                    .loss(new Quartic())
                    .metricFactories(WithinHalf::new)
                    .validation(val)
                    .verbose(false)
                    .callback((epoch, logs, control) -> seen.add(new java.util.LinkedHashMap<>(logs)))
                    .earlyStopping(
                            "val_within_half", 50, MonitorMode.MAX); // a name of your own: say which way is better
            History h = m.fit(train, fit);
            assertEquals(
                    List.of("loss", "within_half", "val_loss", "val_within_half"),
                    List.copyOf(seen.get(0).keySet()));
            assertTrue(h.last("loss") < h.get("loss")[0] / 10, "the quartic loss trains the model: " + h.last("loss"));
            assertEquals(1.0, h.last("val_within_half"), "a linear target is learnt to within 0.5");

            Map<String, Double> scores = m.evaluate(val, fit);
            float[][] predictions = m.predict(toRows(val));
            double quartic = 0, within = 0;
            for (int i = 0; i < val.size(); i++) {
                double e = predictions[i][0] - val.target(i)[0];
                quartic += e * e * e * e;
                within += Math.abs(e) <= 0.5 ? 1 : 0;
            }
            assertEquals(quartic / val.size(), scores.get("loss"), 1e-6);
            assertEquals(within / val.size(), scores.get("within_half"), 1e-12);
            assertTrue(fit.toString().contains("quartic"), fit.toString());
        }
    }

    @Test
    void aLossOfYourOwnNamesItselfInDataErrors() {
        Loss own = new Quartic();
        try (LinearModel m = new LinearModel(2, 3, ActivationType.LINEAR, 3)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> m.fit(
                            data(8, 1),
                            Fit.epochs(1).loss(own).optimizer(Optimizers.sgd()).verbose(false)));
            assertTrue(e.getMessage().contains("but quartic on the 3 outputs"), e.getMessage());
        }
    }

    private static float[][] toRows(Dataset d) {
        float[][] rows = new float[d.size()][];
        for (int i = 0; i < rows.length; i++) rows[i] = d.features(i);
        return rows;
    }
}
