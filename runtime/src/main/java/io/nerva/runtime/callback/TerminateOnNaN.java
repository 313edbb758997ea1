package io.nerva.runtime.callback;

import io.nerva.runtime.train.Callback;
import io.nerva.runtime.train.TrainingControl;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;

/**
 * Keras' {@code TerminateOnNaN}: ends training quietly after the first step whose loss is NaN or
 * infinite, instead of {@code fit} throwing. The epoch is cut short there and reported with that
 * loss; the history holds it; the weights are those after the bad step.
 */
public final class TerminateOnNaN implements Callback {
    private final PrintStream log;
    private int stoppedEpoch = -1;
    private int stoppedBatch = -1;

    /** Prints {@code Batch N: Invalid loss, terminating training} to {@code System.out}. */
    public TerminateOnNaN() {
        this(System.out);
    }

    /** Prints its line to {@code log}. */
    public TerminateOnNaN(PrintStream log) {
        this.log = Objects.requireNonNull(log, "log");
    }

    @Override
    public boolean wantsBatches() {
        return true;
    }

    @Override
    public void onTrainBegin(TrainingControl control) {
        stoppedEpoch = -1;
        stoppedBatch = -1;
    }

    @Override
    public void onBatchEnd(int epoch, int batch, double loss, TrainingControl control) {
        if (!Double.isFinite(loss)) {
            stoppedEpoch = epoch;
            stoppedBatch = batch;
            log.println(String.format(Locale.ROOT, "Batch %d: Invalid loss %s, terminating training", batch, loss));
            control.stop();
        }
    }

    /** The epoch (from 0) in which training was ended, or -1. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The step within {@link #stoppedEpoch()} (from 0) whose loss was not finite, or -1. */
    public int stoppedBatch() {
        return stoppedBatch;
    }
}
