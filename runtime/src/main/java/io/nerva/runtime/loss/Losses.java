package io.nerva.runtime.loss;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The loss implementations (see {@link Loss}). Conventions, as Keras: every loss is the mean over
 * the last axis, then the mean over rows — except the categorical cross-entropies, which sum over
 * the classes and average over rows. Accumulation is in double; gradients are stored as float.
 *
 * <ul>
 *   <li>{@code MEAN_SQUARED_ERROR}: {@code mean (p − y)²}, gradient {@code 2(p − y)/(rows·cols)}.</li>
 *   <li>{@code MEAN_ABSOLUTE_ERROR}: {@code mean |p − y|}, gradient {@code sign(p − y)/(rows·cols)} (0 at p = y).</li>
 *   <li>{@code BINARY_CROSSENTROPY}: on probabilities clamped to {@code [ε, 1 − ε]}, ε = 1e-7
 *       (gradient 0 where clamped). Fused with a SIGMOID output it is computed from the logits as
 *       {@code max(z, 0) − z·y + log(1 + e^−|z|)}, gradient w.r.t. the logits {@code (σ(z) − y)/(rows·cols)}.</li>
 *   <li>{@code BINARY_CROSSENTROPY_FROM_LOGITS}: the same stable formula on the (linear) output.</li>
 *   <li>{@code CATEGORICAL_CROSSENTROPY}: fused with SOFTMAX: per row {@code Σy·logsumexp(z) − Σ y·z},
 *       gradient w.r.t. the logits {@code (p·Σy − y)/rows} (= {@code (p − y)/rows} for targets summing to 1).
 *       On another output: {@code −Σ y·log(clamp(p, ε, 1 − ε))} (unlike Keras, the output is not
 *       renormalised to sum to 1 first).</li>
 *   <li>{@code SPARSE_CATEGORICAL_CROSSENTROPY}: as categorical with a one-hot target built from one
 *       float column holding the class index; a label that is not an integer in [0, cols) is an
 *       {@link IllegalArgumentException} naming the row, the value and the range, thrown before
 *       anything is written.</li>
 *   <li>{@code HINGE}: {@code mean max(1 − t·p, 0)} with {@code t = −1} where the target is 0 (so 0/1
 *       targets become −1/1, and −1/1 targets stay), gradient {@code −t/(rows·cols)} where positive.</li>
 *   <li>{@code HUBER} (delta δ, 1 by default): per value {@code e = p − y}, {@code ½e²} where {@code |e| ≤ δ}, else
 *       {@code δ(|e| − ½δ)}; mean over everything. Gradient {@code e/n}, or {@code δ·sign(e)/n} beyond δ.</li>
 *   <li>{@code LOG_COSH}: {@code mean log(cosh(p − y))}, computed as {@code |e| + log1p(e^−2|e|) − log 2} (no
 *       overflow for large errors); gradient {@code tanh(e)/n}.</li>
 *   <li>{@code KL_DIVERGENCE}: per row {@code Σ y·log(y/p)} with both clipped to {@code [ε, 1]} (Keras), mean over rows;
 *       gradient {@code −y_c/(p·rows)} with {@code y_c} the clipped target, 0 where p was clipped.</li>
 *   <li>{@code CATEGORICAL_HINGE}: per row {@code max(0, 1 + max_j (1 − y_j)p_j − Σ y·p)}, mean over rows; gradient
 *       {@code (−y_j + [j = argmax])/rows} where the row's loss is positive (ties: the first largest).</li>
 *   <li>{@code CATEGORICAL_CROSSENTROPY_FROM_LOGITS}: the fused softmax formula above on a linear output.</li>
 * </ul>
 * With {@code rows == 0} every loss is 0 and no gradient is written.
 */
final class Losses {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** Keras' fuzz factor for clamping probabilities. */
    static final double EPSILON = 1e-7;

