package io.nerva.keras;

import java.util.Arrays;

/**
 * One weight array of a Keras layer, float32, row-major in Keras' own layout.
 *
 * @param name   Keras' name of the variable ({@code kernel}, {@code bias}, {@code gamma}, ...)
 * @param path   where it was found in the HDF5 file, for messages
 * @param shape  its dimensions
 * @param values its values, {@code product(shape)} of them
 */
public record KerasWeight(String name, String path, int[] shape, float[] values) {

    public KerasWeight {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The values themselves (not a copy). */
    @Override
    public float[] values() {
        return values;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return name + " " + shapeString();
    }
}
