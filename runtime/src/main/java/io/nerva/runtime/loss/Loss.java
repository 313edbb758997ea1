package io.nerva.runtime.loss;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;

import java.lang.foreign.MemorySegment;

/**
 * A loss over a batch: the mean over rows of a per-row loss. Targets are {@code rows × targetColumns}
 * floats (one column holding the class index for sparse categorical cross-entropy).
 */
public interface Loss {

    LossFunction function();

    /** Target floats per row for an output of {@code outputColumns} units. */
    int targetColumns(int outputColumns);

    /**
     * Whether this loss after the given output activation is computed fused, from the logits,
     * with the gradient taken w.r.t. the logits (softmax + categorical cross-entropy: {@code p − y}).
     */
    boolean fusesWith(ActivationType outputActivation);

    /**
     * Returns the mean loss over {@code rows}. When {@code grad} is not {@link MemorySegment#NULL},
     * writes the gradient of that mean w.r.t. the output ({@code rows × cols}) — or w.r.t. the
     * logits when {@link #fusesWith} the output activation. Throws {@link IllegalArgumentException}
     * naming the row for a target out of range (e.g. a class label ≥ cols).
     */
    double compute(MemorySegment logits, MemorySegment output, MemorySegment targets, int rows, int cols,
                   ActivationType outputActivation, MemorySegment grad);

    /** Huber loss with threshold {@code delta} (Keras' {@code Huber(delta)}); {@link #of}(HUBER) is delta 1. */
    static Loss huber(double delta) {
        return Losses.huber(delta);
    }

    /** The implementation of a loss function. */
    static Loss of(LossFunction function) {
        return Losses.of(function);
    }
}
