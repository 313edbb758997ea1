package io.nerva.runtime.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Immutable optimizers with Keras 3's update formulas and defaults. Each update is one fused loop
 * over all {@code count} parameters and allocates nothing; per-step scalars are computed once in
 * double, the loop runs in float. State is planar: slot {@code s} of parameter {@code i} is at
 * float index {@code s·count + i}, and a zeroed state buffer is the correct initial state.
 *
 * <ul>
 *   <li>SGD: {@code w −= lr·g}; with momentum μ: {@code m = μ·m − lr·g}, then {@code w += m}, or
 *       {@code w += μ·m − lr·g} (Nesterov). Default lr 0.01.</li>
 *   <li>Adam: {@code m += (g − m)(1 − β1)}, {@code v += (g² − v)(1 − β2)},
 *       {@code w −= lr·√(1 − β2^t)/(1 − β1^t) · m/(√v + ε)}; defaults lr 0.001, β1 0.9, β2 0.999, ε 1e-7.</li>
 *   <li>AdamW: first {@code w −= w·wd·lr} (decoupled, applied to every parameter), then Adam;
 *       default wd 0.004.</li>
 *   <li>RMSprop: {@code v = ρ·v + (1 − ρ)g²}, {@code w −= lr·g/√(v + ε)}; defaults lr 0.001, ρ 0.9, ε 1e-7.</li>
 *   <li>Adagrad: {@code acc += g²}, {@code w −= lr·g/√(acc + ε)}, acc starting at 0.1; defaults lr 0.001,
 *       ε 1e-7. The state slot holds {@code acc − initialAccumulator}, so a zeroed buffer starts at 0.1.</li>
 * </ul>
 */
public final class Optimizers {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private Optimizers() {}

    /**
     * An optimizer whose update loop also guards the weights: a parameter whose new value would be
     * NaN or infinite keeps its current value, and the update reports the first such index. The
     * check is fused into the update's single pass, so it costs no extra pass over the buffers.
     * Every built-in optimizer is one; the training loop keeps a copy of the weights for others.
     */
    public interface Guarded extends Optimizer {
        /**
         * As {@link #update}, keeping the current value of any parameter whose new value would not
         * be finite; returns the index of the first such parameter, or -1 when every new value is finite.
         */
        long updateGuarded(MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr);

        @Override
        default void update(MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            updateGuarded(params, grads, state, count, step, lr);
        }
    }


    // ---- SGD ----

    /** Keras' default SGD: lr 0.01, no momentum. */
    public static Optimizer sgd() {
        return sgd(0.01);
    }

    public static Optimizer sgd(double lr) {
        return sgd(rate(lr));
    }

    public static Optimizer sgd(LearningRate lr) {
        return sgd(lr, 0.0, false);
    }

    public static Optimizer sgd(double lr, double momentum, boolean nesterov) {
        return sgd(rate(lr), momentum, nesterov);
    }

    public static Optimizer sgd(LearningRate lr, double momentum, boolean nesterov) {
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        return new Sgd(nonNull(lr), momentum, nesterov);
    }

    // ---- Adam / AdamW ----

    /** Keras' default Adam: lr 0.001, β1 0.9, β2 0.999, ε 1e-7. */
    public static Optimizer adam() {
        return adam(0.001);
    }

    public static Optimizer adam(double lr) {
        return adam(rate(lr));
    }

    public static Optimizer adam(LearningRate lr) {
        return adam(lr, 0.9, 0.999, 1e-7);
    }

    public static Optimizer adam(double lr, double beta1, double beta2, double epsilon) {
        return adam(rate(lr), beta1, beta2, epsilon);
    }

    public static Optimizer adam(LearningRate lr, double beta1, double beta2, double epsilon) {
        return adamW(lr, 0.0, beta1, beta2, epsilon);
    }

    /** Keras' default AdamW: lr 0.001, weight decay 0.004. */
    public static Optimizer adamW() {
        return adamW(0.001, 0.004);
    }

    public static Optimizer adamW(double lr) {
        return adamW(lr, 0.004);
    }

    public static Optimizer adamW(double lr, double weightDecay) {
        return adamW(rate(lr), weightDecay);
    }

