package io.nerva.runtime.train;

import java.util.Map;

/**
 * Hooks into every stage of {@code fit}, as Keras' {@code Callback}: implement the ones you need.
 * Added with {@link Fit#callback}; callbacks run in the order they were added.
 *
 * <p>Order within an epoch: {@link #onEpochBegin}, then {@link #onBatchEnd} after every training
 * step, then the epoch line is printed and {@link #onEpochEnd} runs (see {@link Trainer} for what
 * follows it). {@link #onTrainBegin} runs once before the first epoch (after a
 * {@link Fit#resumeFrom resume} is loaded), {@link #onTrainEnd} once after the last, also when a
 * callback stopped the run or an epoch threw (then after the exception, which is rethrown).
 *
 * <p>{@link #onBatchEnd} runs inside the training loop: keep it cheap and allocation-free;
 * {@link #wantsBatches()} false (the default unless overridden) keeps it out of the loop.
 */
public interface Callback extends EpochCallback {

    /** Before the first epoch. */
    default void onTrainBegin(TrainingControl control) {}

    /**
     * After the last epoch.
     *
     * @param history the epochs run so far (empty when none)
     */
    default void onTrainEnd(History history, TrainingControl control) {}

    /** Before the training pass of {@code epoch} (from 0); a learning rate set here applies to its first step. */
    default void onEpochBegin(int epoch, TrainingControl control) {}

    /**
     * After every training step.
     *
     * @param epoch the epoch, from 0
     * @param batch the step within the epoch, from 0
     * @param loss  the batch's mean loss, NaN or infinite when training diverged
     */
    default void onBatchEnd(int epoch, int batch, double loss, TrainingControl control) {}

    /** Whether {@link #onBatchEnd} should be called (only callbacks that override it need say true). */
    default boolean wantsBatches() {
        return false;
    }

    @Override
    default void onEpochEnd(int epoch, Map<String, Double> logs, TrainingControl control) {}
}
