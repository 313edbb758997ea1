package io.nerva.runtime.callback;

import io.nerva.runtime.train.Callback;
import io.nerva.runtime.train.MonitorMode;
import io.nerva.runtime.train.TrainingControl;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Keras' {@code ReduceLROnPlateau}: multiplies the learning rate by {@code factor} when
 * {@code monitor} has not improved (by more than {@code minDelta}) for {@code patience} epochs,
 * then waits {@code cooldown} epochs before counting again, never going below {@code minLr}.
 * Defaults as Keras: {@code val_loss}, factor 0.1, patience 10, minDelta 1e-4, cooldown 0, minLr 0.
 *
 * <pre>{@code
 * Fit.epochs(50).callback(ReduceLROnPlateau.on("val_loss").factor(0.5).patience(3).minLr(1e-5))
 * }</pre>
 *
 * Setting a rate replaces the optimizer's schedule for the rest of the run (see
 * {@link TrainingControl#setLearningRate}). Not thread-safe; one fit at a time; the state carries
 * over when the same object is reused (call {@link #onTrainBegin}, as {@code fit} does, to reset).
 */
public final class ReduceLROnPlateau implements Callback {
    private final String monitor;
    private final MonitorMode modeAsked;
    private double factor = 0.1;
    private int patience = 10;
    private double minDelta = 1e-4;
    private int cooldown;
    private double minLr;
    private PrintStream log;

    private MonitorMode mode;
    private double best;
    private int wait;
    private int cooldownLeft;

    private ReduceLROnPlateau(String monitor, MonitorMode mode) {
        this.monitor = monitor;
        this.modeAsked = mode;
        this.mode = MonitorMode.resolve(monitor, mode);
        reset();
    }

    /** Watches {@code monitor} (e.g. {@code "val_loss"}); whether it should grow or shrink is told by its name. */
    public static ReduceLROnPlateau on(String monitor) {
        return on(monitor, MonitorMode.AUTO);
    }

    public static ReduceLROnPlateau on(String monitor, MonitorMode mode) {
        Objects.requireNonNull(monitor, "monitor");
        Objects.requireNonNull(mode, "mode");
        return new ReduceLROnPlateau(monitor, mode);
    }

    /** The new rate is the old one times this, in (0, 1). */
    public ReduceLROnPlateau factor(double factor) {
        if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException("factor must be in (0, 1), got " + factor);
        this.factor = factor;
        return this;
    }

    public ReduceLROnPlateau patience(int patience) {
        if (patience < 0) throw new IllegalArgumentException("patience must be at least 0, got " + patience);
        this.patience = patience;
        return this;
    }

    public ReduceLROnPlateau minDelta(double minDelta) {
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("minDelta must be finite and at least 0, got " + minDelta);
        }
        this.minDelta = minDelta;
        return this;
    }

    public ReduceLROnPlateau cooldown(int cooldown) {
        if (cooldown < 0) throw new IllegalArgumentException("cooldown must be at least 0, got " + cooldown);
        this.cooldown = cooldown;
        return this;
    }

    public ReduceLROnPlateau minLr(double minLr) {
        if (!(minLr >= 0) || Double.isInfinite(minLr))
            throw new IllegalArgumentException("minLr must be finite and at least 0, got " + minLr);
        this.minLr = minLr;
        return this;
    }

    /** Prints a line to {@code log} on every reduction (Keras' {@code verbose=1}). */
    public ReduceLROnPlateau log(PrintStream log) {
        this.log = Objects.requireNonNull(log, "log");
        return this;
    }

    private void reset() {
        best = mode == MonitorMode.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        wait = 0;
        cooldownLeft = 0;
    }

    @Override
    public void onTrainBegin(TrainingControl control) {
        reset();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, TrainingControl control) {
        Double value = logs.get(monitor);
        if (value == null) {
            throw new IllegalArgumentException("ReduceLROnPlateau watches '" + monitor
                    + "', which this fit does not report " + "(it reports " + logs.keySet() + ")");
        }
        double current = value;
        if (cooldownLeft > 0) {
            cooldownLeft--;
            wait = 0;
        }
        boolean improved = mode == MonitorMode.MAX ? current > best + minDelta : current < best - minDelta;
        if (improved) {
            best = current;
            wait = 0;
        } else if (cooldownLeft == 0) {
            wait++;
            if (wait >= patience) {
                double old = control.learningRate();
                if (old > minLr) {
                    double lr = Math.max(old * factor, minLr);
                    if (lr > 0) control.setLearningRate(lr);
                    if (log != null) {
                        log.println(String.format(
                                Locale.ROOT,
                                "Epoch %d: ReduceLROnPlateau reducing learning rate to %s.",
                                epoch + 1,
                                lr));
                    }
                    cooldownLeft = cooldown;
                    wait = 0;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "ReduceLROnPlateau[" + monitor + " (" + (modeAsked == MonitorMode.AUTO ? mode + " by name" : mode)
                + "), factor " + factor + ", patience " + patience + ", minDelta " + minDelta + ", cooldown " + cooldown
                + ", minLr " + minLr + "]";
    }
}
