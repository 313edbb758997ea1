package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.progress.ProgressBar;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Keras-style progress: {@link ProgressBar} and what {@code fit}, {@code evaluate} and {@code predict} print at each verbosity. */
class ProgressTest {
    private static final Dataset DATA = TestData.blobs(20, 1, true); // 60 samples: 8 steps of 8

    private static String run(Fit fit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            Trainer.fit(
                    model,
                    DATA,
                    fit.batch(8)
                            .log(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                            .optimizer(TestOptimizers.sgd(0.1))
                            .loss(TestLosses.CCE)
                            .metrics(new TestAccuracy())
                            .validation(DATA));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalVerbose1RedrawsOneLinePerEpoch() {
        String out = run(Fit.epochs(2).terminal(true));
        String[] lines = out.split("\n");
        assertEquals(4, lines.length, out);
        assertEquals("Epoch 1/2", lines[0]);
        assertEquals("Epoch 2/2", lines[2]);
        for (String line : new String[] {lines[1], lines[3]}) {
            String[] frames = line.split("\r", -1);
            assertEquals("", frames[0], "each frame starts with a carriage return");
            // the first step is drawn at once; the others come faster than 0.1 s apart
            assertTrue(frames.length >= 3, line);
            assertTrue(
                    frames[1].matches(
                            "1/8 \\[===>\\.{26}] ETA: \\d+s - \\d+(us|ms)/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"),
                    frames[1]);
            String last = frames[frames.length - 1];
            assertTrue(
                    last.matches("8/8 \\[={30}] \\d+s \\d+(us|ms)/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"
                            + " - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4} *"),
                    last);
        }
    }

    @Test
    void elsewhereVerbose1And2PrintOneLinePerEpochAnd0Nothing() {
        for (Fit fit : new Fit[] {
            Fit.epochs(2), Fit.epochs(2).verbose(2), Fit.epochs(2).verbose(2).terminal(true)
        }) {
            String out = run(fit);
            assertFalse(out.contains("\r"), out);
            String[] lines = out.split("\\R");
            assertEquals(2, lines.length, out);
            assertTrue(
                    lines[1].matches("Epoch 2/2 - \\d+\\.\\d\\ds - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"
                            + " - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}"),
                    lines[1]);
        }
        assertEquals("", run(Fit.epochs(2).verbose(0)));
        assertEquals(
                "verbose must be 0, 1 or 2, got 3",
                assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).verbose(3))
                        .getMessage());
    }

    @Test
    void barRedrawsAtMostEveryTenthOfASecondWithEtaFromTheRateSoFar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), 100, true, now::get);
        int[] asked = {0};
        ProgressBar.Values values = () -> {
            asked[0]++;
            return Map.of("loss", 0.25);
        };
        for (int step = 1; step <= 100; step++) {
            now.addAndGet(20_000_000L); // 20 ms a step
            bar.update(step, values);
        }
        bar.finish(Map.of("loss", 0.125));
        String out = bytes.toString(StandardCharsets.UTF_8);
        // drawn at steps 1, 6, 11, ... 96: 20 frames, then the final line
        assertEquals(20, asked[0], "values are built only for a redraw");
        assertEquals(21, out.chars().filter(c -> c == '\r').count());
        assertFalse(out.contains("\r 10/100 ["), "not drawn at step 10");
        assertTrue(out.contains("\r 11/100 [===>..........................] ETA: 2s - 20ms/step - loss: 0.2500"), out);
        // the final line, padded over the longer running line before it
        assertTrue(
                out.endsWith("\r100/100 [==============================] 2s 20ms/step - loss: 0.1250" + " ".repeat(7)
                        + System.lineSeparator()),
                out);
        assertEquals(
                "step 101 is outside the bar's 0..100",
                assertThrows(IllegalArgumentException.class, () -> bar.update(101, null))
                        .getMessage());
    }

    @Test
    void notOnATerminalTheBarPrintsOnlyItsFinalLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3, false, now::get);
        for (int step = 1; step <= 3; step++) {
            now.addAndGet(1_500_000L);
            bar.update(step, () -> fail("not drawn"));
        }
        bar.finish(Map.of());
        assertEquals("3/3 0s 2ms/step" + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void evaluateAndPredictShowProgressOnLargeData() {
        Dataset large = TestData.blobs(ProgressBar.LARGE / 3 + 1, 2, true); // 10002 samples
        Fit fit = Fit.epochs(1).batch(1000).loss(TestLosses.CCE).metrics(new TestAccuracy());
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            Map<String, Double> r = Trainer.evaluate(model, large, fit.log(log));
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(
                    out.matches("11/11 \\d+s \\d+(us|ms)/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}\\R"), out);
            assertTrue(out.contains(String.format(java.util.Locale.ROOT, "loss: %.4f", r.get("loss"))), out);
            assertEquals(r, Trainer.evaluate(model, large, fit.verbose(0)), "progress does not change the results");

            bytes.reset();
            float[][] p = Trainer.predict(model, large, fit.log(log).terminal(true));
            out = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(out.startsWith("\r 1/11 ["), out);
            assertTrue(out.matches("(?s).*\r11/11 \\[={30}] \\d+s \\d+(us|ms)/step *\\R"), out);
            assertEquals(large.size(), p.length);
            for (int i : new int[] {0, 4321, large.size() - 1}) {
                assertArrayEquals(model.predict(large.features(i)), p[i], "row " + i);
            }

            bytes.reset();
            Dataset small = TestData.blobs(10, 2, true);
            Trainer.evaluate(model, small, fit.log(log));
            Trainer.predict(model, small, fit.log(log));
            assertEquals("", bytes.toString(StandardCharsets.UTF_8), "small data: no progress");
            assertEquals(
                    "prediction data has samples of 2 floats (shape [2]) but model 'Linear3x3' expects 3 (shape [3])",
                    assertThrows(IllegalArgumentException.class, () -> {
                                try (LinearModel m3 = new LinearModel(3, 3, ActivationType.SOFTMAX, 5)) {
                                    Trainer.predict(m3, small, fit);
                                }
                            })
                            .getMessage());
        }
    }
}
