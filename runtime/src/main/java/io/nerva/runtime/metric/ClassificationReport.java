package io.nerva.runtime.metric;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Per-class precision, recall, F1 and support, with accuracy and the macro and weighted averages,
 * printed as scikit-learn's {@code classification_report} prints them:
 * <pre>
 *               precision    recall  f1-score   support
 *
 *            0       0.67      1.00      0.80         2
 *            1       1.00      0.50      0.67         2
 *
 *     accuracy                           0.75         4
 *    macro avg       0.83      0.75      0.73         4
 * weighted avg       0.83      0.75      0.73         4
 * </pre>
 */
public final class ClassificationReport {
    /** One class's line. */
    public record Row(String name, double precision, double recall, double f1, long support) {}

    private final ConfusionMatrix matrix;
    private final List<Row> rows;
    private final int digits;

    private ClassificationReport(ConfusionMatrix matrix, List<String> names, int digits) {
        this.matrix = matrix;
        this.digits = digits;
        List<Row> r = new ArrayList<>();
        for (int c = 0; c < matrix.classes(); c++) {
            r.add(new Row(
                    names.isEmpty() ? Integer.toString(c) : names.get(c),
                    matrix.precision(c),
                    matrix.recall(c),
                    matrix.f1(c),
                    matrix.support(c)));
        }
        this.rows = List.copyOf(r);
    }

    /** A report with classes named by their index and 2 digits. */
    public static ClassificationReport of(ConfusionMatrix matrix) {
        return of(matrix, List.of(), 2);
    }

    /** A report with class names (one per class, or an empty list for indices) and 2 digits. */
    public static ClassificationReport of(ConfusionMatrix matrix, List<String> names) {
        return of(matrix, names, 2);
    }

    public static ClassificationReport of(ConfusionMatrix matrix, List<String> names, int digits) {
        Objects.requireNonNull(matrix, "matrix");
        Objects.requireNonNull(names, "names");
        if (!names.isEmpty() && names.size() != matrix.classes()) {
            throw new IllegalArgumentException("expected " + matrix.classes() + " class names, got " + names.size());
        }
        if (digits < 0 || digits > 10) throw new IllegalArgumentException("digits must be in [0, 10], got " + digits);
        return new ClassificationReport(matrix, names, digits);
    }

    public List<Row> rows() {
        return rows;
    }

    public ConfusionMatrix matrix() {
        return matrix;
    }

    @Override
    public String toString() {
        String[] headers = {"precision", "recall", "f1-score", "support"};
        int width = "weighted avg".length();
        for (Row r : rows) width = Math.max(width, r.name().length());
        width = Math.max(width, digits);
        StringBuilder sb = new StringBuilder();
        sb.append(" ".repeat(width)).append(' ');
        for (String h : headers) sb.append(String.format(Locale.ROOT, " %9s", h));
        sb.append("\n\n");
        for (Row r : rows) line(sb, r.name(), width, r.precision(), r.recall(), r.f1(), r.support());
        sb.append('\n');
        long total = matrix.total();
        sb.append(String.format(Locale.ROOT, "%" + width + "s ", "accuracy"))
                .append(" ".repeat(20))
                .append(String.format(Locale.ROOT, " %9." + digits + "f %9d%n", matrix.accuracy(), total)
                        .replace(System.lineSeparator(), "\n"));
        line(
                sb,
                "macro avg",
                width,
                matrix.precision(Average.MACRO),
                matrix.recall(Average.MACRO),
                matrix.f1(Average.MACRO),
                total);
        line(
                sb,
                "weighted avg",
                width,
                matrix.precision(Average.WEIGHTED),
                matrix.recall(Average.WEIGHTED),
                matrix.f1(Average.WEIGHTED),
                total);
        return sb.toString();
    }

    private void line(StringBuilder sb, String name, int width, double p, double r, double f, long support) {
        String num = " %9." + digits + "f";
        sb.append(String.format(Locale.ROOT, "%" + width + "s " + num + num + num + " %9d", name, p, r, f, support))
                .append('\n');
    }
}
