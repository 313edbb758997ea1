package io.nerva.processor.model;

import io.nerva.annotations.Initializer;
import java.util.Arrays;

/**
 * One parameter tensor of a layer, named {@code <field>.<suffix>}, in the order of the model's
 * parameter buffer. Weight files use the same names and shapes. Fans are Keras': a conv kernel's
 * are {@code kh·kw·cin} and {@code kh·kw·filters}; a bias gets its layer's. {@code trainable} is false for
 * state the optimizer never updates (BatchNorm's moving averages).
 */
public record ParamTensor(
        String suffix, int[] shape, Initializer init, float initValue, int fanIn, int fanOut, boolean trainable) {

    /** A trained tensor. */
    public ParamTensor(String suffix, int[] shape, Initializer init, float initValue, int fanIn, int fanOut) {
        this(suffix, shape, init, initValue, fanIn, fanOut, true);
    }

    public long size() {
        long n = 1;
        for (int d : shape) n = Shape.saturatingTimes(n, d);
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
