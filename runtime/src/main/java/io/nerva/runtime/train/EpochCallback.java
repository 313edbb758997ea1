package io.nerva.runtime.train;

import java.util.Map;

/**
 * Called by {@code fit} after every epoch, once the epoch's logs (loss, metrics, validation
 * values) are known and printed: for checkpoints, early stopping, custom logging.
 */
@FunctionalInterface
public interface EpochCallback {

    /**
     * @param epoch   the epoch just finished, counting from 0 (as Keras' {@code on_epoch_end})
     * @param logs    this epoch's values by Keras name, in report order (unmodifiable)
     * @param control the training state, and {@link TrainingControl#stop()} to end training after this epoch
     */
    void onEpochEnd(int epoch, Map<String, Double> logs, TrainingControl control);
}