    private static final Loss MSE = new MeanSquaredError();
    private static final Loss MAE = new MeanAbsoluteError();
    private static final Loss BCE = new BinaryCrossentropy();
    private static final Loss BCE_LOGITS = new BinaryCrossentropyFromLogits();
    private static final Loss CCE = new CategoricalCrossentropy(false);
    private static final Loss SPARSE_CCE = new CategoricalCrossentropy(true);
    private static final Loss HINGE = new Hinge();
    private static final Loss HUBER = new Huber(1.0);
    private static final Loss LOG_COSH = new LogCosh();
    private static final Loss KL = new KlDivergence();
    private static final Loss CATEGORICAL_HINGE = new CategoricalHinge();
    private static final Loss CCE_LOGITS = new CategoricalCrossentropyFromLogits();

    private Losses() {}

    static Loss of(LossFunction function) {
        return switch (function) {
            case MEAN_SQUARED_ERROR -> MSE;
            case MEAN_ABSOLUTE_ERROR -> MAE;
            case BINARY_CROSSENTROPY -> BCE;
            case BINARY_CROSSENTROPY_FROM_LOGITS -> BCE_LOGITS;
            case CATEGORICAL_CROSSENTROPY -> CCE;
            case SPARSE_CATEGORICAL_CROSSENTROPY -> SPARSE_CCE;
            case HINGE -> HINGE;
            case HUBER -> HUBER;
            case LOG_COSH -> LOG_COSH;
            case KL_DIVERGENCE -> KL;
            case CATEGORICAL_HINGE -> CATEGORICAL_HINGE;
            case CATEGORICAL_CROSSENTROPY_FROM_LOGITS -> CCE_LOGITS;
            case UNSPECIFIED ->
                throw new IllegalArgumentException(
                        "no loss function was chosen: pick one, either in @Network(loss = ...) or at run time "
                                + "(e.g. LossFunction.MEAN_SQUARED_ERROR, CATEGORICAL_CROSSENTROPY)");
        };
    }

