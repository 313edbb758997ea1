package io.nerva.runtime.train;

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
                throw new IllegalArgumentException("'" + e.getKey() + "' has " + e.getValue().length + " epochs, expected " + n);
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
                throw new IllegalStateException("epoch logs changed names: " + epochs.getFirst().keySet() + " vs " + logs.keySet());
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
        if (v == null) throw new IllegalArgumentException("no '" + name + "' in this history; it has " + values.keySet());
        return v;
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
                sb.append("  ").append(String.format(Locale.ROOT, "%" + widths[k] + ".4f", values.get(names.get(k))[e]));
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
        for (Map.Entry<String, double[]> e : values.entrySet()) h = 31 * h + e.getKey().hashCode() * 17 + Arrays.hashCode(e.getValue());
        return h;
    }
}
