package io.nerva.runtime.core;

import io.nerva.annotations.Initializer;

import java.util.Arrays;

/**
 * One parameter tensor of a network: its name ({@code <field>.<kernel|bias>}), shape, where it
 * lives in the model's contiguous parameter buffer (in floats), and how it is initialised.
 */
public record ParamSpec(String name, int[] shape, long offset, Initializer init, float initValue,
                        int fanIn, int fanOut) {

    public long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
