package io.nerva.runtime.optim;

/** A learning rate as a function of the step (from 1) and the epoch (from 0). */
@FunctionalInterface
public interface LearningRate {
    double at(long step, int epoch);

    static LearningRate constant(double lr) {
        return (step, epoch) -> lr;
    }
}
