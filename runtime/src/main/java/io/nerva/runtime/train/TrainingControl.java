package io.nerva.runtime.train;

import io.nerva.runtime.core.Network;
import java.lang.foreign.MemorySegment;

/**
 * What an {@link EpochCallback} sees of a running {@code fit}: the model being trained, the
 * optimizer state and the counters a checkpoint needs, and a way to stop early.
 */
public final class TrainingControl {
    private final Network model;
    private final TrainingLoop loop;
    private final int epochs;
    private boolean stopRequested;
    private int epoch;

    TrainingControl(Network model, TrainingLoop loop, int epochs) {
        this.model = model;
        this.loop = loop;
        this.epochs = epochs;
    }

    /** Ends training after the current epoch; the history then has fewer epochs than asked. */
    public void stop() {
        stopRequested = true;
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    /** The model being trained (its parameters are the weights after this epoch). */
    public Network model() {
        return model;
    }

    /** The epoch running now (or just finished, in {@code onEpochEnd}), from 0. */
    public int epoch() {
        return epoch;
    }

    void epoch(int epoch) {
        this.epoch = epoch;
    }

    /** Training steps per epoch. */
    public int stepsPerEpoch() {
        return loop.stepsPerEpoch();
    }

    /**
     * The learning rate the next step uses: one set by {@link #setLearningRate}, else the
     * optimizer's schedule at the next step of the current epoch.
     */
    public double learningRate() {
        return loop.learningRate(epoch);
    }

    /**
     * Sets the learning rate of every later step of this run, replacing the optimizer's schedule
     * (as Keras' {@code ReduceLROnPlateau} and {@code LearningRateScheduler} do). Not recorded
     * in {@link Fit#checkpoint checkpoints}: a resumed run starts again from the schedule.
     *
     * @throws IllegalArgumentException unless {@code lr} is positive and finite
     */
    public void setLearningRate(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        }
        loop.overrideLearningRate(lr);
    }

    /** The number of epochs asked for. */
    public int epochs() {
        return epochs;
    }

    /** Optimizer steps taken so far (the {@code step} of the last update). */
    public long step() {
        return loop.step();
    }

    /** A read-only view of the optimizer state ({@code stateSlots × parameter count} floats). */
    public MemorySegment optimizerState() {
        return loop.optimizerState().asReadOnly();
    }

    /** The state of the shuffling random generator, to resume the same sample order later. */
    public long shuffleRngState() {
        return loop.shuffleRngState();
    }

    /** The state of the training workspace's random generator (dropout masks). */
    public long dropoutRngState() {
        return loop.dropoutRngState();
    }
}
