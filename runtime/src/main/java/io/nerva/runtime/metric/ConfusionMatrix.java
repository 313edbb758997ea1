package io.nerva.runtime.metric;

import io.nerva.runtime.core.Network;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.predict.Predictor;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Counts of (true class, predicted class) pairs, and the precision, recall and F1 computed from
 * them, as scikit-learn computes them: a class never predicted has precision 0, a class absent
 * from the true labels has recall 0 (scikit-learn's {@code zero_division=0}), and F1 is 0 when
 * precision and recall are both 0.
 *
 * <pre>{@code
 * ConfusionMatrix cm = ConfusionMatrix.of(model, test);
 * System.out.println(ClassificationReport.of(cm, test.classNames()));
 * double macroF1 = cm.f1(Average.MACRO);
 * }</pre>
 *
 * Rows are true classes, columns predicted ones. Filled by {@link #add} (streaming, batch after
 * batch) or at once by the factories. Not thread-safe.
 */
public final class ConfusionMatrix {
    private final int classes;
    private final long[] counts;

    /** An empty matrix for {@code classes} classes (at least 2). */
    public ConfusionMatrix(int classes) {
        if (classes < 2)
            throw new IllegalArgumentException("a confusion matrix needs at least 2 classes, got " + classes);
        this.classes = classes;
        this.counts = new long[classes * classes];
    }

    /** The matrix of {@code actual} against {@code predicted} labels (same length, each in [0, classes)). */
    public static ConfusionMatrix of(int[] actual, int[] predicted, int classes) {
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(predicted, "predicted");
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException(
                    "expected as many predicted labels as true ones (" + actual.length + "), got " + predicted.length);
        }
        ConfusionMatrix cm = new ConfusionMatrix(classes);
        for (int i = 0; i < actual.length; i++) cm.add(actual[i], predicted[i]);
        return cm;
    }

    /**
     * The matrix of a model's outputs against true labels: the predicted class of a row is its
     * argmax (the first maximum), or for a single output column {@code output > 0.5} (as Keras'
     * binary accuracy).
     */
    public static ConfusionMatrix of(float[][] outputs, int[] actual, int classes) {
        Objects.requireNonNull(outputs, "outputs");
        return of(actual, predictedClasses(outputs), classes);
    }

    /**
     * Predicts every sample of {@code data} (in batches of 256, silently) and counts the
     * predicted classes against the data's labels ({@link Dataset#labels()}).
     */
    public static ConfusionMatrix of(Network model, Dataset data) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        if (data.size() == 0) throw new IllegalArgumentException("data is empty");
        if (data.sampleSize() != model.inputSize()) {
            throw new IllegalArgumentException("data has samples of " + data.sampleSize() + " floats but model '"
                    + model.name() + "' expects " + model.inputSize());
        }
        int classes = data.classes() > 0 ? data.classes() : model.outputSize() == 1 ? 2 : model.outputSize();
        if (data.classes() == 0 && data.targetColumns() != 1 && data.targetColumns() != model.outputSize()) {
            throw new IllegalArgumentException(
                    "data has " + data.targetColumns() + " target columns; expected class labels "
                            + "(one column, or one-hot rows of " + model.outputSize() + ")");
        }
        float[][] outputs = Predictor.predictDataset(model, data, Math.min(256, data.size()), null);
        return of(outputs, data.labels(), classes);
    }

    /** The predicted class of each row: argmax, or {@code > 0.5} for one column. */
    public static int[] predictedClasses(float[][] outputs) {
        int[] p = new int[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            float[] row = Objects.requireNonNull(outputs[i], "output row " + i);
            if (row.length == 0) throw new IllegalArgumentException("output row " + i + " is empty");
            if (row.length == 1) {
                p[i] = row[0] > 0.5f ? 1 : 0;
            } else {
                int best = 0;
                for (int j = 1; j < row.length; j++)
                    if (row[j] > row[best] || (Float.isNaN(row[best]) && !Float.isNaN(row[j]))) best = j;
                p[i] = best;
            }
        }
        return p;
    }

    /** Counts one sample. */
    public void add(int actual, int predicted) {
        if (actual < 0 || actual >= classes) {
            throw new IllegalArgumentException("true class " + actual + " is outside [0, " + classes + ")");
        }
        if (predicted < 0 || predicted >= classes) {
            throw new IllegalArgumentException("predicted class " + predicted + " is outside [0, " + classes + ")");
        }
        counts[actual * classes + predicted]++;
    }

    /** Empties the matrix. */
    public void reset() {
        Arrays.fill(counts, 0);
    }

    public int classes() {
        return classes;
    }

    /** Samples of true class {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        checkClass(actual);
        checkClass(predicted);
        return counts[actual * classes + predicted];
    }

    /** A copy of the counts, {@code [true][predicted]}. */
    public long[][] counts() {
        long[][] m = new long[classes][];
        for (int a = 0; a < classes; a++) m[a] = Arrays.copyOfRange(counts, a * classes, (a + 1) * classes);
        return m;
    }

    /** Samples counted. */
    public long total() {
        long t = 0;
        for (long c : counts) t += c;
        return t;
    }

    /** True samples of class {@code c}. */
    public long support(int c) {
        checkClass(c);
        long s = 0;
        for (int p = 0; p < classes; p++) s += counts[c * classes + p];
        return s;
    }

    /** Samples predicted as class {@code c}. */
    public long predicted(int c) {
        checkClass(c);
        long s = 0;
        for (int a = 0; a < classes; a++) s += counts[a * classes + c];
        return s;
    }

    /** The fraction of samples on the diagonal (0 when empty). */
    public double accuracy() {
        long t = total();
        if (t == 0) return 0;
        long d = 0;
        for (int c = 0; c < classes; c++) d += counts[c * classes + c];
        return (double) d / t;
    }

    /** TP / (TP + FP) for class {@code c}; 0 when it was never predicted. */
    public double precision(int c) {
        long p = predicted(c);
        return p == 0 ? 0 : (double) counts[c * classes + c] / p;
    }

    /** TP / (TP + FN) for class {@code c}; 0 when it has no true sample. */
    public double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : (double) counts[c * classes + c] / s;
    }

    /** The harmonic mean of {@link #precision(int)} and {@link #recall(int)}; 0 when both are 0. */
    public double f1(int c) {
        return harmonic(precision(c), recall(c));
    }

    public double precision(Average average) {
        return average(average, Kind.PRECISION);
    }

    public double recall(Average average) {
        return average(average, Kind.RECALL);
    }

    /** Macro and weighted F1 average the per-class F1 scores (as scikit-learn), micro uses the total counts. */
    public double f1(Average average) {
        return average(average, Kind.F1);
    }

    private enum Kind {
        PRECISION,
        RECALL,
        F1
    }

    private double average(Average average, Kind kind) {
        Objects.requireNonNull(average, "average");
        if (average == Average.MICRO) {
            // single-label: total FP = total FN = total − TP, so precision = recall = F1 = accuracy
            return accuracy();
        }
        long total = total();
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            double v = switch (kind) {
                case PRECISION -> precision(c);
                case RECALL -> recall(c);
                case F1 -> f1(c);
            };
            if (average == Average.MACRO) {
                sum += v;
            } else {
                sum += v * support(c);
            }
        }
        if (average == Average.MACRO) return sum / classes;
        return total == 0 ? 0 : sum / total;
    }

    static double harmonic(double p, double r) {
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    private void checkClass(int c) {
        if (c < 0 || c >= classes)
            throw new IllegalArgumentException("class " + c + " is outside [0, " + classes + ")");
    }

    /** The counts as a table: a row per true class, a column per predicted class. */
    @Override
    public String toString() {
        int w = 4;
        for (long c : counts) w = Math.max(w, Long.toString(c).length() + 1);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + (w + 5) + "s", "true\\pred"));
        for (int p = 0; p < classes; p++) sb.append(String.format(Locale.ROOT, "%" + w + "d", p));
        for (int a = 0; a < classes; a++) {
            sb.append('\n').append(String.format(Locale.ROOT, "%" + (w + 4) + "d ", a));
            for (int p = 0; p < classes; p++)
                sb.append(String.format(Locale.ROOT, "%" + w + "d", counts[a * classes + p]));
        }
        return sb.toString();
    }
}
