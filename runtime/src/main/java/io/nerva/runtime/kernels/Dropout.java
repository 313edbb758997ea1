package io.nerva.runtime.kernels;

import io.nerva.runtime.core.Rng;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Inverted dropout: while training, each value is kept with probability {@code 1 − rate} and
 * scaled by {@code 1/(1 − rate)}, so the expected output equals the input and inference is the
 * identity. The mask stores the multiplier itself (0 or {@code 1/(1 − rate)}).
 */
public final class Dropout {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private Dropout() {}

    /**
     * {@code y = x ⊙ mask} over {@code count} floats ({@code y} may be {@code x}). With
     * {@code newMask}, first draws the mask from {@code rng} (one {@link Rng#nextFloat()} per value,
     * dropped when it is below {@code rate}); otherwise reuses the mask of the previous call.
     */
    public static void forward(
            MemorySegment x, MemorySegment y, MemorySegment mask, long count, float rate, Rng rng, boolean newMask) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        if (newMask) {
            final float scale = 1f / (1f - rate);
            for (long i = 0; i < count; i++) {
                float m = rng.nextFloat() < rate ? 0f : scale;
                mask.setAtIndex(F, i, m);
                y.setAtIndex(F, i, x.getAtIndex(F, i) * m);
            }
        } else {
            for (long i = 0; i < count; i++) {
                y.setAtIndex(F, i, x.getAtIndex(F, i) * mask.getAtIndex(F, i));
            }
        }
    }

    /** {@code dx = dy ⊙ mask} over {@code count} floats ({@code dx} may be {@code dy}). */
    public static void backward(MemorySegment dy, MemorySegment dx, MemorySegment mask, long count) {
        for (long i = 0; i < count; i++) {
            dx.setAtIndex(F, i, dy.getAtIndex(F, i) * mask.getAtIndex(F, i));
        }
    }
}
