package io.nerva.runtime.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Gradient clipping in front of any optimizer, as Keras' optimizer arguments {@code global_clipnorm} and
 * {@code clipvalue}: the gradients are clipped in place, then the wrapped optimizer updates with them.
 *
 * <ul>
 *   <li>{@link #globalNorm}: when the L2 norm of <em>all</em> gradients together exceeds {@code maxNorm}, every
 *       gradient is scaled by {@code maxNorm / norm}, so the update keeps its direction (Keras' {@code global_clipnorm}).
 *       Keras' per-tensor {@code clipnorm} is not offered: the optimizer sees the parameters as one flat
 *       buffer, and the global norm is the form that preserves the direction of the whole step.</li>
 *   <li>{@link #value}: every gradient is clamped to {@code [−limit, limit]} (Keras' {@code clipvalue}).</li>
 * </ul>
 * Both may be combined ({@code value} first, then the norm of the clamped gradients, as Keras applies them).
 * Clipping sees the whole gradient the loss produced, regularization terms included. The gradients
 * are changed in place: after a step, {@code parameters().grads()} holds the clipped gradients.
 */
public final class GradientClipping {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private GradientClipping() {}

    /** {@code optimizer} with gradients rescaled to an L2 norm of at most {@code maxNorm} over all parameters. */
    public static Optimizer globalNorm(Optimizer optimizer, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("global clip norm must be positive and finite, got " + maxNorm);
        }
        return wrap(optimizer, maxNorm, Double.POSITIVE_INFINITY);
    }

    /** {@code optimizer} with every gradient clamped to {@code [−limit, limit]}. */
    public static Optimizer value(Optimizer optimizer, double limit) {
        if (!(limit > 0) || Double.isInfinite(limit)) {
            throw new IllegalArgumentException("clip value must be positive and finite, got " + limit);
        }
        return wrap(optimizer, Double.POSITIVE_INFINITY, limit);
    }

    private static Optimizer wrap(Optimizer optimizer, double maxNorm, double limit) {
        if (optimizer == null) throw new IllegalArgumentException("optimizer is null");
        if (optimizer instanceof Clipped c) { // clipping a clipped optimizer combines both limits
            return wrap(c.inner(), Math.min(maxNorm, c.maxNorm()), Math.min(limit, c.limit()));
        }
        return optimizer instanceof Optimizers.Guarded g
                ? new GuardedClip(g, maxNorm, limit)
                : new PlainClip(optimizer, maxNorm, limit);
    }

    /** Clamps, then rescales {@code grads[0, count)} in place; returns the global norm before rescaling. */
    static double clip(MemorySegment grads, long count, double maxNorm, double limit) {
        final float lim = (float) limit;
        final boolean clamp = !Double.isInfinite(limit);
        double sumSquares = 0;
        for (long i = 0; i < count; i++) {
            float g = grads.getAtIndex(F, i);
            if (clamp) {
                g = Math.max(-lim, Math.min(lim, g));
                grads.setAtIndex(F, i, g);
            }
            sumSquares += (double) g * g;
        }
        double norm = Math.sqrt(sumSquares);
        if (norm > maxNorm) {
            final float scale = (float) (maxNorm / norm);
            for (long i = 0; i < count; i++) grads.setAtIndex(F, i, grads.getAtIndex(F, i) * scale);
        }
        return norm;
    }

    private sealed interface Clipped extends Optimizer permits GuardedClip, PlainClip {
        Optimizer inner();

        double maxNorm();

        double limit();

        @Override
        default int stateSlots() {
            return inner().stateSlots();
        }

        @Override
        default LearningRate learningRate() {
            return inner().learningRate();
        }
    }

    private record GuardedClip(Optimizers.Guarded inner, double maxNorm, double limit)
            implements Clipped, Optimizers.Guarded {
        @Override
        public long updateGuarded(
                MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            clip(grads, count, maxNorm, limit);
            return inner.updateGuarded(params, grads, state, count, step, lr);
        }

        @Override
        public int stateSlots() {
            return inner.stateSlots();
        }

        @Override
        public LearningRate learningRate() {
            return inner.learningRate();
        }

        @Override
        public void update(
                MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            updateGuarded(params, grads, state, count, step, lr);
        }
    }

    private record PlainClip(Optimizer inner, double maxNorm, double limit) implements Clipped {
        @Override
        public void update(
                MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            clip(grads, count, maxNorm, limit);
            inner.update(params, grads, state, count, step, lr);
        }
    }
}
