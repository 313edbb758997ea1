package io.nerva.runtime.train;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.Initializer;
import io.nerva.runtime.Layer;
import io.nerva.runtime.Model;
import io.nerva.runtime.Param;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.core.Workspace;
import io.nerva.runtime.predict.Predictor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * A hand-written model for the tests: one dense layer {@code z = x·W + b} followed by a linear
 * or softmax activation, with plain loops over the off-heap buffers, as a generated model would.
 */
public final class LinearModel implements Model {
    private final int[] inputShape;
    private final int in;
    private final int out;
    private final ActivationType activation;
    private final boolean trainable;
    private final Parameters params;
    private final List<Layer> layers;
    /** When set, training forward passes count each sample id found in feature 0. */
    int[] seenCounts;
    /** When set, training forward passes record the sample ids in order. */
    int[] seenOrder;

    int seenOrderLength;
    /**
     * When positive, training forward passes apply inverted dropout to the inputs: each feature
     * is zeroed with this probability, drawn from the workspace's {@link Rng}, and the others
     * are scaled by {@code 1 / (1 − rate)}. Makes the dropout generator part of the run's state.
     */
    float inputDropout;

    public LinearModel(int in, int out, ActivationType activation, long initSeed) {
        this(new int[] {in}, out, activation, initSeed, true);
    }

    public LinearModel(int[] inputShape, int out, ActivationType activation, long initSeed, boolean trainable) {
        this.inputShape = inputShape.clone();
        this.in = Arrays.stream(inputShape).reduce(1, (a, b) -> a * b);
        this.out = out;
        this.activation = activation;
        this.trainable = trainable;
        ParamSpec kernel =
                new ParamSpec("dense.kernel", new int[] {in, out}, 0, Initializer.GLOROT_UNIFORM, 0, in, out);
        ParamSpec bias = new ParamSpec("dense.bias", new int[] {out}, (long) in * out, Initializer.ZEROS, 0, in, out);
        this.params = new Parameters(List.of(kernel, bias), true);
        this.layers = List.of(
                new Layer("dense", "Dense", new int[] {out}, new Param(params, kernel), new Param(params, bias)));
        Rng rng = new Rng(initSeed);
        double limit = Math.sqrt(6.0 / (in + out));
        MemorySegment w = params.values();
        for (int i = 0; i < in * out; i++) w.setAtIndex(JAVA_FLOAT, i, (float) ((rng.nextDouble() * 2 - 1) * limit));
    }

    static final class LinearWorkspace extends Workspace {
        final MemorySegment input, logits, output, outputGrad, logitsGrad;

        LinearWorkspace(int capacity, boolean training, long seed, int in, int out, boolean softmax) {
            super(capacity, training, seed);
            input = allocate((long) capacity * in);
            logits = allocate((long) capacity * out);
            output = softmax ? allocate((long) capacity * out) : logits;
            outputGrad = training ? allocate((long) capacity * out) : MemorySegment.NULL;
            logitsGrad = training && softmax ? allocate((long) capacity * out) : outputGrad;
        }

        @Override
        public MemorySegment input() {
            return input;
        }

        @Override
        public MemorySegment output() {
            return output;
        }

        @Override
        public MemorySegment logits() {
            return logits;
        }

        @Override
        public MemorySegment outputGrad() {
            return outputGrad;
        }
    }

    @Override
    public String name() {
        return "Linear" + in + "x" + out;
    }

    @Override
    public String fingerprint() {
        return "linear-" + in + "x" + out;
    }

    private Predictor predictor;

