package io.nerva.runtime.train;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code fit} reports per epoch, by Keras name: {@code loss}, the metrics (e.g.
 * {@code accuracy}), then {@code val_loss} and {@code val_<metric>} when there is validation data.
 * Immutable; {@link #equals} compares names and values exactly (bit for bit), so two runs with
 * the same seed can be compared.
 */
public final class History {
    private final LinkedHashMap<String, double[]> values;
    private final int epochs;

    /** A history from per-epoch values; every series must have the same length. */
    public History(Map<String, double[]> values) {
        this.values = new LinkedHashMap<>();
        int n = -1;
        for (Map.Entry<String, double[]> e : values.entrySet()) {
            if (n >= 0 && e.getValue().length != n) {
                throw new IllegalArgumentException(
                        "'" + e.getKey() + "' has " + e.getValue().length + " epochs, expected " + n);
            }
            n = e.getValue().length;
            this.values.put(e.getKey(), e.getValue().clone());
        }
        this.epochs = Math.max(n, 0);
    }

    /** Collects one map of logs per epoch; the first epoch fixes the names. */
    static final class Builder {
        private final List<Map<String, Double>> epochs = new ArrayList<>();

        void add(Map<String, Double> logs) {
            if (!epochs.isEmpty() && !epochs.getFirst().keySet().equals(logs.keySet())) {
                throw new IllegalStateException(
                        "epoch logs changed names: " + epochs.getFirst().keySet() + " vs " + logs.keySet());
            }
            epochs.add(new LinkedHashMap<>(logs));
        }

        History build() {
            LinkedHashMap<String, double[]> series = new LinkedHashMap<>();
            if (!epochs.isEmpty()) {
                for (String name : epochs.getFirst().keySet()) {
                    double[] v = new double[epochs.size()];
                    for (int e = 0; e < v.length; e++) v[e] = epochs.get(e).get(name);
                    series.put(name, v);
                }
            }
            return new History(series);
        }
    }

    /** The value of {@code name} for every epoch (a copy). */
    public double[] get(String name) {
        return series(name).clone();
    }

    /** The value of {@code name} after the last epoch. */
    public double last(String name) {
        double[] v = series(name);
        if (v.length == 0) throw new IllegalStateException("no epoch was run");
        return v[v.length - 1];
    }

    /** The names in report order. */
    public List<String> names() {
        return List.copyOf(values.keySet());
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Number of epochs run (fewer than asked when a callback stopped training). */
    public int epochs() {
        return epochs;
    }

    private double[] series(String name) {
        double[] v = values.get(Objects.requireNonNull(name, "name"));
        if (v == null)
            throw new IllegalArgumentException("no '" + name + "' in this history; it has " + values.keySet());
        return v;
    }

    /**
     * As Keras' {@code CSVLogger} writes it: a header {@code epoch,<names...>}, then one row per
     * epoch (from 0), values in Java's shortest exact form ({@code NaN}, {@code Infinity} as such),
     * so {@link #fromCsv} gives back an equal history.
     */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("epoch");
        for (String name : values.keySet()) sb.append(',').append(name);
        sb.append('\n');
        for (int e = 0; e < epochs; e++) {
            sb.append(e);
            for (double[] v : values.values()) sb.append(',').append(v[e]);
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Writes {@link #toCsv()} to {@code file}, atomically (a temporary file, then a rename). */
    public void writeCsv(Path file) throws IOException {
        writeAtomically(file, toCsv());
    }

    /**
     * As Keras' {@code json.dump(history.history)}: one array per name, in report order, e.g.
     * {@code {"loss":[0.61,0.42],"accuracy":[0.78,0.85]}}; NaN and infinities as Python writes them.
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        boolean firstName = true;
        for (Map.Entry<String, double[]> e : values.entrySet()) {
            if (!firstName) sb.append(',');
            firstName = false;
            sb.append(new Gson().toJson(e.getKey())).append(":[");
            double[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                if (i > 0) sb.append(',');
                sb.append(
                        Double.isNaN(v[i])
                                ? "NaN"
                                : v[i] == Double.POSITIVE_INFINITY
                                        ? "Infinity"
                                        : v[i] == Double.NEGATIVE_INFINITY ? "-Infinity" : Double.toString(v[i]));
            }
            sb.append(']');
        }
        return sb.append('}').toString();
    }

    /** Writes {@link #toJson()} to {@code file}, atomically. */
    public void writeJson(Path file) throws IOException {
        writeAtomically(file, toJson());
    }

    /** A history from {@link #toJson()}'s form: an object of equally long number arrays. */
    public static History fromJson(String json) {
        Objects.requireNonNull(json, "json");
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setStrictness(Strictness.LENIENT); // NaN, Infinity
            root = JsonParser.parseReader(reader);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("history JSON does not parse: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException(
                    "history JSON must be an object of arrays, e.g. {\"loss\":[0.5]}, got " + root);
        }
        LinkedHashMap<String, double[]> series = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
            if (!e.getValue().isJsonArray()) {
                throw new IllegalArgumentException(
                        "history JSON: '" + e.getKey() + "' must be an array of numbers, got " + e.getValue());
            }
            var arr = e.getValue().getAsJsonArray();
            double[] v = new double[arr.size()];
            for (int i = 0; i < v.length; i++) {
                JsonElement x = arr.get(i);
                if (!x.isJsonPrimitive()
                        || !(x.getAsJsonPrimitive().isNumber()
                                || x.getAsJsonPrimitive().isString())) {
                    throw new IllegalArgumentException(
                            "history JSON: '" + e.getKey() + "'[" + i + "] must be a number, got " + x);
                }
                try {
                    v[i] = Double.parseDouble(x.getAsString());
                } catch (NumberFormatException nfe) {
                    throw new IllegalArgumentException(
                            "history JSON: '" + e.getKey() + "'[" + i + "] must be a number, got " + x);
                }
            }
            series.put(e.getKey(), v);
        }
        return new History(series);
    }

    /** A history from {@link #toCsv()}'s form (the {@code epoch} column is checked and dropped). */
    public static History fromCsv(String csv) {
        Objects.requireNonNull(csv, "csv");
        String[] lines = csv.strip().split("\\R");
        String[] header = lines[0].split(",", -1);
        if (!header[0].equals("epoch")) {
            throw new IllegalArgumentException(
                    "history CSV must start with an 'epoch' column, got header '" + lines[0] + "'");
        }
        LinkedHashMap<String, double[]> series = new LinkedHashMap<>();
        for (int k = 1; k < header.length; k++) series.put(header[k], new double[lines.length - 1]);
        for (int e = 1; e < lines.length; e++) {
            String[] cells = lines[e].split(",", -1);
            if (cells.length != header.length) {
                throw new IllegalArgumentException("history CSV line " + (e + 1) + " has " + cells.length
                        + " cells, expected " + header.length + " as the header");
            }
            for (int k = 1; k < header.length; k++) {
                try {
                    series.get(header[k])[e - 1] = Double.parseDouble(cells[k]);
                } catch (NumberFormatException nfe) {
                    throw new IllegalArgumentException("history CSV line " + (e + 1) + ", column '" + header[k]
                            + "': expected a number, got '" + cells[k] + "'");
                }
            }
        }
        return new History(series);
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Objects.requireNonNull(file, "file");
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A table: one row per epoch, one column per name. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        List<String> names = names();
        int[] widths = new int[names.size()];
        sb.append(String.format(Locale.ROOT, "%5s", "epoch"));
        for (int k = 0; k < names.size(); k++) {
            widths[k] = Math.max(10, names.get(k).length());
            sb.append("  ").append(String.format(Locale.ROOT, "%" + widths[k] + "s", names.get(k)));
        }
        for (int e = 0; e < epochs; e++) {
            sb.append('\n').append(String.format(Locale.ROOT, "%5d", e + 1));
            for (int k = 0; k < names.size(); k++) {
                sb.append("  ")
                        .append(String.format(Locale.ROOT, "%" + widths[k] + ".4f", values.get(names.get(k))[e]));
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof History other) || epochs != other.epochs) return false;
        if (!names().equals(other.names())) return false; // order matters
        for (String name : values.keySet()) {
            // Arrays.equals on double[] compares bit patterns: exact, and NaN equals NaN
            if (!Arrays.equals(values.get(name), other.values.get(name))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = epochs;
        for (Map.Entry<String, double[]> e : values.entrySet())
            h = 31 * h + e.getKey().hashCode() * 17 + Arrays.hashCode(e.getValue());
        return h;
    }
}
