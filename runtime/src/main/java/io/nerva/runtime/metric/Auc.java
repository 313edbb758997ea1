package io.nerva.runtime.metric;

import java.util.Arrays;
import java.util.Objects;

/**
 * Areas under the ROC and precision-recall curves, computed exactly from all scores (as
 * scikit-learn's {@code roc_auc_score} and {@code average_precision_score}), for binary scores
 * or one-vs-rest over the columns of a model's outputs.
 *
 * <pre>{@code
 * float[][] outputs = Trainer.predict(model, test, fit);
 * double auc = Auc.rocOneVsRest(outputs, test.labels(), Average.MACRO);
 * }</pre>
 */
public final class Auc {
    private Auc() {}

    /**
     * ROC AUC: the probability that a random positive scores above a random negative (ties count
     * half), from average ranks.
     *
     * @throws IllegalArgumentException when the lengths differ, a score is NaN, or there is no
     *                                  positive or no negative (the ROC curve is then undefined)
     */
    public static double roc(double[] scores, boolean[] positive) {
        check(scores, positive);
        int n = scores.length;
        long pos = 0;
        for (boolean p : positive) if (p) pos++;
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            throw new IllegalArgumentException(
                    "ROC AUC needs both classes; got " + pos + " positive and " + neg + " negative samples");
        }
        Integer[] order = sortedAscending(scores);
        double rankSum = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1; // average rank of the tied group, ranks from 1
            for (int k = i; k <= j; k++) if (positive[order[k]]) rankSum += rank;
            i = j + 1;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /**
     * Average precision, the area under the precision-recall curve as scikit-learn sums it:
     * {@code Σ (R_k − R_{k−1}) · P_k} over the distinct score thresholds, highest first.
     *
     * @throws IllegalArgumentException when the lengths differ, a score is NaN, or there is no positive
     */
    public static double averagePrecision(double[] scores, boolean[] positive) {
        check(scores, positive);
        int n = scores.length;
        long pos = 0;
        for (boolean p : positive) if (p) pos++;
        if (pos == 0)
            throw new IllegalArgumentException(
                    "average precision needs at least one positive sample, got none of " + n);
        Integer[] order = sortedAscending(scores);
        double ap = 0, lastRecall = 0;
        long tp = 0, seen = 0;
        for (int i = n - 1; i >= 0; ) {
            int j = i;
            while (j - 1 >= 0 && scores[order[j - 1]] == scores[order[i]]) j--;
            for (int k = j; k <= i; k++) if (positive[order[k]]) tp++;
            seen += i - j + 1;
            double recall = (double) tp / pos, precision = (double) tp / seen;
            ap += (recall - lastRecall) * precision;
            lastRecall = recall;
            i = j - 1;
        }
        return ap;
    }

    /** ROC AUC of each output column against "label == column", averaged (MACRO or WEIGHTED by support). */
    public static double rocOneVsRest(float[][] outputs, int[] labels, Average average) {
        return oneVsRest(outputs, labels, average, true);
    }

    /** Average precision of each output column against "label == column", averaged (MACRO or WEIGHTED by support). */
    public static double averagePrecisionOneVsRest(float[][] outputs, int[] labels, Average average) {
        return oneVsRest(outputs, labels, average, false);
    }

    private static double oneVsRest(float[][] outputs, int[] labels, Average average, boolean roc) {
        Objects.requireNonNull(outputs, "outputs");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(average, "average");
        if (average == Average.MICRO)
            throw new IllegalArgumentException("one-vs-rest AUC is averaged MACRO or WEIGHTED, not MICRO");
        if (outputs.length != labels.length) {
            throw new IllegalArgumentException(
                    "expected one label per output row (" + outputs.length + "), got " + labels.length);
        }
        if (outputs.length == 0) throw new IllegalArgumentException("no outputs to score");
        int classes = outputs[0].length;
        if (classes < 2)
            throw new IllegalArgumentException(
                    "one-vs-rest needs at least 2 output columns, got " + classes + "; use roc()");
        double sum = 0, weights = 0;
        for (int c = 0; c < classes; c++) {
            double[] s = new double[outputs.length];
            boolean[] p = new boolean[outputs.length];
            long support = 0;
            for (int i = 0; i < outputs.length; i++) {
                if (outputs[i].length != classes) {
                    throw new IllegalArgumentException(
                            "output row " + i + " has " + outputs[i].length + " columns, expected " + classes);
                }
                if (labels[i] < 0 || labels[i] >= classes) {
                    throw new IllegalArgumentException(
                            "label " + i + " is " + labels[i] + ", outside [0, " + classes + ")");
                }
                s[i] = outputs[i][c];
                p[i] = labels[i] == c;
                if (p[i]) support++;
            }
            double v;
            try {
                v = roc ? roc(s, p) : averagePrecision(s, p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("class " + c + ": " + e.getMessage(), e);
            }
            double w = average == Average.MACRO ? 1 : support;
            sum += w * v;
            weights += w;
        }
        return sum / weights;
    }

    private static void check(double[] scores, boolean[] positive) {
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(positive, "positive");
        if (scores.length != positive.length) {
            throw new IllegalArgumentException(
                    "expected one label per score (" + scores.length + "), got " + positive.length);
        }
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) throw new IllegalArgumentException("score " + i + " is NaN");
        }
    }

    private static Integer[] sortedAscending(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        return order;
    }
}
