package io.nerva.spark;

import io.nerva.runtime.Model;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How an executor gets the model: a serializable factory (usually a method reference to the
 * generated class, {@code FashionMlpNetModel::forInference}) and the weights, shipped once with
 * the task (or a broadcast holding this source). {@link #model()} builds the model once per
 * executor JVM and hands the same instance to every task there, so the tasks of one executor share
 * its weights and its thread-safe {@link io.nerva.runtime.predict.Predictor}.
 */
public final class ModelSource implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A serializable way to make an (untrained or inference) instance of the network. */
    @FunctionalInterface
    public interface Factory extends Serializable {
        Model create();
    }

    /** Models built on this JVM, by source id; they live as long as the executor. */
    private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    private final Factory factory;
    private final String fingerprint;
    private final float[] weights;

    private ModelSource(Factory factory, String fingerprint, float[] weights) {
        this.factory = factory;
        this.fingerprint = fingerprint;
        this.weights = weights;
    }

    /** The weights {@code trained} holds now, to be loaded into {@code factory}'s models on the executors. */
    public static ModelSource of(Model trained, Factory factory) {
        Objects.requireNonNull(trained, "trained");
        Objects.requireNonNull(factory, "factory");
        return new ModelSource(
                factory, trained.fingerprint(), trained.parameters().toArray());
    }

    /** This JVM's model for this source, built (and its weights loaded) on the first call. */
    public Model model() {
        return MODELS.computeIfAbsent(id, k -> build());
    }

    /** A new model with these weights, owned by the caller (close it). */
    public Model build() {
        Model m = factory.create();
        try {
            if (!m.fingerprint().equals(fingerprint)) {
                throw new IllegalArgumentException("the factory makes " + m.name() + " (fingerprint " + m.fingerprint()
                        + "), the weights are for fingerprint " + fingerprint);
            }
            m.parameters().copyFrom(weights);
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Closes and forgets this JVM's model for this source (the next {@link #model()} builds a new one). */
    public void release() {
        Model m = MODELS.remove(id);
        if (m != null) m.close();
    }

    public int parameterCount() {
        return weights.length;
    }

    @Override
    public String toString() {
        return "ModelSource[" + id + ", " + weights.length + " weights, fingerprint " + fingerprint + ", hash "
                + Arrays.hashCode(weights) + "]";
    }
}
