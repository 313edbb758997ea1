package io.nerva.runtime.optim;

/**
 * Learning-rate schedules. Keras evaluates its schedules at the number of updates already done
 * ({@code optimizer.iterations}, 0 for the first update); {@link LearningRate#at} counts steps
 * from 1, so the step-based schedules here use {@code s = step − 1}: the first update always
 * gets the initial rate.
 */
public final class LearningRates {
    private LearningRates() {}

    /**
     * Step decay by epochs (the classic Keras {@code LearningRateScheduler} recipe):
     * {@code initial · factor^⌊epoch / dropEvery⌋}, epochs counted from 0.
     */
    public static LearningRate step(double initial, int dropEvery, double factor) {
        positive("initial learning rate", initial);
        if (dropEvery < 1) throw new IllegalArgumentException("dropEvery must be at least 1 epoch, got " + dropEvery);
        if (!(factor > 0)) throw new IllegalArgumentException("step decay factor must be positive, got " + factor);
        return new StepDecay(initial, dropEvery, factor);
    }

    /** Keras {@code ExponentialDecay} (not staircase): {@code initial · decayRate^(s / decaySteps)}. */
    public static LearningRate exponential(double initial, long decaySteps, double decayRate) {
        positive("initial learning rate", initial);
        if (decaySteps < 1) throw new IllegalArgumentException("decaySteps must be at least 1, got " + decaySteps);
        if (!(decayRate > 0)) throw new IllegalArgumentException("decay rate must be positive, got " + decayRate);
        return new ExponentialDecay(initial, decaySteps, decayRate);
    }

    /**
     * Keras {@code CosineDecay} without warm-up: {@code initial · ((1 − alpha)·½(1 + cos(π·min(s, decaySteps)/decaySteps)) + alpha)};
     * {@code alphaMin} is the final rate as a fraction of {@code initial}.
     */
    public static LearningRate cosine(double initial, long decaySteps, double alphaMin) {
        positive("initial learning rate", initial);
        if (decaySteps < 1) throw new IllegalArgumentException("decaySteps must be at least 1, got " + decaySteps);
        if (!(alphaMin >= 0 && alphaMin <= 1))
            throw new IllegalArgumentException("alphaMin must be in [0, 1], got " + alphaMin);
        return new CosineDecay(initial, decaySteps, alphaMin);
    }

    static void positive(String what, double v) {
        if (!(v > 0) || Double.isInfinite(v))
            throw new IllegalArgumentException(what + " must be positive and finite, got " + v);
        representable(what, v);
    }

    /**
     * Updates run in float: a rate beyond {@code Float.MAX_VALUE} (1e39, say) would become
     * infinity and one below the smallest float would become 0, so both are refused up front.
     */
    static void representable(String what, double v) {
        float f = (float) v;
        if (Float.isInfinite(f)) {
            throw new IllegalArgumentException(what + " " + v + " is finite as a double but infinite as a float (the "
                    + "updates run in float; the largest float is " + Float.MAX_VALUE + "); use a rate such as 1e-3");
        }
        if (v != 0 && f == 0) {
            throw new IllegalArgumentException(
                    what + " " + v + " is 0 as a float (the updates run in float; the smallest " + "is "
                            + Float.MIN_VALUE + "), so training would not change the weights");
        }
    }

    record StepDecay(double initial, int dropEvery, double factor) implements LearningRate {
        @Override
        public double at(long step, int epoch) {
            return initial * Math.pow(factor, Math.floorDiv(Math.max(epoch, 0), dropEvery));
        }
    }

    record ExponentialDecay(double initial, long decaySteps, double decayRate) implements LearningRate {
        @Override
        public double at(long step, int epoch) {
            return initial * Math.pow(decayRate, (double) Math.max(step - 1, 0) / decaySteps);
        }
    }

    record CosineDecay(double initial, long decaySteps, double alphaMin) implements LearningRate {
        @Override
        public double at(long step, int epoch) {
            double s = Math.min(Math.max(step - 1, 0), decaySteps);
            double cos = 0.5 * (1.0 + Math.cos(Math.PI * s / decaySteps));
            return initial * ((1.0 - alphaMin) * cos + alphaMin);
        }
    }
}
