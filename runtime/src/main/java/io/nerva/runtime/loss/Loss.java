package io.nerva.runtime.loss;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import java.lang.foreign.MemorySegment;

/**
 * A loss over a batch: the mean over rows of a per-row loss. Targets are {@code rows × targetColumns}
 * floats (one column holding the class index for sparse categorical cross-entropy).
 *
 * <p>Your own loss implements {@link #compute} (and {@link #targetColumns} when targets are not one per
 * output), or extends {@link ElementwiseLoss}; give it to {@code Fit.loss(Loss)}, and {@code fit},
 * {@code evaluate}, validation, callbacks and the epoch lines use it as a built-in one. Check its
 * gradient with {@code io.nerva.runtime.custom.GradientChecker.checkLoss}.
 */
public interface Loss {

    /** The built-in loss this is, or {@link LossFunction#UNSPECIFIED} for a loss of your own. */
    default LossFunction function() {
        return LossFunction.UNSPECIFIED;
    }

    /** The name messages and {@code Fit.toString()} use: the built-in's constant, else this class's simple name. */
    default String name() {
        return function() == LossFunction.UNSPECIFIED
                ? getClass().getSimpleName()
                : function().name();
    }

    /** Target floats per row for an output of {@code outputColumns} units. */
    default int targetColumns(int outputColumns) {
        return outputColumns;
    }

    /**
     * Whether this loss after the given output activation is computed fused, from the logits,
     * with the gradient taken w.r.t. the logits (softmax + categorical cross-entropy: {@code p − y}).
     */
    default boolean fusesWith(ActivationType outputActivation) {
        return false;
    }

    /**
     * Returns the mean loss over {@code rows}. When {@code grad} is not {@link MemorySegment#NULL},
     * writes the gradient of that mean w.r.t. the output ({@code rows × cols}) — or w.r.t. the
     * logits when {@link #fusesWith} the output activation. Throws {@link IllegalArgumentException}
     * naming the row for a target out of range (e.g. a class label ≥ cols).
     */
    double compute(
            MemorySegment logits,
            MemorySegment output,
            MemorySegment targets,
            int rows,
            int cols,
            ActivationType outputActivation,
            MemorySegment grad);

    /** Huber loss with threshold {@code delta} (Keras' {@code Huber(delta)}); {@link #of}(HUBER) is delta 1. */
    static Loss huber(double delta) {
        return Losses.huber(delta);
    }

    /** The implementation of a loss function. */
    static Loss of(LossFunction function) {
        return Losses.of(function);
    }
}
