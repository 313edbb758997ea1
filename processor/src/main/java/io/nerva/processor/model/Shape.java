package io.nerva.processor.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The shape of one sample (batch implicit), e.g. {@code 784} or {@code 28x28x1}. */
public record Shape(int[] dims) {

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public int size() {
        int n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    public boolean isFlat() {
        return dims.length == 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code 28x28x1}. */
    @Override
    public String toString() {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    /** Keras' notation, {@code (None, 28, 28, 1)}. */
    public String kerasString() {
        return "(None, " + Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + ")";
    }
}
