package io.nerva.runtime.core;

import io.nerva.annotations.Initializer;

import java.util.Arrays;

/**
 * One parameter tensor of a network: its name ({@code <field>.<kernel|bias>}), shape, where it
 * lives in the model's contiguous parameter buffer (in floats), how it is initialised, and the
 * {@code @Regularize} penalties {@code l1·Σ|w| + l2·Σw²} training adds to the loss (0 when none).
 */
public record ParamSpec(String name, int[] shape, long offset, Initializer init, float initValue,
                        int fanIn, int fanOut, double l1, double l2) {

    public ParamSpec {
        if (!(l1 >= 0) || !(l2 >= 0) || Double.isInfinite(l1) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException(name + ": penalties must be finite and >= 0, got l1 " + l1 + ", l2 " + l2);
        }
    }

    /** An unregularized tensor. */
    public ParamSpec(String name, int[] shape, long offset, Initializer init, float initValue, int fanIn, int fanOut) {
        this(name, shape, offset, init, initValue, fanIn, fanOut, 0, 0);
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
