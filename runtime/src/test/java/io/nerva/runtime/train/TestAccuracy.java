package io.nerva.runtime.train;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.nerva.runtime.metric.Metric;
import java.lang.foreign.MemorySegment;

/** Categorical accuracy for the tests: argmax of the output against a one-hot argmax or a class index. */
final class TestAccuracy implements Metric {
    private long correct;
    private long total;

    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public void reset() {
        correct = 0;
        total = 0;
    }

    @Override
    public void update(MemorySegment output, MemorySegment targets, int rows, int cols, int targetCols) {
        for (int r = 0; r < rows; r++) {
            int predicted = argmax(output, (long) r * cols, cols);
            int actual = targetCols == 1
                    ? (int) targets.getAtIndex(JAVA_FLOAT, r)
                    : argmax(targets, (long) r * targetCols, targetCols);
            if (predicted == actual) correct++;
        }
        total += rows;
    }

    private static int argmax(MemorySegment s, long from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++)
            if (s.getAtIndex(JAVA_FLOAT, from + j) > s.getAtIndex(JAVA_FLOAT, from + best)) best = j;
        return best;
    }

    @Override
    public double result() {
        return total == 0 ? 0 : (double) correct / total;
    }
}
