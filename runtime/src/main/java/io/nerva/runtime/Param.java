package io.nerva.runtime;

import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A named view of one parameter tensor (a layer's kernel or bias) and of its gradient. */
public final class Param {
    private final Parameters parameters;
    private final ParamSpec spec;

    public Param(Parameters parameters, ParamSpec spec) {
        this.parameters = parameters;
        this.spec = spec;
    }

    public String name() {
        return spec.name();
    }

    /** The tensor's spec: shape, offset, initializer, and whether it is ever trained. */
    public ParamSpec spec() {
        return spec;
    }

    Parameters parameters() {
        return parameters;
    }

    /** Whether the optimizer updates this tensor now (see {@link Layer#setTrainable}). */
    public boolean trainable() {
        return parameters.trains(parameters.indexOf(spec.name()));
    }

    public int[] shape() {
        return spec.shape().clone();
    }

    public int size() {
        return (int) spec.size();
    }

    /** The values, row-major (a dense kernel is {@code [in, out]}). */
    public float[] get() {
        long stamp = parameters.beginRead(null);
        try {
            return slice(parameters.values()).toArray(ValueLayout.JAVA_FLOAT);
        } finally {
            parameters.endRead(stamp);
        }
    }

    public void set(float[] values) {
        if (values.length != spec.size()) {
            throw new IllegalArgumentException(spec.name() + ": expected " + spec.size() + " values for shape "
                    + spec.shapeString() + ", got " + values.length);
        }
        long stamp = parameters.beginWrite(null);
        try {
            MemorySegment.copy(
                    values, 0, parameters.values(), ValueLayout.JAVA_FLOAT, spec.offset() * Float.BYTES, values.length);
        } finally {
            parameters.endWrite(stamp);
        }
    }

    /** The gradient of the last backward pass. */
    public float[] gradient() {
        if (!parameters.hasGradients()) {
            throw new IllegalStateException(
                    spec.name() + ": this model was created for inference only and keeps no gradients");
        }
        long stamp = parameters.beginRead(null);
        try {
            return slice(parameters.grads()).toArray(ValueLayout.JAVA_FLOAT);
        } finally {
            parameters.endRead(stamp);
        }
    }

    /** Offset of this tensor in the model's parameter buffer, in floats. */
    public long offset() {
        return spec.offset();
    }

    private MemorySegment slice(MemorySegment all) {
        return all.asSlice(spec.offset() * Float.BYTES, spec.size() * Float.BYTES);
    }

    @Override
    public String toString() {
        return spec.name() + spec.shapeString();
    }
}
