package io.nerva.examples;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.plot.Plots;
import io.nerva.runtime.train.Fit;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dense 784-128-32-128-784 autoencoder on Fashion-MNIST trained with MSE to give back its input; writes
 * originals above their reconstructions as a PNG, then uses the 32-d codes ({@code Model.intermediate}) as
 * the features of a small classifier. Arguments: {@code [dir] [epochs, default 10] [training samples, default
 * all] [output PNG, default fashion-autoencoder.png]}.
 */
public final class FashionAutoencoder {
    private FashionAutoencoder() {}

    /** The data set whose targets are its own features. */
    public static Dataset selfTargets(Dataset data) {
        return Dataset.of(data.features(), data.sampleShape(), data.features(), data.sampleSize());
    }

    /** The 32-d code of every sample of {@code data}, with its labels: the classifier's data set. */
    public static Dataset codes(FashionAutoencoderNetModel net, Dataset data) {
        float[] codes = net.intermediate("code", data.features(), data.size(), new float[data.size() * 32]);
        return Dataset.labeled(codes, new int[] {32}, data.labels(), FashionMnist.CLASSES, false);
    }

    /**
     * Trains both; returns the test reconstruction MSE ({@code mse}), the MSE of always answering the mean training
     * image ({@code mean_image_mse}) and the code classifier's test accuracy ({@code code_accuracy}).
     */
    public static Map<String, Double> run(Path dir, int epochs, int trainSamples, Path png, boolean verbose)
            throws IOException {
        Dataset train = FashionMnist.train(dir, false).shuffled(1).take(Math.min(trainSamples, 60_000));
        Dataset test = FashionMnist.test(dir, false);
        Map<String, Double> result = new LinkedHashMap<>();
        try (var net = FashionAutoencoderNetModel.create(3)) {
            if (verbose) System.out.println(net.summary());
            Fit fit = Fit.epochs(epochs)
                    .batch(128)
                    .optimizer(Optimizers.adam(2e-3))
                    .seed(3)
                    .verbose(verbose ? 2 : 0);
            net.fit(selfTargets(train), fit);
            result.put("mse", net.evaluate(selfTargets(test), fit).get("loss"));
            result.put("mean_image_mse", meanImageMse(train, test));
            if (png != null) writeReconstructions(net, test, 10, png);

            try (var classifier = FashionCodeClassifierNetModel.create(4)) {
                Fit cfit = Fit.epochs(Math.max(3, epochs))
                        .batch(64)
                        .optimizer(Optimizers.adam(3e-3))
                        .metrics(Metrics.accuracy())
                        .seed(4)
                        .verbose(verbose ? 2 : 0);
                classifier.fit(codes(net, train), cfit);
                result.put(
                        "code_accuracy",
                        classifier.evaluate(codes(net, test), cfit).get("accuracy"));
            }
        }
        return result;
    }

    /** Mean over pixels and samples of (x − mean training image)²: the MSE a model without a code would reach. */
    static double meanImageMse(Dataset train, Dataset test) {
        int n = train.sampleSize();
        double[] mean = new double[n];
        float[] x = train.features();
        for (int i = 0; i < x.length; i++) mean[i % n] += x[i] / train.size();
        float[] t = test.features();
        double sum = 0;
        for (int i = 0; i < t.length; i++) sum += Math.pow(t[i] - mean[i % n], 2);
        return sum / t.length;
    }

    /** The first {@code count} test images on the top row, their reconstructions below. */
    static void writeReconstructions(FashionAutoencoderNetModel net, Dataset test, int count, Path png)
            throws IOException {
        int scale = 3, side = 28 * scale, gap = 6, label = 18;
        BufferedImage img = new BufferedImage(
                count * (side + gap) + gap, 2 * (side + gap + label) + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString("original", gap, label - 4);
        g.drawString("reconstruction from 32 numbers", gap, side + gap + 2 * label - 4);
        for (int k = 0; k < count; k++) {
            float[] original = test.features(k);
            float[] rebuilt = net.predict(original);
            draw(img, original, gap + k * (side + gap), label, scale);
            draw(img, rebuilt, gap + k * (side + gap), side + gap + 2 * label, scale);
        }
        g.dispose();
        Plots.write(img, png);
    }

    private static void draw(BufferedImage img, float[] pixels, int left, int top, int scale) {
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = 255 - Math.round(255 * Math.max(0, Math.min(1, pixels[y * 28 + x]))); // dark ink on white
                int rgb = (v << 16) | (v << 8) | v;
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) img.setRGB(left + x * scale + dx, top + y * scale + dy, rgb);
                }
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : FashionMnist.DEFAULT_DIR;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 60_000;
        Path png = Path.of(args.length > 3 ? args[3] : "fashion-autoencoder.png");
        Map<String, Double> r = run(dir, epochs, samples, png, true);
        System.out.printf(
                "test reconstruction MSE %.4f (the mean image: %.4f); a 32-32-10 classifier on the codes: "
                        + "%.2f%% test accuracy; wrote %s%n",
                r.get("mse"), r.get("mean_image_mse"), 100 * r.get("code_accuracy"), png.toAbsolutePath());
    }
}
