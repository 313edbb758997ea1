package io.nerva.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The regularisation example and the custom-pieces example learn Iris; the custom pieces pass their gradient checks. */
class CourseExtrasTest {

    private static double meanAccuracy(java.util.function.LongFunction<Map<String, Double>> run, String metric) {
        double sum = 0;
        for (long seed = 1; seed <= 3; seed++) sum += run.apply(seed).get(metric);
        return sum / 3;
    }

    @Test
    void regularizedMaxoutPreluNetLearnsIris() {
        double acc = meanAccuracy(seed -> IrisRegularized.run(seed, false), "accuracy");
        assertTrue(acc >= 0.9, "mean test accuracy " + acc);
    }

    @Test
    void customPiecesPassTheirChecksAndLearnIris() {
        IrisCustom.checkPieces(false);
        double acc = meanAccuracy(seed -> IrisCustom.run(seed, false), "accuracy");
        assertTrue(acc >= 0.9, "mean test accuracy " + acc);
        double confident = meanAccuracy(seed -> IrisCustom.run(seed, false), "confident_accuracy");
        assertTrue(confident > 0.5 && confident <= acc, "confident accuracy " + confident + " within accuracy " + acc);
    }
}
