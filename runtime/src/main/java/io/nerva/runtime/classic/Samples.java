package io.nerva.runtime.classic;

/** The checks every classic learner makes on its training set. */
final class Samples {
    private Samples() {}

    /** {@code x} non-empty, rectangular with {@code inputs} columns, finite; {@code y} of 0s and 1s, one per row. */
    static void check(float[][] x, int[] y, int inputs) {
        if (x == null || y == null) throw new IllegalArgumentException("samples and labels must not be null");
        if (x.length == 0) throw new IllegalArgumentException("expected at least one sample, got none");
        if (x.length != y.length) {
            throw new IllegalArgumentException(
                    "expected one label per sample: " + x.length + " samples, " + y.length + " labels");
        }
        for (int r = 0; r < x.length; r++) {
            checkSample(x[r], inputs, "sample " + r);
            if (y[r] != 0 && y[r] != 1)
                throw new IllegalArgumentException("label " + r + ": expected 0 or 1, got " + y[r]);
        }
    }

    static void checkSample(float[] x, int inputs, String what) {
        if (x == null) throw new IllegalArgumentException(what + " is null");
        if (x.length != inputs)
            throw new IllegalArgumentException(what + ": expected " + inputs + " inputs, got " + x.length);
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) throw new IllegalArgumentException(what + ", input " + i + " is " + x[i]);
        }
    }

    static void checkRate(double learningRate, int epochs) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
    }

    static double dot(float[] w, float[] x) {
        double z = 0;
        for (int i = 0; i < w.length; i++) z += (double) w[i] * x[i];
        return z;
    }
}
