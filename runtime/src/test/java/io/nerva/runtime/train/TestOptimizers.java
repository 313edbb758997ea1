package io.nerva.runtime.train;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.nerva.runtime.optim.LearningRate;
import io.nerva.runtime.optim.Optimizer;
import java.lang.foreign.MemorySegment;

/** Plain SGD and SGD with momentum for the tests (the real ones live in {@code optim.Optimizers}). */
final class TestOptimizers {
    private TestOptimizers() {}

    static Optimizer sgd(double lr) {
        LearningRate rate = LearningRate.constant(lr);
        return new Optimizer() {
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
                float a = (float) lr;
                for (long i = 0; i < count; i++) {
                    params.setAtIndex(
                            JAVA_FLOAT, i, params.getAtIndex(JAVA_FLOAT, i) - a * grads.getAtIndex(JAVA_FLOAT, i));
                }
            }

            @Override
            public String toString() {
                return "SGD(" + lr + ")";
            }
        };
    }

    /** v ← μ·v − lr·g; p ← p + v (one state slot per parameter). */
    static Optimizer momentum(double lr, double mu) {
        LearningRate rate = LearningRate.constant(lr);
        float m = (float) mu;
        return new Optimizer() {
            @Override
            public int stateSlots() {
                return 1;
            }

            @Override
            public LearningRate learningRate() {
                return rate;
            }

            @Override
            public void update(
                    MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
                float a = (float) lr;
                for (long i = 0; i < count; i++) {
                    float v = m * state.getAtIndex(JAVA_FLOAT, i) - a * grads.getAtIndex(JAVA_FLOAT, i);
                    state.setAtIndex(JAVA_FLOAT, i, v);
                    params.setAtIndex(JAVA_FLOAT, i, params.getAtIndex(JAVA_FLOAT, i) + v);
                }
            }
        };
    }
}