    public static Optimizer adamW(LearningRate lr, double weightDecay) {
        return adamW(lr, weightDecay, 0.9, 0.999, 1e-7);
    }

    public static Optimizer adamW(LearningRate lr, double weightDecay, double beta1, double beta2, double epsilon) {
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("Adam beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Adam beta2 must be in [0, 1), got " + beta2);
        if (!(epsilon >= 0)) throw new IllegalArgumentException("Adam epsilon must be ≥ 0, got " + epsilon);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be ≥ 0, got " + weightDecay);
        return new Adam(nonNull(lr), beta1, beta2, epsilon, weightDecay);
    }

    // ---- RMSprop ----

    /** Keras' default RMSprop: lr 0.001, ρ 0.9, ε 1e-7. */
    public static Optimizer rmsprop() {
        return rmsprop(0.001);
    }

    public static Optimizer rmsprop(double lr) {
        return rmsprop(rate(lr));
    }

    public static Optimizer rmsprop(LearningRate lr) {
        return rmsprop(lr, 0.9, 1e-7);
    }

    public static Optimizer rmsprop(LearningRate lr, double rho, double epsilon) {
        if (!(rho >= 0 && rho < 1)) throw new IllegalArgumentException("RMSprop rho must be in [0, 1), got " + rho);
        if (!(epsilon > 0)) throw new IllegalArgumentException("RMSprop epsilon must be > 0, got " + epsilon);
        return new RmsProp(nonNull(lr), rho, epsilon);
    }

    // ---- Adagrad ----

    /** Keras' default Adagrad: lr 0.001, initial accumulator 0.1, ε 1e-7. */
    public static Optimizer adagrad() {
        return adagrad(0.001);
    }

    public static Optimizer adagrad(double lr) {
        return adagrad(rate(lr));
    }

    public static Optimizer adagrad(LearningRate lr) {
        return adagrad(lr, 0.1, 1e-7);
    }

    public static Optimizer adagrad(LearningRate lr, double initialAccumulator, double epsilon) {
        if (!(initialAccumulator >= 0)) throw new IllegalArgumentException("Adagrad initial accumulator must be ≥ 0, got " + initialAccumulator);
        if (!(epsilon >= 0) || initialAccumulator + epsilon <= 0) {
            throw new IllegalArgumentException("Adagrad needs initialAccumulator + epsilon > 0, got " + initialAccumulator + " + " + epsilon);
        }
        return new Adagrad(nonNull(lr), initialAccumulator, epsilon);
    }

    // ---- implementations ----

    private static LearningRate rate(double lr) {
        LearningRates.positive("learning rate", lr);
        LearningRates.representable("learning rate", lr);
        return LearningRate.constant(lr);
    }

    private static LearningRate nonNull(LearningRate lr) {
        if (lr == null) throw new IllegalArgumentException("learning rate schedule is null");
        return lr;
    }

    record Sgd(LearningRate learningRate, double momentum, boolean nesterov) implements Guarded {
        @Override
        public int stateSlots() {
            return momentum > 0 ? 1 : 0;
        }

        @Override
        public long updateGuarded(MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            final float a = (float) lr;
            long first;
            if (momentum == 0) first = updatePlain(params, grads, count, a);
            else if (nesterov) first = updateNesterov(params, grads, state, count, a, (float) momentum);
            else first = updateMomentum(params, grads, state, count, a, (float) momentum);
            return first;
        }

        private static long updatePlain(MemorySegment params, MemorySegment grads, long count, float a) {
            long first = -1;
            for (long i = 0; i < count; i++) {
                float w = params.getAtIndex(F, i);
                float nw = w - a * grads.getAtIndex(F, i);
                if (!Float.isFinite(nw)) { // rare: keep the old value, remember where
                    nw = w;
                    if (first < 0) first = i;
                }
                params.setAtIndex(F, i, nw);
            }
            return first;
        }

        private static long updateMomentum(MemorySegment params, MemorySegment grads, MemorySegment state, long count,
                                          float a, float mu) {
            long first = -1;
            for (long i = 0; i < count; i++) {
                float m = mu * state.getAtIndex(F, i) - a * grads.getAtIndex(F, i);
                state.setAtIndex(F, i, m);
                float w = params.getAtIndex(F, i);
                float nw = w + m;
                if (!Float.isFinite(nw)) { // rare: keep the old value, remember where
                    nw = w;
                    if (first < 0) first = i;
                }
                params.setAtIndex(F, i, nw);
            }
            return first;
        }

