package io.nerva.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Small end-to-end learning problems, seconds each. */
class LearningTest {

    @Test
    void xorReachesFullAccuracyFromEverySeed() {
        for (long seed = 1; seed <= 5; seed++) {
            Map<String, Double> r = Xor.run(seed, false);
            assertEquals(1.0, r.get("accuracy"), "XOR accuracy from seed " + seed + ": " + r);
        }
    }

    @Test
    void sameSeedSameWeightsAndHistoryBitForBit() {
        io.nerva.runtime.data.Dataset data = Iris.load();
        io.nerva.runtime.train.Fit fit = io.nerva.runtime.train.Fit.epochs(5)
                .batch(16)
                .optimizer(io.nerva.runtime.optim.Optimizers.adam(0.01))
                .metrics(io.nerva.runtime.metric.Metrics.accuracy())
                .validationSplit(0.2)
                .seed(7)
                .verbose(false);
        try (IrisNetModel a = IrisNetModel.create(3);
                IrisNetModel b = IrisNetModel.create(3);
                IrisNetModel c = IrisNetModel.create(3)) {
            var ha = a.fit(data, fit);
            var hb = b.fit(data, fit);
            var hc = c.fit(data, fit.seed(8));
            assertEquals(ha, hb, "same seed, same History");
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    a.parameters().toArray(), b.parameters().toArray(), "same seed, same weights");
            org.junit.jupiter.api.Assertions.assertNotEquals(ha, hc, "another shuffling seed gives another History");
        }
    }

    @Test
    void irisReaches95PercentOnHeldOutFlowers() {
        // Mean over several random 80/20 splits: one split of 30 flowers moves in steps of 3.3%.
        double sum = 0;
        int splits = 5;
        StringBuilder each = new StringBuilder();
        for (long seed = 1; seed <= splits; seed++) {
            double acc = Iris.run(seed, false).get("accuracy");
            each.append(String.format(" %.3f", acc));
            sum += acc;
        }
        double mean = sum / splits;
        System.out.printf("Iris test accuracy per split:%s, mean %.3f%n", each, mean);
        assertTrue(mean >= 0.95, "mean Iris test accuracy " + mean + " over splits:" + each);
    }
}
