package io.nerva.examples.custom;

import io.nerva.runtime.metric.RowMetric;

/** A metric written by the user: the fraction of samples classified right with a probability of at least 0.8. */
public final class ConfidentAccuracy extends RowMetric {
    public ConfidentAccuracy() {
        super("confident_accuracy");
    }

    @Override
    protected double score(float[] output, float[] target) {
        int predicted = 0, actual = 0;
        for (int i = 1; i < output.length; i++) {
            if (output[i] > output[predicted]) predicted = i;
            if (target[i] > target[actual]) actual = i;
        }
        return predicted == actual && output[predicted] >= 0.8f ? 1 : 0;
    }
}
