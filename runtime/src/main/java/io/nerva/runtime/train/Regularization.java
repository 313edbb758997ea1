package io.nerva.runtime.train;

import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The {@code @Regularize} penalties of a model's parameters ({@link ParamSpec#l1()}, {@link ParamSpec#l2()}), as
 * Keras adds regularization losses: {@code penalty = Σ l1·|w| + l2·w²} is added to the loss that training,
 * validation and {@code evaluate} report, and {@code l1·sign(w) + 2·l2·w} to the gradients before the optimizer
 * (and any gradient clipping) sees them. A model without penalties costs nothing: {@link #of} returns null.
 */
public final class Regularization {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final ParamSpec[] specs;

    private Regularization(ParamSpec[] specs) {
        this.specs = specs;
    }

    /** The penalties of {@code parameters}, or null when no tensor has one. */
    public static Regularization of(Parameters parameters) {
        List<ParamSpec> regularized =
                parameters.specs().stream().filter(ParamSpec::regularized).toList();
        return regularized.isEmpty() ? null : new Regularization(regularized.toArray(ParamSpec[]::new));
    }

    /** {@code Σ l1·|w| + l2·w²} over the penalised tensors of {@code values}, in double. */
    public double penalty(MemorySegment values) {
        double total = 0;
        for (ParamSpec s : specs) {
            double abs = 0, squares = 0;
            for (long i = s.offset(), end = s.offset() + s.size(); i < end; i++) {
                double w = values.getAtIndex(F, i);
                abs += Math.abs(w);
                squares += w * w;
            }
            total += s.l1() * abs + s.l2() * squares;
        }
        return total;
    }

    /** Adds {@code l1·sign(w) + 2·l2·w} to {@code grads} over the penalised tensors (sign(0) = 0, as Keras). */
    public void addGradient(MemorySegment values, MemorySegment grads) {
        for (ParamSpec s : specs) {
            final float l1 = (float) s.l1(), twoL2 = (float) (2 * s.l2());
            for (long i = s.offset(), end = s.offset() + s.size(); i < end; i++) {
                float w = values.getAtIndex(F, i);
                grads.setAtIndex(F, i, grads.getAtIndex(F, i) + l1 * Math.signum(w) + twoL2 * w);
            }
        }
    }
}
