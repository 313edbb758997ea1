package io.nerva.runtime.metric;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Metric factories. Each call returns a fresh instance holding its own running sums; results are
 * means over every value (regression, binary) or every row (categorical) seen since {@link Metric#reset()}.
 * Before any update, {@link Metric#result()} is 0.
 *
 * <p>Categorical targets are either one-hot rows ({@code targetCols == cols}; the true class is the
 * row's argmax) or one column holding the class index ({@code targetCols == 1}); argmax picks the
 * first maximum on ties. Binary predictions and targets are thresholded at 0.5 ({@code > 0.5} is 1).
 */
public final class Metrics {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private Metrics() {}

    /** Keras' {@code "accuracy"}: binary accuracy for one output column, categorical accuracy otherwise. */
    public static Metric accuracy() {
        return new Accuracy("accuracy", Kind.AUTO, 1);
    }

    /** {@code "binary_accuracy"}: the fraction of all values where {@code output > 0.5} matches {@code target > 0.5}. */
    public static Metric binaryAccuracy() {
        return new Accuracy("binary_accuracy", Kind.BINARY, 1);
    }

    /** {@code "categorical_accuracy"}: the fraction of rows whose argmax is the true class. */
    public static Metric categoricalAccuracy() {
        return new Accuracy("categorical_accuracy", Kind.CATEGORICAL, 1);
    }

    /**
     * {@code "top_<k>_accuracy"} (e.g. {@code top_5_accuracy}): the fraction of rows whose true class
     * is among the k highest outputs. Ties are broken by class index, lower first (consistent with
     * argmax), so {@code topK(1)} equals {@link #categoricalAccuracy()}. A NaN score is never in the top k.
     */
    public static Metric topK(int k) {
        if (k < 1) throw new IllegalArgumentException("top-k accuracy needs k ≥ 1, got " + k);
        return new Accuracy("top_" + k + "_accuracy", Kind.TOP_K, k);
    }

    /** {@code "mse"}: mean of {@code (output − target)²}. */
    public static Metric mse() {
        return new Regression("mse", Regression.SQUARED);
    }

    /** {@code "mae"}: mean of {@code |output − target|}. */
    public static Metric mae() {
        return new Regression("mae", Regression.ABSOLUTE);
    }

    /** {@code "rmse"}: square root of the running mean squared error (as Keras' RootMeanSquaredError). */
    public static Metric rmse() {
        return new Regression("rmse", Regression.ROOT);
    }

    /**
     * {@code "precision"}: macro-averaged precision over the classes (argmax of the outputs); with
     * one output column ({@code > 0.5}), the precision of the positive class, as Keras' {@code Precision}.
     * Computed from a confusion matrix accumulated over the batches, so it is exact for the whole pass.
     */
    public static Metric precision() {
        return new ClassificationMetric("precision", ClassificationMetric.Kind.PRECISION, Average.MACRO);
    }

    /** {@code "recall"}: as {@link #precision()}, for recall. */
    public static Metric recall() {
        return new ClassificationMetric("recall", ClassificationMetric.Kind.RECALL, Average.MACRO);
    }

    /** {@code "f1"}: as {@link #precision()}, for F1 (macro: the mean of the per-class F1 scores). */
    public static Metric f1() {
        return new ClassificationMetric("f1", ClassificationMetric.Kind.F1, Average.MACRO);
    }

    /** {@code "precision_micro"}, {@code "precision_weighted"} (or {@code "precision"} for MACRO). */
    public static Metric precision(Average average) {
        return new ClassificationMetric(
                averagedName("precision", average), ClassificationMetric.Kind.PRECISION, average);
    }

    /** {@code "recall_micro"}, {@code "recall_weighted"} (or {@code "recall"} for MACRO). */
    public static Metric recall(Average average) {
        return new ClassificationMetric(averagedName("recall", average), ClassificationMetric.Kind.RECALL, average);
    }

    /** {@code "f1_micro"}, {@code "f1_weighted"} (or {@code "f1"} for MACRO). */
    public static Metric f1(Average average) {
        return new ClassificationMetric(averagedName("f1", average), ClassificationMetric.Kind.F1, average);
    }

    private static String averagedName(String base, Average average) {
        java.util.Objects.requireNonNull(average, "average");
        return average == Average.MACRO ? base : base + "_" + average.name().toLowerCase(java.util.Locale.ROOT);
    }

    private enum Kind {
        AUTO,
        BINARY,
        CATEGORICAL,
        TOP_K
    }

    private static final class Accuracy implements Metric {
        private final String name;
        private final Kind kind;
        private final int k;
        private long correct;
        private long total;

        Accuracy(String name, Kind kind, int k) {
            this.name = name;
            this.kind = kind;
            this.k = k;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void reset() {
            correct = 0;
            total = 0;
        }

        @Override
        public void update(MemorySegment output, MemorySegment targets, int rows, int cols, int targetCols) {
            Kind kd = kind == Kind.AUTO ? (cols == 1 ? Kind.BINARY : Kind.CATEGORICAL) : kind;
            switch (kd) {
                case BINARY -> {
                    if (targetCols != cols) {
                        throw new IllegalArgumentException(name + ": binary accuracy needs one target per output ("
                                + cols + " columns), got " + targetCols);
                    }
                    long n = (long) rows * cols, c = 0;
                    for (long i = 0; i < n; i++) {
                        if ((output.getAtIndex(F, i) > 0.5f) == (targets.getAtIndex(F, i) > 0.5f)) c++;
                    }
                    correct += c;
                    total += n;
                }
                case CATEGORICAL, TOP_K -> {
                    checkTargetCols(cols, targetCols);
                    int kk = kd == Kind.TOP_K ? k : 1;
                    for (int r = 0; r < rows; r++) {
                        int label = trueClass(targets, r, cols, targetCols);
                        if (rank(output, (long) r * cols, cols, label) < kk) correct++;
                    }
                    total += rows;
                }
                case AUTO -> throw new AssertionError();
            }
        }

        private void checkTargetCols(int cols, int targetCols) {
            if (targetCols != 1 && targetCols != cols) {
                throw new IllegalArgumentException(name + ": targets must be one-hot (" + cols
                        + " columns) or one class-index column, got " + targetCols + " columns");
            }
        }

        private int trueClass(MemorySegment targets, int r, int cols, int targetCols) {
            if (targetCols == 1 && cols != 1) {
                float v = targets.getAtIndex(F, r);
                if (!(v >= 0f && v < cols && v == (int) v)) {
                    throw new IllegalArgumentException(name + ": the target of row " + r + " is " + v
                            + ", but it must be an integer class index in [0, " + cols + ")");
                }
                return (int) v;
            }
            return argmax(targets, (long) r * targetCols, targetCols);
        }

        /** Number of classes ranked before {@code label}: strictly higher, or equal with a lower index. */
        private static int rank(MemorySegment out, long base, int cols, int label) {
            float s = out.getAtIndex(F, base + label);
            if (Float.isNaN(s)) return Integer.MAX_VALUE;
            int before = 0;
            for (int j = 0; j < cols; j++) {
                float v = out.getAtIndex(F, base + j);
                if (v > s || (v == s && j < label)) before++;
            }
            return before;
        }

        @Override
        public double result() {
            return total == 0 ? 0.0 : (double) correct / total;
        }

        @Override
        public String toString() {
            return name + "=" + result();
        }
    }

    /** Index of the first maximum of a row (NaN entries are skipped unless all are NaN, then 0). */
    static int argmax(MemorySegment m, long base, int cols) {
        int best = 0;
        float bv = m.getAtIndex(F, base);
        for (int j = 1; j < cols; j++) {
            float v = m.getAtIndex(F, base + j);
            if (v > bv || (Float.isNaN(bv) && !Float.isNaN(v))) {
                bv = v;
                best = j;
            }
        }
        return best;
    }

    private static final class Regression implements Metric {
        static final int SQUARED = 0, ABSOLUTE = 1, ROOT = 2;
        private final String name;
        private final int kind;
        private double sum;
        private long count;

        Regression(String name, int kind) {
            this.name = name;
            this.kind = kind;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void reset() {
            sum = 0;
            count = 0;
        }

        @Override
        public void update(MemorySegment output, MemorySegment targets, int rows, int cols, int targetCols) {
            if (targetCols != cols) {
                throw new IllegalArgumentException(
                        name + ": needs one target per output (" + cols + " columns), got " + targetCols);
            }
            long n = (long) rows * cols;
            double s = 0;
            if (kind == ABSOLUTE) {
                for (long i = 0; i < n; i++) s += Math.abs((double) output.getAtIndex(F, i) - targets.getAtIndex(F, i));
            } else {
                for (long i = 0; i < n; i++) {
                    double d = (double) output.getAtIndex(F, i) - targets.getAtIndex(F, i);
                    s += d * d;
                }
            }
            sum += s;
            count += n;
        }

        @Override
        public double result() {
            if (count == 0) return 0.0;
            double mean = sum / count;
            return kind == ROOT ? Math.sqrt(mean) : mean;
        }

        @Override
        public String toString() {
            return name + "=" + result();
        }
    }
}
