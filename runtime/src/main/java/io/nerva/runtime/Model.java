package io.nerva.runtime;

import io.nerva.annotations.LossFunction;
import io.nerva.runtime.core.Network;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.io.LoadOptions;
import io.nerva.runtime.io.SafeTensors;
import io.nerva.runtime.io.SaveOptions;
import io.nerva.runtime.predict.Predictor;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.History;
import io.nerva.runtime.train.Trainer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A generated network as users hold it: the primitive passes of {@link Network} (which the
 * generated class implements), plus training, evaluation, prediction and weight files built on them.
 */
public interface Model extends Network {

    /** The layers in order, with their parameter views. */
    List<Layer> layers();

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

    /** This model's thread-safe predictor (a pool of inference workspaces). */
    Predictor predictor();

    /**
     * As {@link Network#close()}. Generated models close their {@link #predictor()} first (refusing
     * new predictions), then their parameters (waiting for the calls in flight).
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
        return intermediate(layer, sample, 1, out);
    }

    /** As {@link #intermediate(String, float[], float[])} into a new array. */
    default float[] intermediate(String layer, float[] sample) {
        return intermediate(
                layer,
                sample,
                new float[java.util.Arrays.stream(layer(layer).outputShape()).reduce(1, Math::multiplyExact)]);
    }

    /** Layer {@code layer}'s outputs for {@code rows} row-major samples, into {@code out} ({@code rows ×} its output size). */
    default float[] intermediate(String layer, float[] samples, int rows, float[] out) {
        Layer view = layer(layer);
        int width = Math.toIntExact(
                java.util.Arrays.stream(view.outputShape()).asLongStream().reduce(1, Math::multiplyExact));
        return predictor().intermediate(layers().indexOf(view), width, samples, rows, out);
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
        SafeTensors.save(this, file, options);
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
                throw new FileNotFoundException(
                        "weights resource '" + name + "' not found on the class path next to " + anchor.getName());
            }
            // messages name the resource, not where its bytes are read from
            String source = "resource '" + name + "' (next to " + anchor.getName() + ")";
            LoadOptions options = LoadOptions.defaults().expectFingerprint(fingerprint());
            // Read into memory (no temp file: creating one seeds a SecureRandom, a tenth of an embedded
            // model's start-up); a resource too large to hold twice is staged in a private temp file.
            int inMemory = 64 << 20; // bytes
            byte[] head = in.readNBytes(inMemory + 1);
            if (head.length <= inMemory) {
                parameters().checkOpen(name());
                SafeTensors.load(parameters(), head, source, options);
                return;
            }
            Path staged = Files.createTempFile("nerva-weights-", ".safetensors");
            try {
                try (OutputStream out = Files.newOutputStream(staged)) {
                    out.write(head);
                    in.transferTo(out);
                }
                parameters().checkOpen(name());
                SafeTensors.load(parameters(), staged, source, options);
            } finally {
                Files.deleteIfExists(staged);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot load weights resource '" + name + "' for " + name() + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #load(Path)} with explicit options (e.g. PyTorch layout). */
    default void load(Path file, LoadOptions options) throws IOException {
        parameters().checkOpen(name());
        SafeTensors.load(parameters(), file, options);
    }
}
