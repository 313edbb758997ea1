package io.nerva.examples;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
