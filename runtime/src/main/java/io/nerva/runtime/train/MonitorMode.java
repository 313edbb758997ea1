package io.nerva.runtime.train;

import java.util.Locale;
import java.util.Objects;

/** Whether a value watched by {@link Fit#saveBest} or {@link Fit#earlyStopping} improves by growing or shrinking. */
public enum MonitorMode {
    /** Larger is better. */
    MAX,
    /** Smaller is better. */
    MIN,
    /**
     * Decided by the name, without its {@code val_} prefix, as Keras' {@code mode="auto"}: a loss
     * or an error ({@code mse}, {@code mae}, {@code rmse}, {@code *error*}) is minimised; an
     * accuracy ({@code *acc*}), {@code auc}, {@code precision}, {@code recall}, {@code f1} or
     * {@code fmeasure} is maximised. Any other name needs {@link #MAX} or {@link #MIN}.
     */
    AUTO;

    /** {@code mode} itself, or for AUTO the direction the name implies (MAX or MIN; throws when it cannot tell). */
    public static MonitorMode resolve(String monitor, MonitorMode mode) {
        Objects.requireNonNull(monitor, "monitor");
        Objects.requireNonNull(mode, "mode");
        if (monitor.isBlank()) throw new IllegalArgumentException("the monitored name is blank; use e.g. \"val_loss\"");
        if (mode != AUTO) return mode;
        String name = monitor.toLowerCase(Locale.ROOT);
        if (name.startsWith("val_")) name = name.substring(4);
        if (name.endsWith("loss")
                || name.equals("mse")
                || name.equals("mae")
                || name.equals("rmse")
                || name.contains("error")) {
            return MIN;
        }
        if (name.contains("acc")
                || name.contains("auc")
                || name.startsWith("precision")
                || name.startsWith("recall")
                || name.startsWith("f1")
                || name.startsWith("fmeasure")) {
            return MAX;
        }
        throw new IllegalArgumentException("cannot tell whether '" + monitor + "' should be maximised or minimised; "
                + "pass MonitorMode.MAX or MonitorMode.MIN");
    }
}
