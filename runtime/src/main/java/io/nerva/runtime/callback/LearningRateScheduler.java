package io.nerva.runtime.callback;

import io.nerva.runtime.train.Callback;
import io.nerva.runtime.train.TrainingControl;
import java.util.Objects;

/**
 * Keras' {@code LearningRateScheduler}: at the start of every epoch, sets the learning rate to
 * {@code schedule.rate(epoch, currentRate)}, epochs counted from 0.
 *
 * <pre>{@code
 * Fit.epochs(30).callback(new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1)))
 * }</pre>
 *
 * For a schedule fixed in advance, {@link io.nerva.runtime.optim.LearningRates} on the optimizer
 * does the same without a callback (and is recorded in checkpoints).
 */
public final class LearningRateScheduler implements Callback {

    /** The rate for {@code epoch} (from 0) given the rate the previous epoch ended with. */
    @FunctionalInterface
    public interface Schedule {
        double rate(int epoch, double currentRate);
    }

    private final Schedule schedule;

    public LearningRateScheduler(Schedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    @Override
    public void onEpochBegin(int epoch, TrainingControl control) {
        double lr = schedule.rate(epoch, control.learningRate());
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("the learning-rate schedule gave " + lr + " for epoch " + epoch
                    + "; expected a positive finite rate");
        }
        control.setLearningRate(lr);
    }
}
