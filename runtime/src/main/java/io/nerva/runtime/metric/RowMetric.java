package io.nerva.runtime.metric;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A metric of your own that is the mean over samples of a per-sample score: subclass it with
 * {@link #score(float[], float[])} and give instances (or a factory, for fresh ones per run) to
 * {@code Fit.metrics}. {@code fit} reports it each epoch under its name (and {@code val_<name>}), callbacks,
 * {@code History}, {@code saveBest} and {@code earlyStopping} see it, and {@code evaluate} returns it.
 */
public abstract class RowMetric implements Metric {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final String name;
    private double sum;
    private long count;
    private float[] output = new float[0], target = new float[0];

    protected RowMetric(String name) {
        if (name == null || name.isBlank())
            throw new IllegalArgumentException("a metric needs a name, got '" + name + "'");
        this.name = name;
    }

    /** The score of one sample: its outputs and its targets (one column holding a class index, or one per output). */
    protected abstract double score(float[] output, float[] target);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void reset() {
        sum = 0;
        count = 0;
    }

    @Override
    public final void update(MemorySegment outputs, MemorySegment targets, int rows, int cols, int targetCols) {
        if (output.length != cols) output = new float[cols]; // once per run: the widths do not change
        if (target.length != targetCols) target = new float[targetCols];
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(outputs, F, (long) r * cols * Float.BYTES, output, 0, cols);
            MemorySegment.copy(targets, F, (long) r * targetCols * Float.BYTES, target, 0, targetCols);
            sum += score(output, target);
        }
        count += rows;
    }

    @Override
    public final double result() {
        return count == 0 ? 0 : sum / count;
    }
}
