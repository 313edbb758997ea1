package io.nerva.runtime.train;

/**
 * Training stopped because a loss, gradient, learning rate or parameter became NaN or infinite.
 * The model keeps the weights it had before the failing step (see {@link #weightsRestored()}).
 */
public final class TrainingDivergedException extends ArithmeticException {
    private final int epoch;
    private final long step;
    private final String tensor;
    private final boolean weightsRestored;

    TrainingDivergedException(String message, int epoch, long step, String tensor, boolean weightsRestored) {
        super(message);
        this.epoch = epoch;
        this.step = step;
        this.tensor = tensor;
        this.weightsRestored = weightsRestored;
    }

    /** The epoch (from 1) of the failing step. */
    public int epoch() {
        return epoch;
    }

    /** The failing optimizer step (from 1, counted over the whole run); 0 for a validation loss. */
    public long step() {
        return step;
    }

    /** The parameter tensor at fault, or {@code null} when the loss or the learning rate was. */
    public String tensor() {
        return tensor;
    }

    /**
     * True when every weight is as before the failing step; false only when the update itself
     * overflowed (finite gradient), where the overflowing weights kept their previous values and
     * the others took the step.
     */
    public boolean weightsRestored() {
        return weightsRestored;
    }
}
