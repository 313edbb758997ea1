package io.nerva.runtime.plot;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.metric.ConfusionMatrix;
import io.nerva.runtime.train.History;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PNG charts: valid files of the expected size, with the curves drawn in their colours. */
class PlotsTest {
    @TempDir
    Path dir;

    static History history() {
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put("loss", new double[] {0.9, 0.6, 0.45, 0.38, 0.33, 0.30, 0.28, 0.27});
        v.put("accuracy", new double[] {0.68, 0.79, 0.83, 0.86, 0.875, 0.885, 0.89, 0.895});
        v.put("val_loss", new double[] {0.7, 0.52, 0.45, 0.42, 0.40, 0.40, 0.41, 0.42});
        v.put("val_accuracy", new double[] {0.75, 0.81, 0.84, 0.85, 0.86, 0.862, 0.861, 0.86});
        return new History(v);
    }

    /** Reads the PNG signature and IHDR by hand, then decodes it with ImageIO. */
    static BufferedImage readPng(Path file, int width, int height) throws Exception {
        try (InputStream in = Files.newInputStream(file);
                DataInputStream d = new DataInputStream(in)) {
            byte[] sig = new byte[8];
            d.readFully(sig);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, sig, "PNG signature");
            assertEquals(13, d.readInt(), "IHDR length");
            byte[] type = new byte[4];
            d.readFully(type);
            assertEquals("IHDR", new String(type, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(width, d.readInt(), "width");
            assertEquals(height, d.readInt(), "height");
        }
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, "ImageIO decodes it");
        return img;
    }

    private static long pixels(BufferedImage img, int rgb) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == rgb) n++;
        return n;
    }

    @Test
    void trainingCurvesAreAValidPngWithBothSeriesDrawn() throws Exception {
        Path file = dir.resolve("plots/curves.png");
        Plots.writeHistory(history(), file);
        BufferedImage img = readPng(file, 2 * Plots.PANEL_WIDTH, Plots.PANEL_HEIGHT);
        assertTrue(pixels(img, 0x1f77b4) > 200, "the training curves (blue) are drawn");
        assertTrue(pixels(img, 0xff7f0e) > 200, "the validation curves (orange) are drawn");
        // left half is the loss chart, right half accuracy: both have both colours
        BufferedImage loss = img.getSubimage(0, 0, Plots.PANEL_WIDTH, Plots.PANEL_HEIGHT);
        BufferedImage acc = img.getSubimage(Plots.PANEL_WIDTH, 0, Plots.PANEL_WIDTH, Plots.PANEL_HEIGHT);
        for (BufferedImage panel : List.of(loss, acc)) {
            assertTrue(pixels(panel, 0x1f77b4) > 100 && pixels(panel, 0xff7f0e) > 100);
        }
        Plots.writeHistory(history(), file, 800, 300);
        readPng(file, 800, 300);
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void aHistoryWithoutValidationHasOnlyTrainingCurves() {
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put("loss", new double[] {1.0});
        BufferedImage img = Plots.renderHistory(new History(v));
        assertEquals(Plots.PANEL_WIDTH, img.getWidth());
        assertTrue(pixels(img, 0x1f77b4) > 10);
        assertEquals(0, pixels(img, 0xff7f0e));
        assertEquals(
                "the history has no epoch to plot",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Plots.renderHistory(new History(Map.of("loss", new double[0]))))
                        .getMessage());
        assertEquals(
                "image size must be 100..10000 pixels each way, got 50x300",
                assertThrows(IllegalArgumentException.class, () -> Plots.renderHistory(history(), 50, 300))
                        .getMessage());
    }

    @Test
    void confusionMatrixHeatMap() throws Exception {
        ConfusionMatrix cm = ConfusionMatrix.of(
                new int[] {0, 0, 0, 1, 1, 2, 2, 2, 2, 2}, new int[] {0, 0, 1, 1, 2, 2, 2, 2, 0, 1}, 3);
        Path file = dir.resolve("cm.png");
        Plots.writeConfusionMatrix(cm, List.of("cat", "dog", "bird"), file);
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img);
        readPng(file, img.getWidth(), img.getHeight());
        assertTrue(img.getWidth() >= 3 * 36 && img.getHeight() >= 3 * 36);
        assertEquals(
                "expected 3 class names, got 1",
                assertThrows(IllegalArgumentException.class, () -> Plots.renderConfusionMatrix(cm, List.of("x")))
                        .getMessage());
    }

    @Test
    void sampleImagesWithLabels() throws Exception {
        float[] pixels = new float[4 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (i % 28) / 27f;
        Dataset data = Dataset.labeled(pixels, new int[] {28, 28, 1}, new int[] {0, 1, 2, 1}, 3, false)
                .withClassNames(List.of("a", "b", "c"));
        Path file = dir.resolve("samples.png");
        Plots.writeSamples(data, new int[] {0, 1, 1, 1}, 4, file);
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(2 * 120, img.getWidth(), "2 columns of 110+10 px");
        assertTrue(pixels(img, 0xd62728) > 0, "the wrong prediction is written in red");
        assertEquals(
                "expected image samples of shape [h, w], [h, w, 1] or [h, w, 3], got [5]",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Plots.renderSamples(
                                        Dataset.of(new float[][] {{1, 2, 3, 4, 5}}, new float[][] {{1}}),
                                        new int[] {0},
                                        1))
                        .getMessage());
        assertEquals(
                "expected one predicted class per sample (4), got 2",
                assertThrows(IllegalArgumentException.class, () -> Plots.renderSamples(data, new int[] {0, 1}, 4))
                        .getMessage());
    }
}
