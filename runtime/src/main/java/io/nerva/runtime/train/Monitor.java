package io.nerva.runtime.train;

import io.nerva.format.WeightFileException;
import java.util.Map;

/**
 * The best value so far of one reported name, for {@link Fit#saveBest} and
 * {@link Fit#earlyStopping}; its state goes into checkpoints so that a resumed run compares with
 * the same best value.
 */
final class Monitor {
    private final String name;
    private final MonitorMode mode;
    private final double minDelta;
    private double best;
    private int bestEpoch = -1;
    private int wait;

    Monitor(String name, MonitorMode mode) {
        this(name, mode, 0);
    }

    /** {@code minDelta}: how much a value must beat the best by to count as an improvement (Keras' {@code min_delta}). */
    Monitor(String name, MonitorMode mode, double minDelta) {
        this.minDelta = minDelta;
        if (mode != MonitorMode.MAX && mode != MonitorMode.MIN)
            throw new IllegalArgumentException("unresolved mode " + mode);
        this.name = name;
        this.mode = mode;
        this.best = mode == MonitorMode.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    String name() {
        return name;
    }

    /** Records the value of {@code epoch}; true when it beats every earlier one (strictly; NaN never does). */
    boolean update(int epoch, Map<String, Double> logs) {
        double value = logs.get(name);
        boolean improved = mode == MonitorMode.MAX ? value - minDelta > best : value + minDelta < best;
        if (improved) {
            best = value;
            bestEpoch = epoch;
            wait = 0;
        } else {
            wait++;
        }
        return improved;
    }

    /** Epochs in a row without improvement. */
    int epochsWithoutImprovement() {
        return wait;
    }

    double best() {
        return best;
    }

    /** The epoch of the best value, from 0; -1 before any. */
    int bestEpoch() {
        return bestEpoch;
    }

    /** Adds this monitor's state under {@code prefix} ({@code "nerva.checkpoint.saveBest."}, say). */
    void save(Map<String, String> metadata, String prefix) {
        metadata.put(prefix + "monitor", name);
        metadata.put(prefix + "mode", mode.name());
        metadata.put(prefix + "best", Double.toString(best)); // shortest exact form: parses back to the same double
        metadata.put(prefix + "bestEpoch", Integer.toString(bestEpoch));
        metadata.put(prefix + "wait", Integer.toString(wait));
    }

    /**
     * The state saved under {@code prefix}, if it is for the same name and direction (a run
     * resumed with another monitor starts it afresh); parsed before anything is changed.
     */
    Runnable restorer(Map<String, String> metadata, String prefix, String source) throws WeightFileException {
        if (!name.equals(metadata.get(prefix + "monitor")) || !mode.name().equals(metadata.get(prefix + "mode"))) {
            return () -> {};
        }
        double b = Checkpoint.parseDouble(metadata, prefix + "best", source);
        int e = (int) Checkpoint.parseLong(metadata, prefix + "bestEpoch", -1, Integer.MAX_VALUE, source);
        int w = (int) Checkpoint.parseLong(metadata, prefix + "wait", 0, Integer.MAX_VALUE, source);
        return () -> {
            best = b;
            bestEpoch = e;
            wait = w;
        };
    }
}
