package io.nerva.runtime.classic;

import java.util.Arrays;

/**
 * Widrow and Hoff's ADALINE: the perceptron's unit, trained on its linear output. Labels 0/1 become
 * targets {@code t = −1/+1}; each epoch is one step of gradient descent on the mean squared error
 * {@code E = mean((t − z)²)/2} of {@code z = w·x + b} over all samples, the delta rule
 * {@code w ← w + η·mean((t − z)·x)}, {@code b ← b + η·mean(t − z)}. Unlike the perceptron it learns from
 * right answers too (any {@code z ≠ t}), and the error falls smoothly for a small enough η. It classifies
 * with the step of {@code z}. On XOR the least-squares fit is the constant 0, error 0.5: no better than guessing.
 */
public final class Adaline {
    private final float[] weights;
    private float bias;

    /** An Adaline over {@code inputs} inputs, weights and bias starting at zero. */
    public Adaline(int inputs) {
        if (inputs < 1) throw new IllegalArgumentException("an Adaline needs at least 1 input, got " + inputs);
        this.weights = new float[inputs];
    }

    public int inputs() {
        return weights.length;
    }

    /** The linear output {@code z = w·x + b}. */
    public double output(float[] x) {
        Samples.checkSample(x, weights.length, "sample");
        return Samples.dot(weights, x) + bias;
    }

    /** 1 when {@code z ≥ 0}, else 0. */
    public int predict(float[] x) {
        return output(x) >= 0 ? 1 : 0;
    }

    /**
     * {@code epochs} full-batch steps of the delta rule; returns the error {@code mean((t − z)²)/2} before
     * each step, so entry 0 is the error of the starting weights.
     */
    public double[] fit(float[][] x, int[] y, int epochs, double learningRate) {
        Samples.check(x, y, weights.length);
        Samples.checkRate(learningRate, epochs);
        double[] errors = new double[epochs];
        double[] gw = new double[weights.length];
        for (int e = 0; e < epochs; e++) {
            Arrays.fill(gw, 0);
            double gb = 0, sq = 0;
            for (int r = 0; r < x.length; r++) {
                double err = (y[r] == 1 ? 1 : -1) - output(x[r]);
                sq += err * err;
                for (int i = 0; i < weights.length; i++) gw[i] += err * x[r][i];
                gb += err;
            }
            errors[e] = sq / (2.0 * x.length);
            for (int i = 0; i < weights.length; i++) weights[i] += (float) (learningRate * gw[i] / x.length);
            bias += (float) (learningRate * gb / x.length);
        }
        return errors;
    }

    /** {@code mean((t − z)²)/2} of the current weights. */
    public double error(float[][] x, int[] y) {
        Samples.check(x, y, weights.length);
        double sq = 0;
        for (int r = 0; r < x.length; r++) {
            double err = (y[r] == 1 ? 1 : -1) - output(x[r]);
            sq += err * err;
        }
        return sq / (2.0 * x.length);
    }

    /** Samples the current weights misclassify. */
    public int errors(float[][] x, int[] y) {
        Samples.check(x, y, weights.length);
        int n = 0;
        for (int r = 0; r < x.length; r++) if (predict(x[r]) != y[r]) n++;
        return n;
    }

    public float[] weights() {
        return weights.clone();
    }

    public float bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "Adaline w=" + Arrays.toString(weights) + " b=" + bias;
    }
}