        private static long updateNesterov(MemorySegment params, MemorySegment grads, MemorySegment state, long count,
                                          float a, float mu) {
            long first = -1;
            for (long i = 0; i < count; i++) {
                float step = -a * grads.getAtIndex(F, i);
                float m = mu * state.getAtIndex(F, i) + step;
                state.setAtIndex(F, i, m);
                float w = params.getAtIndex(F, i);
                float nw = w + (mu * m + step);
                if (!Float.isFinite(nw)) { // rare: keep the old value, remember where
                    nw = w;
                    if (first < 0) first = i;
                }
                params.setAtIndex(F, i, nw);
            }
            return first;
        }
    }

    record Adam(LearningRate learningRate, double beta1, double beta2, double epsilon, double weightDecay)
            implements Guarded {
        @Override
        public int stateSlots() {
            return 2;
        }

        @Override
        public long updateGuarded(MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            if (step < 1) throw new IllegalArgumentException("optimizer steps count from 1, got " + step);
            final float alpha = (float) (lr * Math.sqrt(1.0 - Math.pow(beta2, step)) / (1.0 - Math.pow(beta1, step)));
            final float c1 = (float) (1.0 - beta1), c2 = (float) (1.0 - beta2), eps = (float) epsilon;
            final float decay = (float) (1.0 - lr * weightDecay); // w − w·wd·lr = w·(1 − wd·lr)
            final boolean decays = weightDecay != 0;
            long first = -1;
            for (long i = 0; i < count; i++) {
                float g = grads.getAtIndex(F, i);
                float m = state.getAtIndex(F, i);
                float v = state.getAtIndex(F, count + i);
                m += (g - m) * c1;
                v += (g * g - v) * c2;
                state.setAtIndex(F, i, m);
                state.setAtIndex(F, count + i, v);
                float w0 = params.getAtIndex(F, i);
                float w = decays ? w0 * decay : w0;
                float nw = w - alpha * m / ((float) Math.sqrt(v) + eps);
                if (!Float.isFinite(nw)) { // rare: keep the old value, remember where
                    nw = w0;
                    if (first < 0) first = i;
                }
                params.setAtIndex(F, i, nw);
            }
            return first;
        }
    }

    record RmsProp(LearningRate learningRate, double rho, double epsilon) implements Guarded {
        @Override
        public int stateSlots() {
            return 1;
        }

        @Override
        public long updateGuarded(MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            final float r = (float) rho, r1 = (float) (1.0 - rho), a = (float) lr, eps = (float) epsilon;
            long first = -1;
            for (long i = 0; i < count; i++) {
                float g = grads.getAtIndex(F, i);
                float v = r * state.getAtIndex(F, i) + r1 * g * g;
                state.setAtIndex(F, i, v);
                float w = params.getAtIndex(F, i);
                float nw = w - a * g / (float) Math.sqrt(v + eps);
                if (!Float.isFinite(nw)) { // rare: keep the old value, remember where
                    nw = w;
                    if (first < 0) first = i;
                }
                params.setAtIndex(F, i, nw);
            }
            return first;
        }
    }

    record Adagrad(LearningRate learningRate, double initialAccumulator, double epsilon) implements Guarded {
        @Override
        public int stateSlots() {
            return 1;
        }

        @Override
        public long updateGuarded(MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            final float a = (float) lr, init = (float) initialAccumulator, eps = (float) epsilon;
            long first = -1;
            for (long i = 0; i < count; i++) {
                float g = grads.getAtIndex(F, i);
                float s = state.getAtIndex(F, i) + g * g; // accumulator − initialAccumulator
                state.setAtIndex(F, i, s);
                float w = params.getAtIndex(F, i);
                float nw = w - a * g / (float) Math.sqrt(s + init + eps);
                if (!Float.isFinite(nw)) { // rare: keep the old value, remember where
                    nw = w;
                    if (first < 0) first = i;
                }
                params.setAtIndex(F, i, nw);
            }
            return first;
        }
    }
}
