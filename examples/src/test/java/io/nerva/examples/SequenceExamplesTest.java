package io.nerva.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sequence examples learn what their data hold: seconds each. */
class SequenceExamplesTest {

    @Test
    void gruForecastsTheSineFarBetterThanRepeatingItsInput() {
        Map<String, Double> test = SineForecast.run(6, false);
        double naive = SineForecast.naiveMse(SineForecast.windows(1000, 2));
        assertTrue(naive > 0.04, "the bar itself: " + naive);
        assertTrue(
                test.get("loss") < naive / 3, "GRU test MSE " + test.get("loss") + " vs repeating the input " + naive);
    }

    @Test
    void embeddingLstmLearnsTokenOrderThatABagOfWordsCannotSee() {
        Map<String, Double> test = TokenOrder.run(3, false);
        assertTrue(test.get("binary_accuracy") > 0.95, "test accuracy " + test);
    }
}
