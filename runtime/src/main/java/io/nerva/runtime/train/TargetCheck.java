package io.nerva.runtime.train;

import io.nerva.annotations.LossFunction;
import io.nerva.runtime.core.Network;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.loss.Loss;

/**
 * Checks a data set's targets against the model before {@code fit} or {@code evaluate} runs a
 * single step, so that a bad label is reported with its sample index and before any batch has
 * changed the weights (inside the loss it would be found only at its batch, by row of the batch).
 */
final class TargetCheck {
    private TargetCheck() {}

    static void check(Network model, Loss loss, Dataset data, String what) {
        if (loss.function() != LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY || data.targetColumns() != 1) return;
        int classes = model.outputSize();
        float[] labels = data.targets();
        for (int i = 0; i < labels.length; i++) {
            float label = labels[i];
            if (!(label >= 0f && label < classes && label == (int) label)) {
                throw new IllegalArgumentException(what + ": sample " + i + " has label " + label + ", but model '"
                        + model.name() + "' has " + classes
                        + " outputs, so a label must be an integer class index in [0, "
                        + classes + ")"
                        + (label >= classes && label == (int) label
                                ? "; does the data have more classes than the last layer?"
                                : ""));
            }
        }
    }
}
