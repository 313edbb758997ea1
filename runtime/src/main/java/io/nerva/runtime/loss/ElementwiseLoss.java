package io.nerva.runtime.loss;

import io.nerva.annotations.ActivationType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A loss of your own that is the mean over every output value of {@link #value(double, double)}, as
 * Keras' regression losses: subclass it with the value and its derivative w.r.t. the prediction, and
 * the batch mean and its gradient follow.
 *
 * <pre>{@code
 * Loss quartic = new ElementwiseLoss("quartic") {
 *     protected double value(double p, double y) { double e = p - y; return e * e * e * e; }
 *     protected double derivative(double p, double y) { double e = p - y; return 4 * e * e * e; }
 * };
 * }</pre>
 */
public abstract class ElementwiseLoss implements Loss {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final String name;

    protected ElementwiseLoss(String name) {
        if (name == null || name.isBlank())
            throw new IllegalArgumentException("a loss needs a name, got '" + name + "'");
        this.name = name;
    }

    /** The loss of one prediction {@code p} against its target {@code y}. */
    protected abstract double value(double p, double y);

    /** {@code d value / d p}. */
    protected abstract double derivative(double p, double y);

    @Override
    public String name() {
        return name;
    }

    @Override
    public final double compute(
            MemorySegment logits,
            MemorySegment output,
            MemorySegment targets,
            int rows,
            int cols,
            ActivationType outputActivation,
            MemorySegment grad) {
        if (rows == 0) return 0;
        long n = (long) rows * cols;
        double inv = 1.0 / n, sum = 0;
        boolean g = !MemorySegment.NULL.equals(grad);
        for (long i = 0; i < n; i++) {
            double p = output.getAtIndex(F, i), y = targets.getAtIndex(F, i);
            sum += value(p, y);
            if (g) grad.setAtIndex(F, i, (float) (derivative(p, y) * inv));
        }
        return sum * inv;
    }

    @Override
    public String toString() {
        return name;
    }
}
