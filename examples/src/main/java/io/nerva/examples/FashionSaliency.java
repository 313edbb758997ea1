package io.nerva.examples;

import io.nerva.annotations.LossFunction;
import io.nerva.examples.embedded.FashionClassifierNetModel;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.plot.Plots;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Looking inside the trained Fashion MLP: its 128 hidden features for test images ({@code Model.intermediate}),
 * saliency maps (|dLoss/dpixel| from {@code Model.inputGradient}) drawn beside the images, and adversarial
 * images by the fast gradient sign method, {@code x + ε·sign(dLoss/dx)}, which the network gets wrong
 * although they look the same. Arguments: {@code [dir] [test images, default 1000] [ε, default 0.05]
 * [output PNG, default fashion-saliency.png]}.
 */
public final class FashionSaliency {
    private FashionSaliency() {}

    /** Returns the clean and the adversarial accuracy and the share of hidden features that are exactly zero. */
    public static Map<String, Double> run(Path dir, int images, float epsilon, Path png, boolean verbose)
            throws IOException {
        Dataset test = FashionMnist.test(dir, false).take(images);
        Map<String, Double> result = new LinkedHashMap<>();
        try (var pretrained = FashionClassifierNetModel.pretrained();
                var net = FashionMlpNetModel.forInference()) {
            net.parameters().copyFrom(pretrained.parameters().toArray()); // same layers, now with derivatives
            int n = test.size(), size = test.sampleSize();
            float[] x = test.features();
            float[] labels = new float[n];
            int[] y = test.labels();
            for (int i = 0; i < n; i++) labels[i] = y[i];

            float[] hidden = net.intermediate("hidden", x, n, new float[n * 128]);
            int zeros = 0;
            for (float h : hidden) if (h == 0) zeros++;
            result.put("hidden_zero_share", zeros / (double) hidden.length);

            float[] grad =
                    net.inputGradient(x, n, labels, new float[n * size], LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY);
            float[] adversarial = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                adversarial[i] = Math.max(0f, Math.min(1f, x[i] + epsilon * Math.signum(grad[i])));
            }
            result.put("accuracy", accuracy(net, x, y));
            result.put("adversarial_accuracy", accuracy(net, adversarial, y));
            if (png != null) write(x, grad, adversarial, net, Math.min(8, n), png);
            if (verbose) {
                float[] first = net.intermediate("hidden", test.features(0));
                int best = 0;
                for (int j = 1; j < first.length; j++) if (first[j] > first[best]) best = j;
                System.out.printf(
                        "image 0 (%s): %d of 128 hidden features active, the strongest is unit %d (%.2f)%n",
                        FashionMnist.CLASS_NAMES.get(y[0]), countPositive(first), best, first[best]);
            }
        }
        return result;
    }

    private static int countPositive(float[] v) {
        int n = 0;
        for (float f : v) if (f > 0) n++;
        return n;
    }

    private static double accuracy(FashionMlpNetModel net, float[] x, int[] y) {
        float[] out = net.predictor().predictBatch(x, y.length);
        int right = 0;
        for (int r = 0; r < y.length; r++) {
            int best = 0;
            for (int j = 1; j < 10; j++) if (out[r * 10 + j] > out[r * 10 + best]) best = j;
            if (best == y[r]) right++;
        }
        return right / (double) y.length;
    }

    /** Rows: the images, their saliency (|gradient|, darkest where a pixel changes the loss most), the adversarial images. */
    private static void write(float[] x, float[] grad, float[] adversarial, FashionMlpNetModel net, int count, Path png)
            throws IOException {
        int scale = 3, side = 28 * scale, gap = 6;
        BufferedImage img =
                new BufferedImage(count * (side + gap) + gap, 3 * (side + gap) + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.dispose();
        for (int k = 0; k < count; k++) {
            float max = 1e-12f;
            for (int i = 0; i < 784; i++) max = Math.max(max, Math.abs(grad[k * 784 + i]));
            for (int i = 0; i < 784; i++) {
                int px = gap + k * (side + gap) + (i % 28) * scale, py = (i / 28) * scale;
                int ink = Math.round(255 * x[k * 784 + i]);
                int heat = Math.round(255 * Math.abs(grad[k * 784 + i]) / max);
                int adv = Math.round(255 * adversarial[k * 784 + i]);
                fill(img, px, gap + py, scale, gray(255 - ink));
                fill(
                        img,
                        px,
                        2 * gap + side + py,
                        scale,
                        (255 << 16) | ((255 - heat) << 8) | (255 - heat)); // white → red
                fill(img, px, 3 * gap + 2 * side + py, scale, gray(255 - adv));
            }
        }
        Plots.write(img, png);
    }

    private static int gray(int v) {
        return (v << 16) | (v << 8) | v;
    }

    private static void fill(BufferedImage img, int x, int y, int scale, int rgb) {
        for (int dy = 0; dy < scale; dy++) for (int dx = 0; dx < scale; dx++) img.setRGB(x + dx, y + dy, rgb);
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : FashionMnist.DEFAULT_DIR;
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        float epsilon = args.length > 2 ? Float.parseFloat(args[2]) : 0.05f;
        Path png = Path.of(args.length > 3 ? args[3] : "fashion-saliency.png");
        Map<String, Double> r = run(dir, images, epsilon, png, true);
        System.out.printf(
                "%.1f%% of hidden features are zero (ReLU); accuracy on %d test images %.2f%%, on their "
                        + "adversarial versions (ε = %s) %.2f%%; wrote %s%n",
                100 * r.get("hidden_zero_share"),
                images,
                100 * r.get("accuracy"),
                epsilon,
                100 * r.get("adversarial_accuracy"),
                png.toAbsolutePath());
    }
}
