package io.nerva.runtime;

import io.nerva.annotations.Initializer;

import java.util.Arrays;

/**
 * One parameter tensor of a network: its name ({@code <field>.<kernel|bias>}), shape, where it
 * lives in the model's contiguous parameter buffer (in floats), and how it is initialised.
 * {@code trainable} is false for state the optimizer must never touch (BatchNorm's moving
 * averages); a layer frozen by the user is a flag of its {@link Parameters}, not of the spec.
 */
public record ParamSpec(String name, int[] shape, long offset, Initializer init, float initValue,
                        int fanIn, int fanOut, boolean trainable) {

    /** A trained tensor. */
    public ParamSpec(String name, int[] shape, long offset, Initializer init, float initValue, int fanIn, int fanOut) {
        this(name, shape, offset, init, initValue, fanIn, fanOut, true);
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
