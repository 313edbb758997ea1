package io.nerva.runtime;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.io.LoadOptions;
import io.nerva.runtime.io.SafeTensors;
import io.nerva.runtime.io.SaveOptions;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.History;
import io.nerva.runtime.train.Predictor;
import io.nerva.runtime.train.Trainer;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What every generated network implements: the primitive passes the runtime's training loop,
 * evaluation and prediction are built on. Buffers are row-major, batch first.
 */
public interface Model extends AutoCloseable {

    /** The name of the user's network class. */
    String name();

    /** Shape of one input sample. */
    int[] inputShape();

    /** Floats per input sample. */
    int inputSize();

    /** Floats per output sample. */
    int outputSize();

    /** Activation of the last layer (decides loss fusion). */
    ActivationType outputActivation();

    /** False when a layer cannot be trained through (binary step) or the model is inference-only. */
    boolean trainable();

    /** All parameters in one buffer, gradients in a second with the same offsets. */
    Parameters parameters();

    /** The layers in order, with their parameter views. */
    List<Layer> layers();

    /** A Keras-like summary: layer, type, output shape, parameter count, totals. */
    String summary();

    /** Buffers for up to {@code capacity} rows; {@code training} adds the gradient and dropout buffers. */
    Workspace newWorkspace(int capacity, boolean training, long seed);

    /** Runs rows {@code [0, rows)} of {@code ws.input()} through the network into {@code ws.output()}. */
    void forward(Workspace ws, int rows, boolean training);

    /**
     * As {@link #newWorkspace(int, boolean, long)}, or with {@code inputGradients} a workspace whose backward
     * pass computes the gradient w.r.t. the input ({@link Workspace#inputGrad()}) and no parameter gradient;
     * such a workspace works on inference models too.
     */
    default Workspace newWorkspace(int capacity, boolean training, long seed, boolean inputGradients) {
        if (!inputGradients) return newWorkspace(capacity, training, seed);
        throw new UnsupportedOperationException(name() + " cannot compute gradients w.r.t. its input");
    }

    /**
     * Inference forward pass of rows {@code [0, rows)} through layers {@code 0..lastLayer} only; their outputs are
     * then in {@link Workspace#layerOutput(int)}. Generated models stop at {@code lastLayer}; this default runs them all.
     */
    default void forwardTo(Workspace ws, int rows, int lastLayer) {
        forward(ws, rows, false);
    }

    /** The layer declared as field {@code name}. */
    default Layer layer(String name) {
        List<Layer> all = layers();
        for (Layer l : all) if (l.name().equals(name)) return l;
        throw new java.util.NoSuchElementException("no layer '" + name + "' in " + name() + "; its layers are "
                + all.stream().map(Layer::name).toList());
    }

    /** The position of layer {@code name} in declaration order. */
    default int layerIndex(String name) {
        return layers().indexOf(layer(name));
    }

    /**
     * Back-propagates {@code ws.outputGrad()} (w.r.t. the output, or w.r.t. the logits when
     * {@code gradWrtLogits}) and overwrites {@code parameters().grads()} with the gradient.
     * Requires a training workspace on which {@link #forward} ran with {@code training = true}. Frozen layers
     * ({@link Layer#setTrainable}) keep their zero gradient. An input-gradient workspace
     * ({@link #newWorkspace(int, boolean, long, boolean)}) instead writes {@link Workspace#inputGrad()}, after a
     * forward pass in either mode, and leaves the parameter gradients alone.
     */
    void backward(Workspace ws, int rows, boolean gradWrtLogits);

    /** The loss declared with {@code @Network(loss = ...)}, used when a {@link Fit} names none. */
    default LossFunction declaredLoss() {
        return LossFunction.UNSPECIFIED;
    }

    /** A hash of the architecture, recorded in weight files and checked when they are loaded. */
    String fingerprint();

    /** This model's thread-safe predictor (a pool of inference workspaces). */
    Predictor predictor();

    /**
     * Frees the model's native memory. Calls in flight on other threads (predictions, a save's
     * snapshot, a load's copy, a training step) finish first; every later call throws
     * {@link IllegalStateException} ("model X is closed"). Closing twice is a no-op.
     * Generated models close their {@link #predictor()} (refusing new predictions), then their
     * {@link Parameters} (waiting for the ones in flight).
     */
    @Override
    void close();

    // ---- the user-facing API, built on the primitives above ---------------------------------

    /** Trains on {@code train} as {@code fit} says; returns loss and metrics per epoch. */
    default History fit(Dataset train, Fit fit) {
        parameters().checkOpen(name());
        return Trainer.fit(this, train, fit);
    }

    /** Loss and metrics on {@code data}, with the loss, metrics and batch size of {@code fit}. */
    default Map<String, Double> evaluate(Dataset data, Fit fit) {
        parameters().checkOpen(name());
        return Trainer.evaluate(this, data, fit);
    }

