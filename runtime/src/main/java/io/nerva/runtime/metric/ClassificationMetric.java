package io.nerva.runtime.metric;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Precision, recall or F1 accumulated over batches in a {@link ConfusionMatrix}, for {@code fit}
 * (monitorable by callbacks: {@code val_f1}, ...) and {@code evaluate}. With one output column the
 * classes are {@code output > 0.5} and the value is that of the positive class (as Keras'
 * {@code Precision}/{@code Recall}); with several, the argmax, averaged as asked.
 */
final class ClassificationMetric implements Metric {
    enum Kind {
        PRECISION,
        RECALL,
        F1
    }

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final String name;
    private final Kind kind;
    private final Average average;
    private ConfusionMatrix matrix;
    /** Whether the outputs have one column (binary: the positive class's value is reported). */
    private boolean binary;

    ClassificationMetric(String name, Kind kind, Average average) {
        this.name = name;
        this.kind = kind;
        this.average = average;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void reset() {
        if (matrix != null) matrix.reset();
    }

    @Override
    public void update(MemorySegment output, MemorySegment targets, int rows, int cols, int targetCols) {
        binary = cols == 1;
        int classes = binary ? 2 : cols;
        if (matrix == null || matrix.classes() != classes) matrix = new ConfusionMatrix(classes);
        if (targetCols != 1 && targetCols != cols) {
            throw new IllegalArgumentException(name + ": targets must be one-hot (" + cols
                    + " columns) or one class-index column, got " + targetCols + " columns");
        }
        for (int r = 0; r < rows; r++) {
            int predicted;
            int actual;
            if (cols == 1) {
                predicted = output.getAtIndex(F, r) > 0.5f ? 1 : 0;
                actual = targets.getAtIndex(F, r) > 0.5f ? 1 : 0;
            } else {
                predicted = Metrics.argmax(output, (long) r * cols, cols);
                if (targetCols == 1) {
                    float v = targets.getAtIndex(F, r);
                    if (!(v >= 0 && v < cols && v == (int) v)) {
                        throw new IllegalArgumentException(name + ": the target of row " + r + " is " + v
                                + ", but it must be an integer class index in [0, " + cols + ")");
                    }
                    actual = (int) v;
                } else {
                    actual = Metrics.argmax(targets, (long) r * cols, cols);
                }
            }
            matrix.add(actual, predicted);
        }
    }

    @Override
    public double result() {
        if (matrix == null || matrix.total() == 0) return 0;
        if (binary) {
            return switch (kind) {
                case PRECISION -> matrix.precision(1);
                case RECALL -> matrix.recall(1);
                case F1 -> matrix.f1(1);
            };
        }
        return switch (kind) {
            case PRECISION -> matrix.precision(average);
            case RECALL -> matrix.recall(average);
            case F1 -> matrix.f1(average);
        };
    }

    @Override
    public String toString() {
        return name + "=" + result();
    }
}
