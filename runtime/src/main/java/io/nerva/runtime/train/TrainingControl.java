package io.nerva.runtime.train;

import io.nerva.runtime.Model;

import java.lang.foreign.MemorySegment;

/**
 * What an {@link EpochCallback} sees of a running {@code fit}: the model being trained, the
 * optimizer state and the counters a checkpoint needs, and a way to stop early.
 */
public final class TrainingControl {
    private final Model model;
    private final TrainingLoop loop;
    private final int epochs;
    private boolean stopRequested;

    TrainingControl(Model model, TrainingLoop loop, int epochs) {
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
    public Model model() {
        return model;
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
