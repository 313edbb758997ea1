package io.nerva.runtime;

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
    private final Param kernel;
    private final Param bias;

    public Layer(String name, String type, int[] outputShape, Param kernel, Param bias) {
        this.name = name;
        this.type = type;
        this.outputShape = outputShape.clone();
        this.kernel = kernel;
        this.bias = bias;
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

    /** The layer's parameter tensors, kernel first. */
    public List<Param> params() {
        return kernel == null ? List.of() : bias == null ? List.of(kernel) : List.of(kernel, bias);
    }

    public long paramCount() {
        long n = 0;
        for (Param p : params()) n += p.size();
        return n;
    }

    @Override
    public String toString() {
        return name + " (" + type + ") " + Arrays.toString(outputShape);
    }
}
