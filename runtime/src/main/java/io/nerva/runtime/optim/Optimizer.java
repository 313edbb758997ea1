package io.nerva.runtime.optim;

import java.lang.foreign.MemorySegment;

/**
 * An update rule over all parameters at once: params, grads and state are contiguous buffers
 * with the same offsets ({@code state} holds {@link #stateSlots()} × count floats).
 * Implementations are immutable configuration; the state lives with the trainer.
 */
public interface Optimizer {

    /** Floats of state per parameter (0 for plain SGD, 2 for Adam). */
    int stateSlots();

    /** The learning rate schedule. */
    LearningRate learningRate();

    /**
     * One update. {@code step} counts from 1 (Adam's bias correction); {@code lr} is the rate for
     * this step from {@link #learningRate()}.
     */
    void update(MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr);
}
