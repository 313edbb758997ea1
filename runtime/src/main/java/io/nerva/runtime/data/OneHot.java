package io.nerva.runtime.data;

/** One-hot encoding of class labels and back (argmax, first maximum wins). */
public final class OneHot {
    private OneHot() {}

    /** One row of {@code classes} floats per label, 1 at the label's index. */
    public static float[][] encode(int[] labels, int classes) {
        checkLabels(labels, classes);
        float[][] rows = new float[labels.length][classes];
        for (int i = 0; i < labels.length; i++) rows[i][labels[i]] = 1f;
        return rows;
    }

    /** As {@link #encode} but row-major in one array of {@code labels.length × classes} floats. */
    public static float[] encodeFlat(int[] labels, int classes) {
        checkLabels(labels, classes);
        float[] flat = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) flat[i * classes + labels[i]] = 1f;
        return flat;
    }

    /** The index of the largest value of each row. */
    public static int[] decode(float[][] rows) {
        int[] labels = new int[rows.length];
        for (int i = 0; i < rows.length; i++) labels[i] = argmax(rows[i], 0, rows[i].length);
        return labels;
    }

    /** As {@link #decode} for row-major rows of {@code classes} floats. */
    public static int[] decodeFlat(float[] flat, int classes) {
        if (classes < 1 || flat.length % classes != 0) {
            throw new IllegalArgumentException(flat.length + " floats are not rows of " + classes + " classes");
        }
        int[] labels = new int[flat.length / classes];
        for (int i = 0; i < labels.length; i++) labels[i] = argmax(flat, i * classes, classes);
        return labels;
    }

    /** Index (relative to {@code from}) of the first maximum of {@code n} values; NaN never wins. */
    public static int argmax(float[] values, int from, int n) {
        int best = 0;
        float max = values[from];
        for (int j = 1; j < n; j++) {
            float v = values[from + j];
            if (v > max || (Float.isNaN(max) && !Float.isNaN(v))) {
                max = v;
                best = j;
            }
        }
        return best;
    }

    static void checkLabels(int[] labels, int classes) {
        if (classes < 1) throw new IllegalArgumentException("classes must be at least 1, got " + classes);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " is out of range for "
                        + classes + " classes (0.." + (classes - 1) + ")");
            }
        }
    }
}
