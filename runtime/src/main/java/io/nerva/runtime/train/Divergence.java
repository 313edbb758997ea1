package io.nerva.runtime.train;

import io.nerva.runtime.core.Finite;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

/**
 * The finiteness checks of a training step, in the order that keeps the weights intact: the loss
 * before the backward pass, the learning rate and the gradients before the update, the new
 * weights inside the update (fused into the built-in optimizers' loop, see
 * {@link io.nerva.runtime.optim.Optimizers.Guarded}). Each failure is a
 * {@link TrainingDivergedException} naming the epoch, the step and the tensor.
 */
final class Divergence {
    private Divergence() {}

    static String where(int epoch, int epochs, long step, int batchIndex, int batches) {
        return String.format(
                Locale.ROOT, "at epoch %d/%d, step %d (batch %d of %d)", epoch + 1, epochs, step, batchIndex, batches);
    }

    static TrainingDivergedException loss(double l, String where, int epoch, long step, double lr) {
        return new TrainingDivergedException(
                String.format(
                        Locale.ROOT,
                        "loss is %s %s: training diverged; the weights are those before this step. Try a lower learning rate "
                                + "(this step would use %s) or check the inputs for large values",
                        l,
                        where,
                        lr),
                epoch + 1,
                step,
                null,
                true);
    }

    /** The rate for this step as a float, or an exception when the schedule gave a non-finite or negative one. */
    static float rate(double lr, String where, int epoch, long step) {
        float a = (float) lr;
        if (!Float.isFinite(a) || !(lr >= 0)) {
            throw new TrainingDivergedException(
                    String.format(
                            Locale.ROOT,
                            "the learning rate schedule returned %s %s%s; the weights are those before this step",
                            lr,
                            where,
                            Double.isFinite(lr) && lr > 0 ? " (infinite as a float, which the updates use)" : ""),
                    epoch + 1,
                    step,
                    null,
                    true);
        }
        return a;
    }

    /** Throws when a gradient is NaN or infinite (checked before the update, so nothing changed). */
    static void gradients(Parameters params, String where, int epoch, long step) {
        MemorySegment grads = params.grads();
        long at = Finite.firstNonFinite(grads, 0, params.count());
        if (at < 0) return;
        ParamSpec s = specAt(params, at);
        long i = at - s.offset();
        throw new TrainingDivergedException(
                String.format(
                        Locale.ROOT,
                        "the gradient of '%s' is %s at %s (index %d) %s, with a finite loss: training diverged; the weights "
                                + "are those before this step. Try a lower learning rate or check the inputs for large values",
                        s.name(),
                        grads.getAtIndex(ValueLayout.JAVA_FLOAT, at),
                        Finite.index(s.shape(), i),
                        i,
                        where),
                epoch + 1,
                step,
                s.name(),
                true);
    }

    /** The update of parameter {@code at} would have overflowed; it kept its value, the others took the step. */
    static TrainingDivergedException update(Parameters params, long at, String where, int epoch, long step, double lr) {
        ParamSpec s = specAt(params, at);
        long i = at - s.offset();
        return new TrainingDivergedException(
                String.format(
                        Locale.ROOT,
                        "the update of '%s' at %s (index %d) %s would make it NaN or infinite (learning rate %s): training "
                                + "diverged. That weight and any other that would have overflowed kept their previous values; "
                                + "the others took this step. Try a lower learning rate",
                        s.name(),
                        Finite.index(s.shape(), i),
                        i,
                        where,
                        lr),
                epoch + 1,
                step,
                s.name(),
                false);
    }

    /** The update of a custom optimizer made parameter {@code at} non-finite; the weights were restored from a copy. */
    static TrainingDivergedException restored(
            Parameters params, long at, String where, int epoch, long step, double lr) {
        ParamSpec s = specAt(params, at);
        long i = at - s.offset();
        return new TrainingDivergedException(
                String.format(
                        Locale.ROOT,
                        "the optimizer made '%s' NaN or infinite at %s (index %d) %s (learning rate %s): training diverged; "
                                + "the weights are those before this step. Try a lower learning rate",
                        s.name(),
                        Finite.index(s.shape(), i),
                        i,
                        where,
                        lr),
                epoch + 1,
                step,
                s.name(),
                true);
    }

    static TrainingDivergedException validation(double valLoss, int epoch, int epochs) {
        return new TrainingDivergedException(
                String.format(
                        Locale.ROOT,
                        "validation loss is %s after epoch %d/%d although every training step was finite: the weights give "
                                + "non-finite outputs on the validation data (check it for large values)",
                        valLoss,
                        epoch + 1,
                        epochs),
                epoch + 1,
                0,
                null,
                true);
    }

    private static ParamSpec specAt(Parameters params, long at) {
        for (ParamSpec s : params.specs()) {
            if (at >= s.offset() && at < s.offset() + s.size()) return s;
        }
        throw new IllegalStateException("index " + at + " is outside the parameters");
    }
}
