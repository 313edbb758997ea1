package io.nerva.runtime;

import io.nerva.runtime.core.ParamSpec;
import java.util.Arrays;
import java.util.List;

/**
 * A layer of a generated network, as seen by the user: the type of the fields of a
 * {@code @Network} class. The generated model assigns each field its layer.
 */
public final class Layer {
    private final String name;
    private final String type;
    private final int[] outputShape;
    private final List<Param> params;
    private final Param kernel;
    private final Param bias;

    /**
     * A layer with all its parameter tensors in file order: the first is its {@link #kernel()}
     * (kernel, embeddings or gamma), the one named {@code bias} or {@code beta} its {@link #bias()}.
     */
    public Layer(String name, String type, int[] outputShape, List<Param> params) {
        this.name = name;
        this.type = type;
        this.outputShape = outputShape.clone();
        this.params = List.copyOf(params);
        this.kernel = params.isEmpty() ? null : params.get(0);
        Param b = null;
        for (Param p : params) {
            if (p.name().equals(name + ".bias") || p.name().equals(name + ".beta")) b = p;
        }
        this.bias = b;
    }

    /** A layer with at most a kernel and a bias. */
    public Layer(String name, String type, int[] outputShape, Param kernel, Param bias) {
        this(
                name,
                type,
                outputShape,
                kernel == null ? List.of() : bias == null ? List.of(kernel) : List.of(kernel, bias));
    }

    /** The field name. */
    public String name() {
        return name;
    }

    /** The layer kind, e.g. {@code "Dense"}, {@code "Dropout"}. */
    public String type() {
        return type;
    }

    /** Output shape of one sample. */
    public int[] outputShape() {
        return outputShape.clone();
    }

    public boolean hasKernel() {
        return kernel != null;
    }

    public boolean hasBias() {
        return bias != null;
    }

    public Param kernel() {
        if (kernel == null) throw new IllegalStateException("layer '" + name + "' (" + type + ") has no kernel");
        return kernel;
    }

    public Param bias() {
        if (bias == null) throw new IllegalStateException("layer '" + name + "' (" + type + ") has no bias");
        return bias;
    }

    /**
     * Every parameter tensor of the layer in file order, kernel first: also an LSTM's
     * {@code recurrent_kernel} and a BatchNorm's moving statistics.
     */
    public List<Param> params() {
        return params;
    }

    /** The tensor {@code <layer>.<suffix>}, e.g. {@code param("recurrent_kernel")}. */
    public Param param(String suffix) {
        for (Param p : params) {
            if (p.name().equals(name + "." + suffix)) return p;
        }
        throw new IllegalArgumentException("layer '" + name + "' (" + type + ") has no tensor '" + suffix + "'; it has "
                + params.stream()
                        .map(p -> p.name().substring(name.length() + 1))
                        .toList());
    }

    public long paramCount() {
        long n = 0;
        for (Param p : params()) n += p.size();
        return n;
    }

    /** Of {@link #paramCount()}, the values the optimizer updates now: none when frozen, never BatchNorm's moving averages. */
    public long trainableParamCount() {
        long n = 0;
        for (Param p : params()) if (p.trainable()) n += p.size();
        return n;
    }

    /**
     * Whether the layer trains: false when it has no parameters, was declared {@code trainable = false},
     * or was frozen with {@link #setTrainable(boolean)}.
     */
    public boolean trainable() {
        for (Param p : params()) if (p.trainable()) return true;
        return false;
    }

    /**
     * Freezes ({@code false}) or unfreezes the layer, as Keras' {@code layer.trainable = False}: a frozen
     * layer's parameters get no gradient work and the optimizer skips them, so they stay bit-identical;
     * gradients still pass through it to earlier layers that train. A frozen BatchNorm runs in inference
     * mode (its moving averages stay as they are). Takes effect at the next {@code fit}; changing it while a
     * fit runs on this model stops that fit with an {@link IllegalStateException}.
     *
     * @throws IllegalStateException when the layer has no parameters to freeze
     */
    public void setTrainable(boolean trainable) {
        if (params.isEmpty()) {
            throw new IllegalStateException(
                    "layer '" + name + "' (" + type + ") has no parameters to " + (trainable ? "train" : "freeze"));
        }
        List<ParamSpec> specs = new java.util.ArrayList<>();
        for (Param p : params) specs.add(p.spec());
        params.get(0).parameters().setTrainable(specs, trainable);
    }

    @Override
    public String toString() {
        return name + " (" + type + ") " + Arrays.toString(outputShape);
    }
}