    @Override
    public synchronized Predictor predictor() {
        if (predictor == null) predictor = new Predictor(this);
        return predictor;
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    @Override
    public int inputSize() {
        return in;
    }

    @Override
    public int outputSize() {
        return out;
    }

    @Override
    public ActivationType outputActivation() {
        return activation;
    }

    @Override
    public boolean trainable() {
        return trainable;
    }

    @Override
    public Parameters parameters() {
        return params;
    }

    @Override
    public List<Layer> layers() {
        return layers;
    }

    @Override
    public String summary() {
        return name() + ": " + params.count() + " parameters";
    }

    @Override
    public Workspace newWorkspace(int capacity, boolean training, long seed) {
        return new LinearWorkspace(capacity, training, seed, in, out, activation == ActivationType.SOFTMAX);
    }

    @Override
    public void forward(Workspace workspace, int rows, boolean training) {
        LinearWorkspace ws = (LinearWorkspace) workspace;
        MemorySegment w = params.values();
        long biasOffset = (long) in * out;
        if (training && seenCounts != null) {
            for (int r = 0; r < rows; r++) {
                int id = (int) ws.input.getAtIndex(JAVA_FLOAT, (long) r * in);
                seenCounts[id]++;
                if (seenOrder != null) seenOrder[seenOrderLength++] = id;
            }
        }
        if (training && inputDropout > 0 && !ws.dropoutMasksFrozen()) {
            float keep = 1 / (1 - inputDropout);
            Rng rng = ws.rng();
            for (long k = 0; k < (long) rows * in; k++) {
                float x = rng.nextFloat() < inputDropout ? 0 : ws.input.getAtIndex(JAVA_FLOAT, k) * keep;
                ws.input.setAtIndex(JAVA_FLOAT, k, x);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                float z = w.getAtIndex(JAVA_FLOAT, biasOffset + j);
                for (int i = 0; i < in; i++) {
                    z += ws.input.getAtIndex(JAVA_FLOAT, (long) r * in + i)
                            * w.getAtIndex(JAVA_FLOAT, (long) i * out + j);
                }
                ws.logits.setAtIndex(JAVA_FLOAT, (long) r * out + j, z);
            }
            if (activation == ActivationType.SOFTMAX) {
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < out; j++) max = Math.max(max, ws.logits.getAtIndex(JAVA_FLOAT, (long) r * out + j));
                float sum = 0;
                for (int j = 0; j < out; j++) {
                    float e = (float) Math.exp(ws.logits.getAtIndex(JAVA_FLOAT, (long) r * out + j) - max);
                    ws.output.setAtIndex(JAVA_FLOAT, (long) r * out + j, e);
                    sum += e;
                }
                for (int j = 0; j < out; j++) {
                    long k = (long) r * out + j;
                    ws.output.setAtIndex(JAVA_FLOAT, k, ws.output.getAtIndex(JAVA_FLOAT, k) / sum);
                }
            }
        }
    }

    @Override
    public void backward(Workspace workspace, int rows, boolean gradWrtLogits) {
        LinearWorkspace ws = (LinearWorkspace) workspace;
        MemorySegment dz = ws.outputGrad;
        if (activation == ActivationType.SOFTMAX && !gradWrtLogits) {
            // through the softmax Jacobian: dz_j = p_j (g_j − Σ_k g_k p_k)
            dz = ws.logitsGrad;
            for (int r = 0; r < rows; r++) {
                float dot = 0;
                for (int k = 0; k < out; k++) {
                    dot += ws.outputGrad.getAtIndex(JAVA_FLOAT, (long) r * out + k)
                            * ws.output.getAtIndex(JAVA_FLOAT, (long) r * out + k);
                }
                for (int j = 0; j < out; j++) {
                    long k = (long) r * out + j;
                    dz.setAtIndex(
                            JAVA_FLOAT,
                            k,
                            ws.output.getAtIndex(JAVA_FLOAT, k) * (ws.outputGrad.getAtIndex(JAVA_FLOAT, k) - dot));
                }
            }
        }
        MemorySegment g = params.grads();
        long biasOffset = (long) in * out;
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                float s = 0;
                for (int r = 0; r < rows; r++) {
                    s += ws.input.getAtIndex(JAVA_FLOAT, (long) r * in + i)
                            * dz.getAtIndex(JAVA_FLOAT, (long) r * out + j);
                }
                g.setAtIndex(JAVA_FLOAT, (long) i * out + j, s);
            }
        }
        for (int j = 0; j < out; j++) {
            float s = 0;
            for (int r = 0; r < rows; r++) s += dz.getAtIndex(JAVA_FLOAT, (long) r * out + j);
            g.setAtIndex(JAVA_FLOAT, biasOffset + j, s);
        }
    }

    @Override
    public void close() {
        if (predictor != null) predictor.close();
        params.close();
    }
}
