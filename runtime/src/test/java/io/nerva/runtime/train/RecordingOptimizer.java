package io.nerva.runtime.train;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.nerva.runtime.optim.LearningRate;
import io.nerva.runtime.optim.Optimizer;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Plain SGD that records the rate of every step; from step {@code poisonAt} on it writes NaN into the weights. */
final class RecordingOptimizer implements Optimizer {
    final List<Double> rates = new ArrayList<>();
    private final LearningRate rate;
    long poisonAt = Long.MAX_VALUE;

    RecordingOptimizer(double lr) {
        this.rate = LearningRate.constant(lr);
    }

    @Override
    public int stateSlots() {
        return 0;
    }

    @Override
    public LearningRate learningRate() {
        return rate;
    }

    @Override
    public void update(
            MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
        rates.add(lr);
        float a = (float) lr;
        for (long i = 0; i < count; i++) {
            float v = step >= poisonAt
                    ? Float.NaN
                    : params.getAtIndex(JAVA_FLOAT, i) - a * grads.getAtIndex(JAVA_FLOAT, i);
            params.setAtIndex(JAVA_FLOAT, i, v);
        }
    }
}
