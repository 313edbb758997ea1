package io.nerva.runtime.classic;

import java.util.Arrays;

/**
 * Rosenblatt's perceptron: {@code ŷ = step(w·x + b)} (1 when {@code w·x + b ≥ 0}, else 0), trained one
 * sample at a time by {@code w ← w + η(y − ŷ)x}, {@code b ← b + η(y − ŷ)}: a right answer changes nothing,
 * a wrong one moves the boundary towards the sample. On linearly separable data (AND, OR) it stops making
 * mistakes after finitely many updates (the perceptron convergence theorem); on XOR no line separates
 * the classes, so at least one of the four cases is always wrong, however long it trains.
 *
 * <pre>{@code
 * Perceptron and = new Perceptron(2);
 * int[] errors = and.fit(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, new int[] {0, 0, 0, 1}, 20, 0.1);
 * and.predict(new float[] {1, 1});   // 1
 * }</pre>
 */
public final class Perceptron {
    private final float[] weights;
    private float bias;

    /** A perceptron over {@code inputs} inputs, weights and bias starting at zero (as Rosenblatt's). */
    public Perceptron(int inputs) {
        if (inputs < 1) throw new IllegalArgumentException("a perceptron needs at least 1 input, got " + inputs);
        this.weights = new float[inputs];
    }

    /** A perceptron with the given starting weights and bias. */
    public Perceptron(float[] weights, float bias) {
        this(weights.length);
        Samples.checkSample(weights, weights.length, "weights");
        System.arraycopy(weights, 0, this.weights, 0, weights.length);
        this.bias = bias;
    }

    public int inputs() {
        return weights.length;
    }

    /** {@code w·x + b}. */
    public double net(float[] x) {
        Samples.checkSample(x, weights.length, "sample");
        return Samples.dot(weights, x) + bias;
    }

    /** The step of {@link #net}: 1 when it is ≥ 0, else 0. */
    public int predict(float[] x) {
        return net(x) >= 0 ? 1 : 0;
    }

    /**
     * Runs {@code epochs} passes over the samples in order, applying the perceptron rule after each sample;
     * returns the number of misclassified samples in each epoch (counted as the epoch went, before each update).
     * Stops early after an epoch without a mistake (the rest of the array stays 0).
     */
    public int[] fit(float[][] x, int[] y, int epochs, double learningRate) {
        Samples.check(x, y, weights.length);
        Samples.checkRate(learningRate, epochs);
        int[] errors = new int[epochs];
        for (int e = 0; e < epochs; e++) {
            for (int r = 0; r < x.length; r++) {
                int delta = y[r] - predict(x[r]);
                if (delta == 0) continue;
                errors[e]++;
                float step = (float) (learningRate * delta);
                for (int i = 0; i < weights.length; i++) weights[i] += step * x[r][i];
                bias += step;
            }
            if (errors[e] == 0) break;
        }
        return errors;
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
        return "Perceptron w=" + Arrays.toString(weights) + " b=" + bias;
    }
}