    /** The output for one sample ({@link #inputSize()} floats). Safe to call from many threads. */
    default float[] predict(float[] sample) {
        return predictor().predict(sample);
    }

    /** The outputs for a batch of samples. Safe to call from many threads. */
    default float[][] predict(float[][] samples) {
        return predictor().predict(samples);
    }

    /**
     * The output of layer {@code layer} for one sample (feature extraction), written into {@code out} (at least
     * that layer's output size); runs the network only up to that layer. Safe to call from many threads.
     */
    default float[] intermediate(String layer, float[] sample, float[] out) {
        return predictor().intermediate(layerIndex(layer), sample, 1, out);
    }

    /** As {@link #intermediate(String, float[], float[])} into a new array. */
    default float[] intermediate(String layer, float[] sample) {
        return intermediate(layer, sample, new float[java.util.Arrays.stream(layer(layer).outputShape()).reduce(1, Math::multiplyExact)]);
    }

    /** Layer {@code layer}'s outputs for {@code rows} row-major samples, into {@code out} ({@code rows ×} its output size). */
    default float[] intermediate(String layer, float[] samples, int rows, float[] out) {
        return predictor().intermediate(layerIndex(layer), samples, rows, out);
    }

    /**
     * The gradient of the declared loss w.r.t. the input, for one sample and its target ({@code y}: the
     * target row as {@code fit} takes it, a class index for sparse categorical cross-entropy), written into
     * {@code out} ({@link #inputSize()} floats): saliency maps, adversarial examples. The network runs as
     * {@link #predict} does (dropout off, BatchNorm's moving averages); parameter gradients are not touched.
     */
    default float[] inputGradient(float[] sample, float[] y, float[] out) {
        return inputGradient(sample, 1, y, out, declaredLoss());
    }

    /**
     * As {@link #inputGradient(float[], float[], float[])} for {@code rows} samples and the given loss: row
     * {@code r} of {@code out} is the gradient of sample {@code r}'s own loss w.r.t. sample {@code r}.
     */
    default float[] inputGradient(float[] samples, int rows, float[] targets, float[] out, LossFunction loss) {
        return predictor().inputGradient(samples, rows, targets, out, loss);
    }

    /** The index of the largest output for one sample (the first one on ties). */
    default int predictClass(float[] sample) {
        return predictor().predictClass(sample);
    }

    /**
     * Writes every parameter to a safetensors file, atomically (a crash leaves any previous
     * file intact). Tensors are named {@code <field>.kernel} and {@code <field>.bias}.
     *
     * @throws IllegalStateException when a weight is NaN or infinite (naming the tensor and index;
     *                               see {@link #save(Path, SaveOptions)}) or the model is closed
     */
    default void save(Path file) throws IOException {
        save(file, SaveOptions.defaults());
    }

    /** As {@link #save(Path)}; {@link SaveOptions#withAllowNonFinite()} writes non-finite weights too. */
    default void save(Path file, SaveOptions options) throws IOException {
        parameters().checkOpen(name());
        SafeTensors.save(parameters(), file, Map.of(SafeTensors.CLASS_KEY, name(),
                SafeTensors.FINGERPRINT_KEY, fingerprint(), SafeTensors.FORMAT_KEY, SafeTensors.FORMAT_VERSION), options);
    }

    /**
     * Reads every parameter from a safetensors file written for this architecture; on any
     * problem throws with a precise message and leaves the current weights untouched. A file
     * holding NaN or infinity is refused (see {@link LoadOptions#withAllowNonFinite()}). Safe while
     * other threads predict: each prediction sees all-old or all-new weights.
     */
    default void load(Path file) throws IOException {
        load(file, LoadOptions.defaults().expectFingerprint(fingerprint()));
    }

    /**
     * As {@link #load(Path)} from a class-path resource, found as {@code anchor.getResourceAsStream(name)}
     * (relative to the anchor's package unless it starts with {@code /}).
     *
     * @throws UncheckedIOException when the resource is missing or does not fit this network
     */
    default void loadResource(Class<?> anchor, String name) {
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new FileNotFoundException("weights resource '" + name + "' not found on the class path next to "
                        + anchor.getName());
            }
            // The checked loader reads from a file: stage the resource in a private temp file.
            Path staged = Files.createTempFile("nerva-weights-", ".safetensors");
            try {
                Files.copy(in, staged, StandardCopyOption.REPLACE_EXISTING);
                parameters().checkOpen(name());
                // messages name the resource, not the private temp file
                SafeTensors.load(parameters(), staged, "resource '" + name + "' (next to " + anchor.getName() + ")",
                        LoadOptions.defaults().expectFingerprint(fingerprint()));
            } finally {
                Files.deleteIfExists(staged);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load weights resource '" + name + "' for " + name() + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #load(Path)} with explicit options (e.g. PyTorch layout). */
    default void load(Path file, LoadOptions options) throws IOException {
        parameters().checkOpen(name());
        SafeTensors.load(parameters(), file, options);
    }
}
