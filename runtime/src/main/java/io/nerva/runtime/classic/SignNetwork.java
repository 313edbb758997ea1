package io.nerva.runtime.classic;

import java.util.ArrayList;
import java.util.List;

/**
 * A feed-forward network of sign units with weights set by hand, as the course builds XOR before any
 * training: each unit outputs {@code sign(w·x + b)}, +1 when {@code w·x + b ≥ 0}, else −1.
 *
 * <pre>{@code
 * SignNetwork xor = SignNetwork.builder(2)                      // inputs ±1
 *         .layer(new float[][] {{1, 1}, {1, 1}}, new float[] {1, -1})   // OR, AND
 *         .layer(new float[][] {{1, -1}}, new float[] {-1})              // OR and not AND
 *         .build();
 * xor.output(new float[] {1, -1});   // {1}
 * }</pre>
 */
public final class SignNetwork {
    private final int inputs;
    private final List<float[][]> weights;
    private final List<float[]> biases;

    private SignNetwork(int inputs, List<float[][]> weights, List<float[]> biases) {
        this.inputs = inputs;
        this.weights = weights;
        this.biases = biases;
    }

    public static Builder builder(int inputs) {
        if (inputs < 1) throw new IllegalArgumentException("a network needs at least 1 input, got " + inputs);
        return new Builder(inputs);
    }

    /** Adds layers in order; each layer's weights are {@code [units][inputs of the layer]}. */
    public static final class Builder {
        private final int inputs;
        private int width;
        private final List<float[][]> weights = new ArrayList<>();
        private final List<float[]> biases = new ArrayList<>();

        private Builder(int inputs) {
            this.inputs = inputs;
            this.width = inputs;
        }

        /** A layer of {@code weights.length} sign units; unit {@code j} computes {@code sign(weights[j]·x + bias[j])}. */
        public Builder layer(float[][] weights, float[] bias) {
            int layer = this.weights.size();
            if (weights == null || bias == null || weights.length == 0) {
                throw new IllegalArgumentException(
                        "layer " + layer + ": expected at least one unit's weights and a bias per unit");
            }
            if (bias.length != weights.length) {
                throw new IllegalArgumentException(
                        "layer " + layer + ": " + weights.length + " units but " + bias.length + " biases");
            }
            float[][] copy = new float[weights.length][];
            for (int j = 0; j < weights.length; j++) {
                Samples.checkSample(weights[j], width, "layer " + layer + ", unit " + j + " weights");
                copy[j] = weights[j].clone();
            }
            Samples.checkSample(bias, bias.length, "layer " + layer + " biases");
            this.weights.add(copy);
            this.biases.add(bias.clone());
            width = weights.length;
            return this;
        }

        public SignNetwork build() {
            if (weights.isEmpty()) throw new IllegalStateException("a network needs at least one layer");
            return new SignNetwork(inputs, List.copyOf(weights), List.copyOf(biases));
        }
    }

    /** The output of every layer for {@code x}, first layer first (each value +1 or −1). */
    public float[][] activations(float[] x) {
        Samples.checkSample(x, inputs, "input");
        float[][] out = new float[weights.size()][];
        float[] a = x;
        for (int l = 0; l < weights.size(); l++) {
            float[][] w = weights.get(l);
            float[] b = biases.get(l);
            float[] next = new float[w.length];
            for (int j = 0; j < w.length; j++) next[j] = Samples.dot(w[j], a) + b[j] >= 0 ? 1f : -1f;
            out[l] = next;
            a = next;
        }
        return out;
    }

    /** The last layer's output for {@code x}. */
    public float[] output(float[] x) {
        float[][] all = activations(x);
        return all[all.length - 1];
    }
}
