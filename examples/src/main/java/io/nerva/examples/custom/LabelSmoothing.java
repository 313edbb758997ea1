package io.nerva.examples.custom;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.loss.Loss;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A loss written by the user: cross-entropy against smoothed one-hot targets, {@code ỹ = (1 − ε)·y + ε/K}, on
 * the probabilities of a softmax output, {@code −Σ ỹ·log p} per row, averaged over rows (Keras'
 * {@code CategoricalCrossentropy(label_smoothing=ε)}, computed here on the probabilities rather than fused).
 */
public final class LabelSmoothing implements Loss {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final double FLOOR = 1e-7;
    private final double epsilon;

    public LabelSmoothing(double epsilon) {
        if (!(epsilon >= 0 && epsilon < 1))
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + epsilon);
        this.epsilon = epsilon;
    }

    @Override
    public String name() {
        return "label_smoothing_" + epsilon;
    }

    @Override
    public double compute(
            MemorySegment logits,
            MemorySegment output,
            MemorySegment targets,
            int rows,
            int cols,
            ActivationType outputActivation,
            MemorySegment grad) {
        boolean g = !MemorySegment.NULL.equals(grad);
        double sum = 0;
        for (long i = 0; i < (long) rows * cols; i++) {
            double y = (1 - epsilon) * targets.getAtIndex(F, i) + epsilon / cols;
            double p = Math.max(output.getAtIndex(F, i), FLOOR);
            sum -= y * Math.log(p);
            if (g) grad.setAtIndex(F, i, (float) (-y / p / rows));
        }
        return rows == 0 ? 0 : sum / rows;
    }

    @Override
    public String toString() {
        return name();
    }
}
