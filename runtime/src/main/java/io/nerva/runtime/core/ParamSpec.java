package io.nerva.runtime.core;

import io.nerva.annotations.Initializer;
import java.util.Arrays;

/**
 * One parameter tensor of a network: its name ({@code <field>.<kernel|bias>}), shape, where it
 * lives in the model's contiguous parameter buffer (in floats), how it is initialised, and the
 * {@code @Regularize} penalties {@code l1·Σ|w| + l2·Σw²} training adds to the loss (0 when none).
 * {@code trainable} is false for state the optimizer must never touch (BatchNorm's moving
 * averages); a layer frozen by the user is a flag of its {@link Parameters}, not of the spec.
 */
public record ParamSpec(
        String name,
        int[] shape,
        long offset,
        Initializer init,
        float initValue,
        int fanIn,
        int fanOut,
        boolean trainable,
        double l1,
        double l2) {

    public ParamSpec {
        if (!(l1 >= 0) || !(l2 >= 0) || Double.isInfinite(l1) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException(
                    name + ": penalties must be finite and >= 0, got l1 " + l1 + ", l2 " + l2);
        }
    }

    /** A trained, unregularized tensor. */
    public ParamSpec(String name, int[] shape, long offset, Initializer init, float initValue, int fanIn, int fanOut) {
        this(name, shape, offset, init, initValue, fanIn, fanOut, true, 0, 0);
    }

    /** An unregularized tensor, trained or state. */
    public ParamSpec(
            String name,
            int[] shape,
            long offset,
            Initializer init,
            float initValue,
            int fanIn,
            int fanOut,
            boolean trainable) {
        this(name, shape, offset, init, initValue, fanIn, fanOut, trainable, 0, 0);
    }

    /** A trained tensor with penalties. */
    public ParamSpec(
            String name,
            int[] shape,
            long offset,
            Initializer init,
            float initValue,
            int fanIn,
            int fanOut,
            double l1,
            double l2) {
        this(name, shape, offset, init, initValue, fanIn, fanOut, true, l1, l2);
    }

    /** Whether training adds a penalty for this tensor. */
    public boolean regularized() {
        return l1 != 0 || l2 != 0;
    }

    public long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
