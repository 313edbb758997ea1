package io.nerva.runtime.train;

import io.nerva.runtime.core.Rng;
import io.nerva.runtime.data.Dataset;

/** Small synthetic problems. */
final class TestData {
    private TestData() {}

    /** Three well separated Gaussian blobs in 2-d, {@code perClass} samples each, one-hot or sparse labels. */
    static Dataset blobs(int perClass, long seed, boolean oneHot) {
        float[][] centers = {{-3, 0}, {3, 0}, {0, 4}};
        Rng rng = new Rng(seed);
        int n = perClass * centers.length;
        float[][] x = new float[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % centers.length; // interleaved so every slice holds all classes
            x[i] = new float[] {
                centers[c][0] + (float) (0.5 * rng.nextGaussian()), centers[c][1] + (float) (0.5 * rng.nextGaussian())
            };
            labels[i] = c;
        }
        return oneHot ? Dataset.classification(x, labels, 3) : Dataset.withSparseLabels(x, labels, 3);
    }

    /** y = 2·x0 − 3·x1 + 1 with a little noise. */
    static Dataset regression(int n, long seed) {
        Rng rng = new Rng(seed);
        float[][] x = new float[n][2];
        float[][] y = new float[n][1];
        for (int i = 0; i < n; i++) {
            x[i][0] = (float) rng.nextGaussian();
            x[i][1] = (float) rng.nextGaussian();
            y[i][0] = 2 * x[i][0] - 3 * x[i][1] + 1 + (float) (0.01 * rng.nextGaussian());
        }
        return Dataset.of(x, y);
    }

    /** Samples whose only feature is their own index, for tracking the visiting order. */
    static Dataset ids(int n) {
        float[][] x = new float[n][1];
        float[][] y = new float[n][1];
        for (int i = 0; i < n; i++) x[i][0] = i;
        return Dataset.of(x, y);
    }
}
