package io.nerva.runtime.data;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Reads a CSV file (RFC 4180 quoting: {@code "a, b"}, {@code ""} for a quote, quoted line
 * breaks) into a {@link Dataset}. An immutable configuration: every setter returns a new reader.
 *
 * <pre>{@code
 * Dataset iris = CsvReader.csv().target("species").read(Path.of("iris.csv"));
 * }</pre>
 *
 * <p>Defaults: comma, a header line, the last column as the target, one-hot class labels in
 * sorted order. All other columns (less {@link #ignore ignored} ones) are features and must be
 * finite numbers. Blank lines are skipped; unquoted fields are trimmed.
 *
 * <p>A single target column is categorical when {@link #categorical(boolean) declared so} or,
 * by default, when any of its values is not a number. Its distinct values become classes
 * numbered in {@link LabelOrder#SORTED} order (numerically when all labels are integers,
 * otherwise by string; the same mapping for a train and a test file holding the same classes) or
 * {@link LabelOrder#FIRST_SEEN} order; {@link #classNames(List)} fixes the mapping instead.
 *
 * <p>Errors: a malformed file gives an {@link IOException} whose message is
 * {@code file:line: problem}, e.g. {@code iris.csv:23: expected 5 fields, found 4}; a target or
 * ignored column that the file does not have gives an {@link IllegalArgumentException} naming the file.
 * Column numbers in messages and in {@link #targetIndex} count from 0.
 */
public final class CsvReader {

    /** How class labels are numbered. */
    public enum LabelOrder {
        /** Sorted: numerically when every label is an integer, otherwise by string. */
        SORTED,
        /** In the order in which the labels first appear in the file. */
        FIRST_SEEN
    }

    private final char delimiter;
    private final boolean header;
    private final List<String> targetNames; // empty: use targetIndices
    private final int[] targetIndices; // empty too: the last column
    private final List<String> ignored;
    private final Boolean categorical; // null: decided by the values
    private final LabelOrder labelOrder;
    private final List<String> classNames; // empty: derived from the file
    private final boolean oneHot;

    private CsvReader(
            char delimiter,
            boolean header,
            List<String> targetNames,
            int[] targetIndices,
            List<String> ignored,
            Boolean categorical,
            LabelOrder labelOrder,
            List<String> classNames,
            boolean oneHot) {
        this.delimiter = delimiter;
        this.header = header;
        this.targetNames = targetNames;
        this.targetIndices = targetIndices;
        this.ignored = ignored;
        this.categorical = categorical;
        this.labelOrder = labelOrder;
        this.classNames = classNames;
        this.oneHot = oneHot;
    }

    /** Comma-separated with a header; the last column is the target. */
    public static CsvReader csv() {
        return new CsvReader(',', true, List.of(), new int[0], List.of(), null, LabelOrder.SORTED, List.of(), true);
    }

    /** The field separator, e.g. {@code ';'} or {@code '\t'}. */
    public CsvReader delimiter(char delimiter) {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("a quote or line break cannot be the delimiter");
        }
        return new CsvReader(
                delimiter, header, targetNames, targetIndices, ignored, categorical, labelOrder, classNames, oneHot);
    }

    /** Whether the first line holds the column names (default true). */
    public CsvReader header(boolean header) {
        return new CsvReader(
                delimiter, header, targetNames, targetIndices, ignored, categorical, labelOrder, classNames, oneHot);
    }

    /** The target columns by header name, in this order. */
    public CsvReader target(String... names) {
        if (names.length == 0) throw new IllegalArgumentException("name at least one target column");
        return new CsvReader(
                delimiter, header, List.of(names), new int[0], ignored, categorical, labelOrder, classNames, oneHot);
    }

    /** The target columns by index from 0, in this order. */
    public CsvReader targetIndex(int... indices) {
        if (indices.length == 0) throw new IllegalArgumentException("give at least one target column");
        return new CsvReader(
                delimiter, header, List.of(), indices.clone(), ignored, categorical, labelOrder, classNames, oneHot);
    }

    /** Columns (by header name) that are neither features nor targets, e.g. an id. */
    public CsvReader ignore(String... names) {
        return new CsvReader(
                delimiter,
                header,
                targetNames,
                targetIndices,
                List.of(names),
                categorical,
                labelOrder,
                classNames,
                oneHot);
    }

    /** Forces the single target column to be read as class labels (true) or as numbers (false). */
    public CsvReader categorical(boolean categorical) {
        return new CsvReader(
                delimiter, header, targetNames, targetIndices, ignored, categorical, labelOrder, classNames, oneHot);
    }

    public CsvReader labelOrder(LabelOrder order) {
        return new CsvReader(
                delimiter,
                header,
                targetNames,
                targetIndices,
                ignored,
                categorical,
                Objects.requireNonNull(order, "order"),
                classNames,
                oneHot);
    }

    /** A fixed label → class mapping (index in this list); a label not in it is an error. Implies categorical. */
    public CsvReader classNames(List<String> names) {
        if (new HashSet<>(names).size() != names.size())
            throw new IllegalArgumentException("duplicate class names in " + names);
        return new CsvReader(
                delimiter, header, targetNames, targetIndices, ignored, true, labelOrder, List.copyOf(names), oneHot);
    }

    /** One-hot class targets (default) or one column of class indices. */
    public CsvReader oneHot(boolean oneHot) {
        return new CsvReader(
                delimiter, header, targetNames, targetIndices, ignored, categorical, labelOrder, classNames, oneHot);
    }

    // ---------------------------------------------------------------- reading

    public Dataset read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        return parse(text, file.toString());
    }

    /** Reads CSV text from a reader; {@code source} names it in error messages. */
    public Dataset read(Reader reader, String source) throws IOException {
        StringWriter all = new StringWriter();
        reader.transferTo(all);
        return parse(all.toString(), source);
    }

    private record Row(int line, List<String> fields) {}

    private Dataset parse(String text, String source) throws IOException {
        List<Row> rows = split(text, source);
        if (rows.isEmpty()) throw new IOException(source + ": the file is empty");
        List<String> names;
        int firstData;
        if (header) {
            names = rows.getFirst().fields();
            firstData = 1;
        } else {
            names = new ArrayList<>();
            for (int j = 0; j < rows.getFirst().fields().size(); j++) names.add("column " + j);
            firstData = 0;
        }
        int width = names.size();
        int count = rows.size() - firstData;
        if (count == 0) throw new IOException(source + ": no data rows" + (header ? " after the header" : ""));

        int[] targets = resolveTargets(names, source);
        Set<Integer> skip = new HashSet<>();
        for (int t : targets) skip.add(t);
        for (String name : ignored) skip.add(column(names, name, source));
        int[] featureColumns =
                IntStream.range(0, width).filter(j -> !skip.contains(j)).toArray();
        if (featureColumns.length == 0) throw new IllegalArgumentException(source + ": no feature columns left");

        boolean labels =
                categorical != null ? categorical : targets.length == 1 && anyNonNumber(rows, firstData, targets[0]);
        if (labels && targets.length != 1) {
            throw new IllegalArgumentException(
                    source + ": class labels need exactly one target column, got " + targets.length);
        }

        float[] x = new float[count * featureColumns.length];
        float[] y = labels ? null : new float[count * targets.length];
        String[] rawLabels = labels ? new String[count] : null;
        for (int i = 0; i < count; i++) {
            Row row = rows.get(firstData + i);
            if (row.fields().size() != width) {
                throw new IOException(source + ":" + row.line() + ": expected " + width + " fields, found "
                        + row.fields().size());
            }
            for (int j = 0; j < featureColumns.length; j++) {
                x[i * featureColumns.length + j] = number(row, featureColumns[j], names, source);
            }
            if (labels) {
                String label = row.fields().get(targets[0]);
                if (label.isEmpty())
                    throw new IOException(
                            source + ":" + row.line() + ": empty label in column " + quoted(names, targets[0]));
                rawLabels[i] = label;
            } else {
                for (int t = 0; t < targets.length; t++)
                    y[i * targets.length + t] = number(row, targets[t], names, source);
            }
        }
        int[] shape = {featureColumns.length};
        if (!labels) return new Dataset(x, shape, y, targets.length, 0, false, List.of());

        List<String> classes = classNames.isEmpty() ? classesOf(rawLabels) : classNames;
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < classes.size(); c++) index.put(classes.get(c), c);
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            Integer id = index.get(rawLabels[i]);
            if (id == null) {
                throw new IOException(source + ":" + rows.get(firstData + i).line() + ": unknown class '" + rawLabels[i]
                        + "', expected one of " + classes);
            }
            ids[i] = id;
        }
        return Dataset.ofLabels(x, shape, ids, count, classes.size(), oneHot, classes);
    }

    private List<String> classesOf(String[] rawLabels) {
        LinkedHashMap<String, Boolean> seen = new LinkedHashMap<>();
        for (String l : rawLabels) seen.putIfAbsent(l, Boolean.TRUE);
        List<String> classes = new ArrayList<>(seen.keySet());
        if (labelOrder == LabelOrder.SORTED) {
            boolean integers = classes.stream().allMatch(s -> s.matches("[-+]?\\d{1,18}"));
            classes.sort(integers ? Comparator.comparingLong(Long::parseLong) : Comparator.naturalOrder());
        }
        return classes;
    }

    private int[] resolveTargets(List<String> names, String source) {
        if (!targetNames.isEmpty()) {
            int[] t = new int[targetNames.size()];
            for (int k = 0; k < t.length; k++) t[k] = column(names, targetNames.get(k), source);
            return t;
        }
        if (targetIndices.length == 0) return new int[] {names.size() - 1};
        for (int t : targetIndices) {
            if (t < 0 || t >= names.size()) {
                throw new IllegalArgumentException(
                        source + ": target column " + t + " is out of range for " + names.size() + " columns");
            }
        }
        return targetIndices.clone();
    }

    private int column(List<String> names, String name, String source) {
        if (!header)
            throw new IllegalArgumentException(
                    source + ": column '" + name + "' chosen by name, but the file has no header");
        int first = names.indexOf(name);
        if (first < 0) throw new IllegalArgumentException(source + ": no column '" + name + "' in the header " + names);
        if (names.lastIndexOf(name) != first)
            throw new IllegalArgumentException(source + ": column '" + name + "' appears twice in the header");
        return first;
    }

    private static boolean anyNonNumber(List<Row> rows, int firstData, int column) {
        for (int i = firstData; i < rows.size(); i++) {
            List<String> f = rows.get(i).fields();
            if (column < f.size() && !f.get(column).isEmpty() && parseOrNull(f.get(column)) == null) return true;
        }
        return false;
    }

    private static float number(Row row, int column, List<String> names, String source) throws IOException {
        String s = row.fields().get(column);
        if (s.isEmpty())
            throw new IOException(source + ":" + row.line() + ": empty value in column " + quoted(names, column));
        Float v = parseOrNull(s);
        if (v == null)
            throw new IOException(
                    source + ":" + row.line() + ": not a number: '" + s + "' in column " + quoted(names, column));
        if (!Float.isFinite(v))
            throw new IOException(
                    source + ":" + row.line() + ": " + s + " in column " + quoted(names, column) + " is not finite");
        return v;
    }

    /**
     * The number syntax CSV files use (as Python's and R's readers accept it): decimal digits with
     * an optional sign, point and exponent. Java's own extras — type suffixes ({@code 1d},
     * {@code 2f}), hexadecimal floats ({@code 0x1p3}) — are refused as "not a
     * number" rather than silently read. NaN and Infinity get through to the finiteness check,
     * which names them.
     */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile(
            "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:NaN|Infinity)");

    private static Float parseOrNull(String s) {
        if (!DECIMAL.matcher(s.strip()).matches()) return null;
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String quoted(List<String> names, int column) {
        String n = names.get(column);
        return n.startsWith("column ") ? n.substring(7) : "'" + n + "'";
    }

    /** Splits text into records of fields, keeping the line each record starts on. */
    private List<Row> split(String text, String source) throws IOException {
        List<Row> rows = new ArrayList<>();
        int n = text.length();
        int i = !text.isEmpty() && text.charAt(0) == '\uFEFF' ? 1 : 0; // byte order mark
        int line = 1;
        int recordLine = 1;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quotedField = false;
        boolean afterClosingQuote = false;
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (c == '"') {
                if (quotedField || !field.toString().isBlank()) {
                    throw new IOException(source + ":" + line + ": unexpected quote inside a field");
                }
                field.setLength(0);
                quotedField = true;
                int end = readQuoted(text, i + 1, field, source, recordLine);
                line += countLineBreaks(text.substring(i, end));
                i = end - 1;
                afterClosingQuote = true;
            } else if (c == delimiter) {
                fields.add(quotedField ? field.toString() : field.toString().strip());
                field.setLength(0);
                quotedField = afterClosingQuote = false;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                endRecord(rows, fields, field, quotedField, recordLine);
                quotedField = afterClosingQuote = false;
                line++;
                recordLine = line;
            } else {
                if (afterClosingQuote && !Character.isWhitespace(c)) {
                    throw new IOException(source + ":" + line + ": unexpected text after a closing quote");
                }
                if (!afterClosingQuote) field.append(c);
            }
        }
        endRecord(rows, fields, field, quotedField, recordLine);
        return rows;
    }

    /** Appends a quoted field's content from {@code from} up to its closing quote; returns the index after that quote. */
    private static int readQuoted(String text, int from, StringBuilder field, String source, int recordLine)
            throws IOException {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    return i + 1;
                }
            } else {
                field.append(c);
            }
        }
        throw new IOException(source + ":" + recordLine + ": a quoted field is never closed");
    }

    private static int countLineBreaks(String s) {
        int k = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 == s.length() || s.charAt(i + 1) != '\n'))) k++;
        }
        return k;
    }

    private static void endRecord(
            List<Row> rows, List<String> fields, StringBuilder field, boolean quotedField, int line) {
        String last = quotedField ? field.toString() : field.toString().strip();
        boolean blankLine = fields.isEmpty() && last.isEmpty() && !quotedField;
        if (!blankLine) {
            fields.add(last);
            rows.add(new Row(line, List.copyOf(fields)));
        }
        fields.clear();
        field.setLength(0);
    }

    @Override
    public String toString() {
        return "CsvReader[delimiter '" + delimiter + "', header " + header + ", target "
                + (targetNames.isEmpty()
                        ? (targetIndices.length == 0 ? "last column" : Arrays.toString(targetIndices))
                        : targetNames)
                + ", " + (oneHot ? "one-hot" : "sparse") + " labels " + labelOrder + "]";
    }
}
