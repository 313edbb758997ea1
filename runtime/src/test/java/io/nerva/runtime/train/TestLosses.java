package io.nerva.runtime.train;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.runtime.loss.Loss;
import java.lang.foreign.MemorySegment;

/** Small loss implementations for the tests (the real ones live in {@code loss.Losses}). */
final class TestLosses {
    private TestLosses() {}

    private static final float EPS = 1e-7f;

    /** Mean over rows of the mean squared error over the columns (Keras' definition). */
    static final Loss MSE = new Loss() {
        @Override
        public LossFunction function() {
            return LossFunction.MEAN_SQUARED_ERROR;
        }

        @Override
        public int targetColumns(int outputColumns) {
            return outputColumns;
        }

        @Override
        public boolean fusesWith(ActivationType a) {
            return false;
        }

        @Override
        public double compute(
                MemorySegment logits,
                MemorySegment output,
                MemorySegment targets,
                int rows,
                int cols,
                ActivationType act,
                MemorySegment grad) {
            double sum = 0;
            for (int k = 0; k < rows * cols; k++) {
                float d = output.getAtIndex(JAVA_FLOAT, k) - targets.getAtIndex(JAVA_FLOAT, k);
                sum += (double) d * d;
                if (grad != MemorySegment.NULL) grad.setAtIndex(JAVA_FLOAT, k, 2f * d / (rows * cols));
            }
            return sum / ((double) rows * cols);
        }
    };

    /** Categorical cross-entropy on one-hot targets, fused with softmax (gradient (p − y)/rows). */
    static final Loss CCE = new Loss() {
        @Override
        public LossFunction function() {
            return LossFunction.CATEGORICAL_CROSSENTROPY;
        }

        @Override
        public int targetColumns(int outputColumns) {
            return outputColumns;
        }

        @Override
        public boolean fusesWith(ActivationType a) {
            return a == ActivationType.SOFTMAX;
        }

        @Override
        public double compute(
                MemorySegment logits,
                MemorySegment output,
                MemorySegment targets,
                int rows,
                int cols,
                ActivationType act,
                MemorySegment grad) {
            double sum = 0;
            boolean fused = fusesWith(act);
            for (int k = 0; k < rows * cols; k++) {
                float p = output.getAtIndex(JAVA_FLOAT, k);
                float y = targets.getAtIndex(JAVA_FLOAT, k);
                if (y != 0) sum -= y * Math.log(Math.max(p, EPS));
                if (grad != MemorySegment.NULL) {
                    grad.setAtIndex(JAVA_FLOAT, k, fused ? (p - y) / rows : -y / Math.max(p, EPS) / rows);
                }
            }
            return sum / rows;
        }
    };

    /** Categorical cross-entropy on one column of class indices, fused with softmax. */
    static final Loss SPARSE_CCE = new Loss() {
        @Override
        public LossFunction function() {
            return LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY;
        }

        @Override
        public int targetColumns(int outputColumns) {
            return 1;
        }

        @Override
        public boolean fusesWith(ActivationType a) {
            return a == ActivationType.SOFTMAX;
        }

        @Override
        public double compute(
                MemorySegment logits,
                MemorySegment output,
                MemorySegment targets,
                int rows,
                int cols,
                ActivationType act,
                MemorySegment grad) {
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                int label = (int) targets.getAtIndex(JAVA_FLOAT, r);
                if (label < 0 || label >= cols)
                    throw new IllegalArgumentException("row " + r + ": label " + label + " out of range");
                sum -= Math.log(Math.max(output.getAtIndex(JAVA_FLOAT, (long) r * cols + label), EPS));
                if (grad != MemorySegment.NULL) {
                    for (int j = 0; j < cols; j++) {
                        long k = (long) r * cols + j;
                        grad.setAtIndex(
                                JAVA_FLOAT, k, (output.getAtIndex(JAVA_FLOAT, k) - (j == label ? 1f : 0f)) / rows);
                    }
                }
            }
            return sum / rows;
        }
    };
}
