package io.nerva.runtime.custom;

import java.util.Arrays;

/**
 * What the processor computed for one {@code @Custom} field: its shapes, units, and where its parameter
 * tensors are in the model's parameter buffer (in floats). Generated code creates one per field.
 */
public record CustomSpec(
        String layer,
        int[] inputShape,
        int[] outputShape,
        int units,
        String[] paramNames,
        long[] paramOffsets,
        int[][] paramShapes) {

    public CustomSpec {
        if (paramNames.length != paramOffsets.length || paramNames.length != paramShapes.length) {
            throw new IllegalArgumentException(layer + ": " + paramNames.length + " parameter names, "
                    + paramOffsets.length + " offsets and " + paramShapes.length + " shapes");
        }
    }

    public int inputSize() {
        return (int) product(inputShape);
    }

    public int outputSize() {
        return (int) product(outputShape);
    }

    public long paramSize(int p) {
        return product(paramShapes[p]);
    }

    static long product(int[] dims) {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    @Override
    public String toString() {
        return layer + " " + Arrays.toString(inputShape) + " -> " + Arrays.toString(outputShape);
    }
}
