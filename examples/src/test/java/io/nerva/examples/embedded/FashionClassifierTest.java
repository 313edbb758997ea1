package io.nerva.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the classifier prints is what printf and predictClass would give. */
class FashionClassifierTest {

    @Test
    void lineIsExactlyWhatPrintfPrints() {
        Random random = new Random(3);
        Locale[] locales = {Locale.ROOT, Locale.ENGLISH, Locale.US, Locale.GERMANY, Locale.FRANCE};
        for (int n = 0; n < 200_000; n++) {
            float percent = switch (n % 4) {
                case 0 -> 100 * random.nextFloat();
                case 1 -> random.nextInt(2001) / 20f; // ties: x.x5 where exact
                case 2 -> random.nextInt(800_001) / 8000f;
                default -> Float.intBitsToFloat(random.nextInt()); // anything: huge, tiny, negative, NaN
            };
            Locale locale = locales[n % locales.length];
            assertEquals(
                    String.format(locale, "image %d: %s (%.1f%%)", n, "Ankle boot", percent),
                    FashionClassifier.line(n, "Ankle boot", percent, locale),
                    "percent " + percent + " in " + locale);
        }
    }

    @Test
    void argMaxOfThePredictionIsPredictClass() throws Exception {
        Dataset test = FashionMnist.test(FashionMnist.DEFAULT_DIR, false);
        try (FashionClassifierNetModel net = FashionClassifierNetModel.pretrained()) {
            for (int i = 0; i < 1000; i++) {
                assertEquals(
                        net.predictClass(test.features(i)), FashionClassifier.argMax(net.predict(test.features(i))));
            }
        }
        assertEquals(0, FashionClassifier.argMax(new float[] {1, 0, 1}), "first on ties");
        assertEquals(0, FashionClassifier.argMax(new float[] {Float.NaN, 2, 3}), "as predictClass: NaN first wins");
    }

    @Test
    void processAgeIsAtLeastTheJvmUptime() {
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        long age = FashionClassifier.millisSinceStart();
        // /proc counts 10 ms ticks and includes the launcher: never much less than the JVM's uptime
        assertTrue(age >= uptime - 20 && age < uptime + 60_000, "process age " + age + " ms, JVM uptime " + uptime);
    }
}
