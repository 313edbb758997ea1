package io.nerva.runtime.data;

import java.util.Objects;

/**
 * Scales every feature to mean 0 and standard deviation 1, as Keras' {@code Normalization}
 * layer: statistics fitted on the training set (population variance), then applied unchanged to
 * validation, test and prediction inputs. A constant feature gets std 1 so it maps to 0.
 */
public final class Standardizer {
    private final float[] mean;
    private final float[] std;

    private Standardizer(float[] mean, float[] std) {
        this.mean = mean;
        this.std = std;
    }

    /** Per-feature mean and standard deviation of a dataset (accumulated in double). */
    public static Standardizer fit(Dataset data) {
        int n = data.size();
        int width = data.sampleSize();
        if (n == 0) throw new IllegalArgumentException("cannot fit a Standardizer on an empty dataset");
        float[] x = data.features();
        double[] sum = new double[width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) sum[j] += x[i * width + j];
        }
        float[] mean = new float[width];
        for (int j = 0; j < width; j++) mean[j] = (float) (sum[j] / n);
        // Second pass on the deviations: numerically safer than E[x²] − E[x]².
        double[] squares = new double[width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                double d = x[i * width + j] - (double) mean[j];
                squares[j] += d * d;
            }
        }
        float[] std = new float[width];
        for (int j = 0; j < width; j++) {
            float s = (float) Math.sqrt(squares[j] / n);
            std[j] = s > 0f ? s : 1f;
        }
        return new Standardizer(mean, std);
    }

    /** A standardizer with known statistics (e.g. restored from a file); std 0 is replaced by 1. */
    public static Standardizer of(float[] mean, float[] std) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means but " + std.length + " standard deviations");
        }
        float[] s = std.clone();
        for (int j = 0; j < s.length; j++) {
            if (!(s[j] >= 0) || !Float.isFinite(s[j]) || !Float.isFinite(mean[j])) {
                throw new IllegalArgumentException(
                        "feature " + j + ": mean " + mean[j] + ", std " + std[j] + " is not usable");
            }
            if (s[j] == 0f) s[j] = 1f;
        }
        return new Standardizer(mean.clone(), s);
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /** A new dataset with standardized features and the same targets. */
    public Dataset apply(Dataset data) {
        checkWidth(data.sampleSize());
        float[] x = data.features();
        int width = mean.length;
        for (int i = 0; i < x.length; i++) {
            int j = i % width;
            x[i] = (x[i] - mean[j]) / std[j];
        }
        return data.withFeatures(x);
    }

    /** A standardized copy of one sample. */
    public float[] apply(float[] sample) {
        float[] out = sample.clone();
        applyInPlace(out);
        return out;
    }

    /** Standardizes one sample in place (no allocation, for prediction loops). */
    public void applyInPlace(float[] sample) {
        checkWidth(sample.length);
        for (int j = 0; j < sample.length; j++) sample[j] = (sample[j] - mean[j]) / std[j];
    }

    /** Undoes {@link #apply(float[])}: {@code x·std + mean}. */
    public float[] invert(float[] standardized) {
        checkWidth(standardized.length);
        float[] out = new float[standardized.length];
        for (int j = 0; j < out.length; j++) out[j] = standardized[j] * std[j] + mean[j];
        return out;
    }

    private void checkWidth(int width) {
        if (width != mean.length) {
            throw new IllegalArgumentException(
                    "this Standardizer was fitted on " + mean.length + " features, got " + width);
        }
    }
}
