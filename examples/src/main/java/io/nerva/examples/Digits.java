package io.nerva.examples;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;

/**
 * The course's 5×3 digit bitmaps: learn the ten clean digits, then read digits with one pixel
 * flipped, which the network has never seen.
 */
public final class Digits {
    private Digits() {}

    /** Rows of three pixels, top to bottom, for 0..9. */
    static final String[] BITMAPS = {
        "111 101 101 101 111", "010 110 010 010 111", "111 001 111 100 111", "111 001 111 001 111",
        "101 101 111 001 001", "111 100 111 001 111", "111 100 111 101 111", "111 001 001 001 001",
        "111 101 111 101 111", "111 101 111 001 111"
    };

    static float[] pixels(int digit) {
        String bits = BITMAPS[digit].replace(" ", "");
        float[] x = new float[15];
        for (int i = 0; i < 15; i++) x[i] = bits.charAt(i) == '1' ? 1 : 0;
        return x;
    }

    /** The ten clean digits with their labels. */
    public static Dataset clean() {
        float[][] x = new float[10][];
        int[] labels = new int[10];
        for (int d = 0; d < 10; d++) {
            x[d] = pixels(d);
            labels[d] = d;
        }
        return Dataset.withSparseLabels(x, labels, 10);
    }

    /** Every digit with each one of its 15 pixels flipped: 150 noisy samples. */
    public static Dataset noisy() {
        float[][] x = new float[150][];
        int[] labels = new int[150];
        for (int d = 0; d < 10; d++) {
            for (int p = 0; p < 15; p++) {
                float[] img = pixels(d);
                img[p] = 1 - img[p];
                x[d * 15 + p] = img;
                labels[d * 15 + p] = d;
            }
        }
        return Dataset.withSparseLabels(x, labels, 10);
    }

    public static void main(String[] args) {
        try (DigitsNetModel net = DigitsNetModel.create(3)) {
            Fit fit = Fit.epochs(300)
                    .batch(10)
                    .optimizer(Optimizers.adam(0.02))
                    .metrics(Metrics.accuracy())
                    .verbose(false);
            net.fit(clean(), fit);
            System.out.println("clean digits:  " + net.evaluate(clean(), fit));
            System.out.println("one pixel off: " + net.evaluate(noisy(), fit));
            float[] seven = pixels(7);
            seven[12] = 1; // a 7 with a foot
            System.out.println("a seven with a foot reads as " + net.predictClass(seven));
        }
    }
}
