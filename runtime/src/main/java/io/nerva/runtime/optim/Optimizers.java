package io.nerva.runtime.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Immutable optimizers with Keras 3's update formulas and defaults. Each update is one fused loop
 * over all {@code count} parameters and allocates nothing; per-step scalars are computed once in
 * double, the loop runs in float, chunk by chunk over per-thread heap copies (C2 vectorises loops
 * over {@code float[]}, not over native segments; the copies are memcpy). State is planar: slot {@code s} of parameter {@code i} is at
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
 * The decaying moments (momentum, Adam's m and v, RMSprop's v) are flushed to a multiple of 2⁻¹⁰⁰
 * when they fall below 2⁻⁷⁷ ({@link #FLUSH}), so they never become subnormal.
 */
public final class Optimizers {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private Optimizers() {}

    /**
     * {@code (x + FLUSH) − FLUSH} rounds a moment below 2⁻⁷⁷ to a multiple of 2⁻¹⁰⁰; larger values
     * change by at most one ulp, and only below 2⁻⁵². A moment whose gradient
     * stays 0 (a dead ReLU unit) thus ends at 0 or 2⁻¹⁰⁰ instead of decaying into the subnormal
     * range, where it would stay (β·2⁻¹⁴⁹ rounds back to 2⁻¹⁴⁹) and every later operation on it
     * costs a microcode assist (~100 cycles) — epochs grew slower without bound. The β-scaled
     * products of 2⁻¹⁰⁰ stay normal for any β ≥ 1e-7. The change, at most 2⁻¹⁰¹ ≈ 4e-31 per moment,
     * is far below float noise of any update; two additions keep the loops branch-free (vectorised).
     */
    static final float FLUSH = 0x1p-77f;

    /**
     * Per-thread heap scratch for the chunked updates: C2 vectorises loops over separate
     * {@code float[]} but not over native segments, so each chunk is copied in, updated and copied
     * back (the copies are memcpy). Allocated once per thread, never per step.
     */
    static final class Scratch {
        static final int CHUNK = 2048;
        private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
        final float[] w = new float[CHUNK], g = new float[CHUNK], a = new float[CHUNK], b = new float[CHUNK];
        final MemorySegment segW = MemorySegment.ofArray(w),
                segG = MemorySegment.ofArray(g),
                segA = MemorySegment.ofArray(a),
                segB = MemorySegment.ofArray(b);

        static Scratch get() {
            return LOCAL.get();
        }

        /**
         * Puts back the old value (from {@code params} at {@code at}) of every non-finite entry of
         * the chunk {@code w}; returns the first such parameter's index.
         */
        static long restoreNonFinite(float[] w, MemorySegment params, long at, int n) {
            long first = -1;
            for (int i = 0; i < n; i++) {
                if (!Float.isFinite(w[i])) {
                    w[i] = params.getAtIndex(F, at + i);
                    if (first < 0) first = at + i;
                }
            }
            return first;
        }
    }

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
        long updateGuarded(
                MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr);

        /**
         * As {@link #updateGuarded(MemorySegment, MemorySegment, MemorySegment, long, long, double)}
         * over a buffer holding {@code tensors} (null when unknown): the built-in optimizers split
         * their work over threads by the tensors' rows, as the products split the weights, with the
         * same result. The training loop calls this one.
         */
        default long updateGuarded(
                MemorySegment params,
                MemorySegment grads,
                MemorySegment state,
                long count,
                long step,
                double lr,
                TensorRows tensors) {
            return updateGuarded(params, grads, state, count, step, lr);
        }

        @Override
        default void update(
                MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            updateGuarded(params, grads, state, count, step, lr);
        }
    }

    /**
     * A built-in optimizer: one {@link ChunkedUpdate} pass of its {@link ChunkedUpdate.Rule} with the
     * constants it sets for the step, split over threads by the tensors' rows when known.
     */
    private interface RowSplit extends Guarded, ChunkedUpdate.Rule {
        /** Sets the rule's constants for step {@code step} at rate {@code lr}; refuses a bad step. */
        void constants(float[] k, long step, double lr);

        @Override
        default long updateGuarded(
                MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            return updateGuarded(params, grads, state, count, step, lr, null);
        }

        @Override
        default long updateGuarded(
                MemorySegment params,
                MemorySegment grads,
                MemorySegment state,
                long count,
                long step,
                double lr,
                TensorRows tensors) {
            ChunkedUpdate job = ChunkedUpdate.get();
            constants(job.k, step, lr);
            return job.run(this, stateSlots(), params, grads, state, count, tensors);
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
        if (!(momentum >= 0 && momentum < 1))
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
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
        if (!(beta1 >= 0 && beta1 < 1))
            throw new IllegalArgumentException("Adam beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("Adam beta2 must be in [0, 1), got " + beta2);
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
        if (!(initialAccumulator >= 0))
            throw new IllegalArgumentException("Adagrad initial accumulator must be ≥ 0, got " + initialAccumulator);
        if (!(epsilon >= 0) || initialAccumulator + epsilon <= 0) {
            throw new IllegalArgumentException(
                    "Adagrad needs initialAccumulator + epsilon > 0, got " + initialAccumulator + " + " + epsilon);
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

    record Sgd(LearningRate learningRate, double momentum, boolean nesterov) implements RowSplit {
        @Override
        public int stateSlots() {
            return momentum > 0 ? 1 : 0;
        }

        @Override
        public void constants(float[] k, long step, double lr) {
            k[0] = (float) lr;
            k[1] = (float) momentum;
        }

        @Override
        public float chunk(Scratch s, int n, float[] k) {
            if (momentum == 0) return plainChunk(s.w, s.g, n, k[0]);
            return nesterov ? nesterovChunk(s.w, s.g, s.a, n, k[0], k[1]) : momentumChunk(s.w, s.g, s.a, n, k[0], k[1]);
        }

        // Each chunk loop returns the largest |new weight| (not finite when one is not), as Adam's.

        private static float plainChunk(float[] w, float[] g, int n, float a) {
            float worst = 0f;
            for (int i = 0; i < n; i++) {
                float nw = w[i] - a * g[i];
                w[i] = nw;
                worst = Math.max(worst, Math.abs(nw));
            }
            return worst;
        }

        private static float momentumChunk(float[] w, float[] g, float[] mom, int n, float a, float mu) {
            float worst = 0f;
            for (int i = 0; i < n; i++) {
                float m = mu * mom[i] - a * g[i];
                m = (m + FLUSH) - FLUSH;
                mom[i] = m;
                float nw = w[i] + m;
                w[i] = nw;
                worst = Math.max(worst, Math.abs(nw));
            }
            return worst;
        }

        private static float nesterovChunk(float[] w, float[] g, float[] mom, int n, float a, float mu) {
            float worst = 0f;
            for (int i = 0; i < n; i++) {
                float step = -a * g[i];
                float m = mu * mom[i] + step;
                m = (m + FLUSH) - FLUSH;
                mom[i] = m;
                float nw = w[i] + (mu * m + step);
                w[i] = nw;
                worst = Math.max(worst, Math.abs(nw));
            }
            return worst;
        }
    }

    record Adam(LearningRate learningRate, double beta1, double beta2, double epsilon, double weightDecay)
            implements RowSplit {
        @Override
        public int stateSlots() {
            return 2;
        }

        @Override
        public void constants(float[] k, long step, double lr) {
            if (step < 1) throw new IllegalArgumentException("optimizer steps count from 1, got " + step);
            final float alpha = (float) (lr * Math.sqrt(1.0 - Math.pow(beta2, step)) / (1.0 - Math.pow(beta1, step)));
            final float c1 = (float) (1.0 - beta1), c2 = (float) (1.0 - beta2), eps = (float) epsilon;
            final float decay = weightDecay != 0 ? (float) (1.0 - lr * weightDecay) : 1f; // w − w·wd·lr = w·(1 − wd·lr)
            k[0] = alpha;
            k[1] = c1;
            k[2] = c2;
            k[3] = eps;
            k[4] = decay;
        }

        @Override
        public float chunk(Scratch s, int n, float[] k) {
            return adamChunk(s.w, s.g, s.a, s.b, n, k[0], k[1], k[2], k[3], k[4]);
        }

        /**
         * One chunk of the update over heap arrays (C2 vectorises this loop; over native segments
         * it stays scalar). Returns the largest |new weight|: NaN or infinite when one is not finite.
         * Both moments are flushed ({@link #FLUSH}).
         */
        private static float adamChunk(
                float[] w,
                float[] g,
                float[] m,
                float[] v,
                int n,
                float alpha,
                float c1,
                float c2,
                float eps,
                float decay) {
            float worst = 0f;
            for (int i = 0; i < n; i++) {
                float gi = g[i];
                float mi = m[i], vi = v[i];
                mi += (gi - mi) * c1;
                vi += (gi * gi - vi) * c2;
                mi = (mi + FLUSH) - FLUSH;
                vi = (vi + FLUSH) - FLUSH;
                m[i] = mi;
                v[i] = vi;
                float nw = w[i] * decay - alpha * mi / ((float) Math.sqrt(vi) + eps);
                w[i] = nw;
                worst = Math.max(worst, Math.abs(nw));
            }
            return worst;
        }
    }

    record RmsProp(LearningRate learningRate, double rho, double epsilon) implements RowSplit {
        @Override
        public int stateSlots() {
            return 1;
        }

        @Override
        public void constants(float[] k, long step, double lr) {
            k[0] = (float) rho;
            k[1] = (float) (1.0 - rho);
            k[2] = (float) lr;
            k[3] = (float) epsilon;
        }

        @Override
        public float chunk(Scratch s, int n, float[] k) {
            return chunk(s.w, s.g, s.a, n, k[0], k[1], k[2], k[3]);
        }

        private static float chunk(float[] w, float[] g, float[] ms, int n, float r, float r1, float a, float eps) {
            float worst = 0f;
            for (int i = 0; i < n; i++) {
                float gi = g[i];
                float v = r * ms[i] + r1 * gi * gi;
                v = (v + FLUSH) - FLUSH;
                ms[i] = v;
                float nw = w[i] - a * gi / (float) Math.sqrt(v + eps);
                w[i] = nw;
                worst = Math.max(worst, Math.abs(nw));
            }
            return worst;
        }
    }

    record Adagrad(LearningRate learningRate, double initialAccumulator, double epsilon) implements RowSplit {
        @Override
        public int stateSlots() {
            return 1;
        }

        @Override
        public void constants(float[] k, long step, double lr) {
            k[0] = (float) lr;
            k[1] = (float) initialAccumulator;
            k[2] = (float) epsilon;
        }

        @Override
        public float chunk(Scratch s, int n, float[] k) {
            return chunk(s.w, s.g, s.a, n, k[0], k[1], k[2]);
        }

        private static float chunk(float[] w, float[] g, float[] acc, int n, float a, float init, float eps) {
            float worst = 0f;
            for (int i = 0; i < n; i++) {
                float gi = g[i];
                float sum = acc[i] + gi * gi; // accumulator − initialAccumulator
                acc[i] = sum;
                float nw = w[i] - a * gi / (float) Math.sqrt(sum + init + eps);
                w[i] = nw;
                worst = Math.max(worst, Math.abs(nw));
            }
            return worst;
        }
    }
}