    /** Huber loss with the given delta. */
    static Loss huber(double delta) {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("Huber delta must be positive and finite, got " + delta);
        }
        return new Huber(delta);
    }

    private static boolean wantsGrad(MemorySegment grad) {
        return !MemorySegment.NULL.equals(grad);
    }

    private static double clamp(double p) {
        return Math.min(Math.max(p, EPSILON), 1.0 - EPSILON);
    }

    private static boolean inside(double p) {
        return p >= EPSILON && p <= 1.0 - EPSILON;
    }

    private abstract static class Base implements Loss {
        private final LossFunction function;

        Base(LossFunction function) {
            this.function = function;
        }

        @Override
        public LossFunction function() {
            return function;
        }

        @Override
        public int targetColumns(int outputColumns) {
            return outputColumns;
        }

        @Override
        public boolean fusesWith(ActivationType outputActivation) {
            return false;
        }

        @Override
        public String toString() {
            return function.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final class MeanSquaredError extends Base {
        MeanSquaredError() {
            super(LossFunction.MEAN_SQUARED_ERROR);
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
            if (rows == 0) return 0;
            final long n = (long) rows * cols;
            final double inv = 1.0 / n;
            final boolean g = wantsGrad(grad);
            double sum = 0;
            for (long i = 0; i < n; i++) {
                double d = (double) output.getAtIndex(F, i) - targets.getAtIndex(F, i);
                sum += d * d;
                if (g) grad.setAtIndex(F, i, (float) (2.0 * d * inv));
            }
            return sum * inv;
        }
    }

    private static final class MeanAbsoluteError extends Base {
        MeanAbsoluteError() {
            super(LossFunction.MEAN_ABSOLUTE_ERROR);
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
            if (rows == 0) return 0;
            final long n = (long) rows * cols;
            final double inv = 1.0 / n;
            final boolean g = wantsGrad(grad);
            double sum = 0;
            for (long i = 0; i < n; i++) {
                double d = (double) output.getAtIndex(F, i) - targets.getAtIndex(F, i);
                sum += Math.abs(d);
                if (g) grad.setAtIndex(F, i, (float) (Math.signum(d) * inv));
            }
            return sum * inv;
        }
    }

    /** {@code max(z, 0) − z·y + log(1 + e^−|z|)} summed over n values; gradient {@code (σ(z) − y)·inv}. */
    private static double bceFromLogits(
            MemorySegment z, MemorySegment targets, long n, double inv, MemorySegment grad) {
        final boolean g = wantsGrad(grad);
        double sum = 0;
        for (long i = 0; i < n; i++) {
            double x = z.getAtIndex(F, i);
            double y = targets.getAtIndex(F, i);
            double e = Math.exp(-Math.abs(x));
            sum += Math.max(x, 0.0) - x * y + Math.log1p(e);
            if (g) {
                double s = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
                grad.setAtIndex(F, i, (float) ((s - y) * inv));
            }
        }
        return sum;
    }

    private static final class BinaryCrossentropy extends Base {
        BinaryCrossentropy() {
            super(LossFunction.BINARY_CROSSENTROPY);
        }

        @Override
        public boolean fusesWith(ActivationType outputActivation) {
            return outputActivation == ActivationType.SIGMOID;
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
            if (rows == 0) return 0;
            final long n = (long) rows * cols;
            final double inv = 1.0 / n;
            if (fusesWith(outputActivation)) return bceFromLogits(logits, targets, n, inv, grad) * inv;
            final boolean g = wantsGrad(grad);
            double sum = 0;
            for (long i = 0; i < n; i++) {
                double p = output.getAtIndex(F, i);
                double y = targets.getAtIndex(F, i);
                double pc = clamp(p);
                sum -= y * Math.log(pc) + (1.0 - y) * Math.log(1.0 - pc);
                if (g) grad.setAtIndex(F, i, inside(p) ? (float) ((-y / pc + (1.0 - y) / (1.0 - pc)) * inv) : 0f);
            }
            return sum * inv;
        }
    }

    private static final class BinaryCrossentropyFromLogits extends Base {
        BinaryCrossentropyFromLogits() {
            super(LossFunction.BINARY_CROSSENTROPY_FROM_LOGITS);
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
            if (rows == 0) return 0;
            final long n = (long) rows * cols;
            final double inv = 1.0 / n;
            return bceFromLogits(output, targets, n, inv, grad) * inv;
        }
    }

    private static final class CategoricalCrossentropy extends Base {
        private final boolean sparse;

        CategoricalCrossentropy(boolean sparse) {
            super(sparse ? LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY : LossFunction.CATEGORICAL_CROSSENTROPY);
            this.sparse = sparse;
        }

        @Override
        public int targetColumns(int outputColumns) {
            return sparse ? 1 : outputColumns;
        }

        @Override
        public boolean fusesWith(ActivationType outputActivation) {
            return outputActivation == ActivationType.SOFTMAX;
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
            if (rows == 0) return 0;
            if (sparse) checkLabels(targets, rows, cols);
            final boolean g = wantsGrad(grad);
            if (fusesWith(outputActivation)) {
                return sparse
                        ? fusedSparse(logits, targets, rows, cols, grad, g)
                        : fusedDense(logits, targets, rows, cols, grad, g);
            }
            return sparse
                    ? plainSparse(output, targets, rows, cols, grad, g)
                    : plainDense(output, targets, rows, cols, grad, g);
        }

        private static double fusedDense(
                MemorySegment logits, MemorySegment targets, int rows, int cols, MemorySegment grad, boolean g) {
            final double inv = 1.0 / rows;
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                final long base = (long) r * cols;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) max = Math.max(max, logits.getAtIndex(F, base + j));
                double s = 0, sy = 0, syz = 0;
                for (int j = 0; j < cols; j++) {
                    double z = logits.getAtIndex(F, base + j), y = targets.getAtIndex(F, base + j);
                    double e = Math.exp(z - max);
                    s += e;
                    sy += y;
                    syz += y * z;
                    if (g) grad.setAtIndex(F, base + j, (float) e);
                }
                sum += sy * (max + Math.log(s)) - syz;
                if (g) {
                    final double scale = sy * inv / s; // d/dz of Σy·lse − Σy·z = p·Σy − y
                    for (int j = 0; j < cols; j++) {
                        grad.setAtIndex(F, base + j, (float)
                                (grad.getAtIndex(F, base + j) * scale - targets.getAtIndex(F, base + j) * inv));
                    }
                }
            }
            return sum * inv;
        }

        private static double fusedSparse(
                MemorySegment logits, MemorySegment targets, int rows, int cols, MemorySegment grad, boolean g) {
            final double inv = 1.0 / rows;
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                final long base = (long) r * cols;
                final int c = (int) targets.getAtIndex(F, r);
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) max = Math.max(max, logits.getAtIndex(F, base + j));
                double s = 0;
                for (int j = 0; j < cols; j++) {
                    double e = Math.exp(logits.getAtIndex(F, base + j) - max);
                    s += e;
                    if (g) grad.setAtIndex(F, base + j, (float) e);
                }
                sum += max + Math.log(s) - logits.getAtIndex(F, base + c);
                if (g) {
                    final double scale = inv / s;
                    for (int j = 0; j < cols; j++) {
                        grad.setAtIndex(F, base + j, (float) (grad.getAtIndex(F, base + j) * scale));
                    }
                    grad.setAtIndex(F, base + c, (float) (grad.getAtIndex(F, base + c) - inv));
                }
            }
            return sum * inv;
        }

        private static double plainSparse(
                MemorySegment output, MemorySegment targets, int rows, int cols, MemorySegment grad, boolean g) {
            final double inv = 1.0 / rows;
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                final long base = (long) r * cols;
                final int c = (int) targets.getAtIndex(F, r);
                double p = output.getAtIndex(F, base + c);
                double pc = clamp(p);
                sum -= Math.log(pc);
                if (g) {
                    for (int j = 0; j < cols; j++) grad.setAtIndex(F, base + j, 0f);
                    if (inside(p)) grad.setAtIndex(F, base + c, (float) (-inv / pc));
                }
            }
            return sum * inv;
        }

        private static double plainDense(
                MemorySegment output, MemorySegment targets, int rows, int cols, MemorySegment grad, boolean g) {
            final double inv = 1.0 / rows;
            final long n = (long) rows * cols;
            double sum = 0;
            for (long i = 0; i < n; i++) {
                double p = output.getAtIndex(F, i);
                double y = targets.getAtIndex(F, i);
                double pc = clamp(p);
                sum -= y * Math.log(pc);
                if (g) grad.setAtIndex(F, i, inside(p) ? (float) (-y * inv / pc) : 0f);
            }
            return sum * inv;
        }

        private static void checkLabels(MemorySegment targets, int rows, int cols) {
            for (int r = 0; r < rows; r++) {
                float label = targets.getAtIndex(F, r);
                if (!(label >= 0f && label < cols && label == (int) label)) {
                    throw new IllegalArgumentException("sparse categorical cross-entropy: the target of row " + r
                            + " is " + label + ", but it must be an integer class index in [0, " + cols + ")"
                            + " (0 to " + (cols - 1) + " for " + cols + " output units)");
                }
            }
        }
    }

    private static final class Hinge extends Base {
        Hinge() {
            super(LossFunction.HINGE);
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
            if (rows == 0) return 0;
            final long n = (long) rows * cols;
            final double inv = 1.0 / n;
            final boolean g = wantsGrad(grad);
            double sum = 0;
            for (long i = 0; i < n; i++) {
                double y = targets.getAtIndex(F, i);
                double t = y == 0.0 ? -1.0 : y;
                double margin = 1.0 - t * output.getAtIndex(F, i);
                if (margin > 0) sum += margin;
                if (g) grad.setAtIndex(F, i, margin > 0 ? (float) (-t * inv) : 0f);
            }
            return sum * inv;
        }
    }

    private static final class Huber extends Base {
        private final double delta;

        Huber(double delta) {
            super(LossFunction.HUBER);
            this.delta = delta;
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
            if (rows == 0) return 0;
            final long n = (long) rows * cols;
            final double inv = 1.0 / n;
            final boolean g = wantsGrad(grad);
            double sum = 0;
            for (long i = 0; i < n; i++) {
                double e = (double) output.getAtIndex(F, i) - targets.getAtIndex(F, i);
                double a = Math.abs(e);
                boolean quadratic = a <= delta;
                sum += quadratic ? 0.5 * e * e : delta * (a - 0.5 * delta);
                if (g) grad.setAtIndex(F, i, (float) ((quadratic ? e : delta * Math.signum(e)) * inv));
            }
            return sum * inv;
        }

        @Override
        public String toString() {
            return "huber(delta=" + delta + ")";
        }
    }

    private static final class LogCosh extends Base {
        private static final double LOG2 = Math.log(2.0);

        LogCosh() {
            super(LossFunction.LOG_COSH);
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
            if (rows == 0) return 0;
            final long n = (long) rows * cols;
            final double inv = 1.0 / n;
            final boolean g = wantsGrad(grad);
            double sum = 0;
            for (long i = 0; i < n; i++) {
                double e = (double) output.getAtIndex(F, i) - targets.getAtIndex(F, i);
                double a = Math.abs(e);
                sum += a + Math.log1p(Math.exp(-2 * a)) - LOG2; // log cosh e, without overflow for large |e|
                if (g) grad.setAtIndex(F, i, (float) (Math.tanh(e) * inv));
            }
            return sum * inv;
        }
    }

    private static final class KlDivergence extends Base {
        KlDivergence() {
            super(LossFunction.KL_DIVERGENCE);
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
            if (rows == 0) return 0;
            final long n = (long) rows * cols;
            final double inv = 1.0 / rows;
            final boolean g = wantsGrad(grad);
            double sum = 0;
            for (long i = 0; i < n; i++) {
                double p = output.getAtIndex(F, i);
                double y = Math.min(Math.max(targets.getAtIndex(F, i), EPSILON), 1.0);
                double pc = Math.min(Math.max(p, EPSILON), 1.0);
                sum += y * Math.log(y / pc);
                if (g) grad.setAtIndex(F, i, p >= EPSILON && p <= 1.0 ? (float) (-y / pc * inv) : 0f);
            }
            return sum * inv;
        }
    }

    private static final class CategoricalHinge extends Base {
        CategoricalHinge() {
            super(LossFunction.CATEGORICAL_HINGE);
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
            if (rows == 0) return 0;
            final double inv = 1.0 / rows;
            final boolean g = wantsGrad(grad);
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                final long base = (long) r * cols;
                double pos = 0, neg = Double.NEGATIVE_INFINITY;
                int argmax = 0;
                for (int j = 0; j < cols; j++) {
                    double p = output.getAtIndex(F, base + j), y = targets.getAtIndex(F, base + j);
                    pos += y * p;
                    double other = (1.0 - y) * p;
                    if (other > neg) {
                        neg = other;
                        argmax = j;
                    }
                }
                double margin = neg - pos + 1.0;
                if (margin > 0) sum += margin;
                if (g) {
                    for (int j = 0; j < cols; j++) {
                        double y = targets.getAtIndex(F, base + j);
                        double d = margin > 0 ? -y + (j == argmax ? 1.0 - y : 0.0) : 0.0;
                        grad.setAtIndex(F, base + j, (float) (d * inv));
                    }
                }
            }
            return sum * inv;
        }
    }

    private static final class CategoricalCrossentropyFromLogits extends Base {
        CategoricalCrossentropyFromLogits() {
            super(LossFunction.CATEGORICAL_CROSSENTROPY_FROM_LOGITS);
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
            if (rows == 0) return 0;
            return CategoricalCrossentropy.fusedDense(output, targets, rows, cols, grad, wantsGrad(grad));
        }
    }
}
