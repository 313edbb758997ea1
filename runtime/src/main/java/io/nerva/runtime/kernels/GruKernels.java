package io.nerva.runtime.kernels;

import static io.nerva.runtime.kernels.SequenceKernels.F;
import static io.nerva.runtime.kernels.SequenceKernels.GENERIC;

import io.nerva.annotations.ActivationType;
import java.lang.foreign.MemorySegment;

/**
 * Forward and backward through time of Keras' {@code GRU}, batch-first, gates in Keras' order
 * z (update), r (reset), h (candidate). Parameters at float offsets of {@code w} (gradients at the
 * same offsets of {@code g}): {@code kernel [F, 3u]}, {@code recurrent_kernel [u, 3u]}, and
 * {@code bias [2, 3u]} (row 0 input bias, row 1 recurrent bias) with resetAfter or {@code [3u]}
 * without (offset −1 without bias). Per processing step {@code s} (time {@code s}, or
 * {@code T−1−s} with goBackwards), with {@code h = h_{s−1}}, {@code h_{−1} = 0}:
 * <pre>
 * resetAfter:   z = recAct(x·Wz + bz + h·Uz + b'z),  r = recAct(x·Wr + br + h·Ur + b'r),
 *               ĥ = act(x·Wh + bh + r ⊙ (h·Uh + b'h))
 * otherwise:    z = recAct(x·Wz + h·Uz + bz),        r = recAct(x·Wr + h·Ur + br),
 *               ĥ = act(x·Wh + (r ⊙ h)·Uh + bh)
 * h_s = z ⊙ h + (1 − z) ⊙ ĥ
 * </pre>
 * Output {@code [rows, u]} or {@code [rows, T, u]} with returnSequences (in processing order).
 * One sgemm projects all steps' inputs; per step, resetAfter takes one sgemm {@code h·U} and one
 * fused pass, the other form two sgemms ({@code h·U[:, z|r]}, then {@code (r⊙h)·Uh}) and two passes.
 * resetAfter with TANH/SIGMOID (Keras' default) runs its passes over per-thread heap arrays in
 * loops C2 vectorises (see {@link LstmKernels}); other configurations run scalar loops over the segments.
 */
public final class GruKernels {
    private GruKernels() {}

    /**
     * The constants of one GRU layer (holds no buffers). {@code state}, step-major, with resetAfter:
     * x ({@code T·F}), {@code x·W} ({@code T·3u}), {@code h·U} ({@code T·3u}), z, r, ĥ
     * ({@code T·3u}), h with a leading zero block ({@code (T+1)·u}); without: x, the pre-activations
     * without bias ({@code T·3u}), z, r, ĥ ({@code T·3u}), {@code r⊙h} ({@code T·u}), h
     * ({@code (T+1)·u}). {@code scratch}: with resetAfter dZ of the input and of the recurrent side
     * ({@code 2·T·3u}), dh ({@code u}), dX ({@code T·F}); without: dZ ({@code T·3u}), dh and
     * {@code d(r⊙h)} ({@code 2u}), dX ({@code T·F}).
     */
    public record Spec(
            int timesteps,
            int features,
            int units,
            boolean useBias,
            boolean returnSequences,
            boolean goBackwards,
            boolean resetAfter,
            ActivationType activation,
            ActivationType recurrentActivation) {
        public Spec {
            SequenceKernels.checkDims("GRU", timesteps, features, units);
            SequenceKernels.checkActivation("GRU activation", activation);
            SequenceKernels.checkActivation("GRU recurrentActivation", recurrentActivation);
        }

        /** resetAfter: {@code T·(F + 10u) + u}; otherwise {@code T·(F + 8u) + u} floats of state per row. */
        public long statePerRow() {
            return (long) timesteps * (features + (resetAfter ? 10L : 8L) * units) + units;
        }

        /** resetAfter: {@code T·(F + 6u) + u}; otherwise {@code T·(F + 3u) + 2u} floats of scratch per row. */
        public long scratchPerRow() {
            return resetAfter
                    ? (long) timesteps * (features + 6L * units) + units
                    : (long) timesteps * (features + 3L * units) + 2L * units;
        }

        /** {@code T·F}. */
        public long inputPerRow() {
            return (long) timesteps * features;
        }

        /** {@code T·u} with returnSequences, else {@code u}. */
        public long outputPerRow() {
            return returnSequences ? (long) timesteps * units : units;
        }

        /** {@code F·3u}. */
        public long kernelSize() {
            return (long) features * 3 * units;
        }

        /** {@code u·3u}. */
        public long recurrentSize() {
            return 3L * units * units;
        }

        /** {@code 6u} with resetAfter ([2, 3u]), {@code 3u} without, 0 without bias. */
        public long biasSize() {
            return useBias ? (resetAfter ? 6L : 3L) * units : 0;
        }

        private void checkParams(String buffer, MemorySegment w, long kernelOff, long recurrentOff, long biasOff) {
            SequenceKernels.requireParams(
                    "GRU",
                    buffer,
                    w,
                    kernelOff,
                    kernelSize(),
                    recurrentOff,
                    recurrentSize(),
                    useBias,
                    biasOff,
                    biasSize());
        }

        /** Runs the layer over {@code x [rows, T, F]} into {@code out}, keeping in {@code state} what backward needs. */
        public void forward(
                MemorySegment x,
                MemorySegment w,
                long kernelOff,
                long recurrentOff,
                long biasOff,
                MemorySegment state,
                MemorySegment out,
                int rows) {
            SequenceKernels.checkRows("GRU", rows);
            final int T = timesteps, Fe = features, u = units, G = 3 * u;
            SequenceKernels.require("GRU", "x", x, rows * inputPerRow(), rows, inputPerRow(), this);
            SequenceKernels.require("GRU", "state", state, rows * statePerRow(), rows, statePerRow(), this);
            SequenceKernels.require("GRU", "out", out, rows * outputPerRow(), rows, outputPerRow(), this);
            checkParams("w", w, kernelOff, recurrentOff, biasOff);
            if (rows == 0) return;
            final long R = rows, oX = T * R * Fe;
            final int ac = SequenceKernels.code(activation), rc = SequenceKernels.code(recurrentActivation);
            final long b = useBias ? biasOff : -1;

            SequenceKernels.toStepMajor(x, state, 0, rows, T, Fe, goBackwards);
            DenseKernels.matmul(false, false, T * rows, G, Fe, state, 0, w, kernelOff, state, oX, 0f);
            final boolean fast = resetAfter && ac == SequenceKernels.TANH && rc == SequenceKernels.SIGMOID;
            if (fast) {
                final long oH3 = oX + T * R * G, oA = oH3 + T * R * G, oH = oA + T * R * G;
                SequenceKernels.zero(state, oH, R * u);
                ForwardJob job = FORWARD.get();
                job.set(this, w, recurrentOff, b, state, out, rows, oX, oH3, oA, oH);
                try {
                    SequenceKernels.runRows(job, rows, SequenceKernels.parts(rows, w, state, out, null));
                } finally {
                    job.clear();
                }
                return;
            }
            if (resetAfter) {
                final long oH3 = oX + T * R * G, oA = oH3 + T * R * G, oH = oA + T * R * G;
                SequenceKernels.zero(state, oH, R * u);
                for (int s = 0; s < T; s++) {
                    long blk = s * R;
                    if (s > 0) {
                        DenseKernels.matmul(
                                false,
                                false,
                                rows,
                                G,
                                u,
                                state,
                                oH + blk * u,
                                w,
                                recurrentOff,
                                state,
                                oH3 + blk * G,
                                0f);
                    } else {
                        SequenceKernels.zero(state, oH3, R * G);
                    }
                    long outBase = returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                    long outStride = returnSequences ? (long) T * u : u;
                    stepAfter(
                            state,
                            oX + blk * G,
                            oH3 + blk * G,
                            oA + blk * G,
                            oH + blk * u,
                            oH + (blk + R) * u,
                            w,
                            b,
                            out,
                            outBase,
                            outStride,
                            rows,
                            u,
                            ac,
                            activation,
                            rc,
                            recurrentActivation);
                }
            } else {
                final long oA = oX + T * R * G, oRH = oA + T * R * G, oH = oRH + T * R * u;
                SequenceKernels.zero(state, oH, R * u);
                for (int s = 0; s < T; s++) {
                    long blk = s * R;
                    if (s > 0) {
                        SequenceKernels.gemm(
                                false,
                                false,
                                rows,
                                2 * u,
                                u,
                                state,
                                oH + blk * u,
                                u,
                                w,
                                recurrentOff,
                                G,
                                1f,
                                state,
                                oX + blk * G,
                                G);
                    }
                    gatesBefore(
                            state,
                            oX + blk * G,
                            oA + blk * G,
                            oH + blk * u,
                            oRH + blk * u,
                            w,
                            b,
                            rows,
                            u,
                            rc,
                            recurrentActivation);
                    if (s > 0) {
                        SequenceKernels.gemm(
                                false,
                                false,
                                rows,
                                u,
                                u,
                                state,
                                oRH + blk * u,
                                u,
                                w,
                                recurrentOff + 2 * u,
                                G,
                                1f,
                                state,
                                oX + blk * G + 2 * u,
                                G);
                    }
                    long outBase = returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                    long outStride = returnSequences ? (long) T * u : u;
                    candidateBefore(
                            state,
                            oX + blk * G,
                            oA + blk * G,
                            oH + blk * u,
                            oH + (blk + R) * u,
                            w,
                            b,
                            out,
                            outBase,
                            outStride,
                            rows,
                            u,
                            ac,
                            activation);
                }
            }
        }

        /**
         * Backward through time after {@link #forward}: OVERWRITES the kernel, recurrent-kernel and
         * bias gradients in {@code g}, writes {@code inGrad [rows, T, F]} unless NULL. {@code x} and
         * {@code outGrad} are not modified (x is not read).
         */
        public void backward(
                MemorySegment x,
                MemorySegment w,
                long kernelOff,
                long recurrentOff,
                long biasOff,
                MemorySegment state,
                MemorySegment scratch,
                MemorySegment outGrad,
                MemorySegment g,
                MemorySegment inGrad,
                int rows) {
            SequenceKernels.checkRows("GRU", rows);
            final int T = timesteps, Fe = features, u = units, G = 3 * u;
            final boolean wantIn = inGrad != null && !inGrad.equals(MemorySegment.NULL);
            SequenceKernels.require("GRU", "state", state, rows * statePerRow(), rows, statePerRow(), this);
            SequenceKernels.require("GRU", "scratch", scratch, rows * scratchPerRow(), rows, scratchPerRow(), this);
            SequenceKernels.require("GRU", "outGrad", outGrad, rows * outputPerRow(), rows, outputPerRow(), this);
            if (wantIn)
                SequenceKernels.require("GRU", "inGrad", inGrad, rows * inputPerRow(), rows, inputPerRow(), this);
            checkParams("w", w, kernelOff, recurrentOff, biasOff);
            checkParams("g", g, kernelOff, recurrentOff, biasOff);
            if (rows == 0) {
                SequenceKernels.zero(g, kernelOff, kernelSize());
                SequenceKernels.zero(g, recurrentOff, recurrentSize());
                if (useBias) SequenceKernels.zero(g, biasOff, biasSize());
                return;
            }
            final long R = rows, oX = T * R * Fe;
            final int ac = SequenceKernels.code(activation), rc = SequenceKernels.code(recurrentActivation);
            final long b = useBias ? biasOff : -1;
            final long oDG = 0; // dZ of the input side [T, R, 3u]
            final boolean fast = resetAfter && ac == SequenceKernels.TANH && rc == SequenceKernels.SIGMOID;
            BackwardJob job = null;
            if (resetAfter) {
                final long oH3 = oX + T * R * G, oA = oH3 + T * R * G, oH = oA + T * R * G;
                final long oDGH = T * R * G, oDH = oDGH + T * R * G, oDX = oDH + R * u;
                if (fast) {
                    job = BACKWARD.get();
                    job.set(this, w, recurrentOff, b, state, scratch, outGrad, rows, oH3, oA, oH, oDG, oDGH, oDH);
                    try {
                        SequenceKernels.runRows(
                                job, rows, job.parts(SequenceKernels.parts(rows, w, state, scratch, outGrad)));
                    } catch (RuntimeException | Error e) {
                        job.clear();
                        throw e;
                    }
                } else {
                    for (int s = T - 1; s >= 0; s--) {
                        long blk = s * R;
                        long ogBase = returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                        long ogStride = returnSequences ? (long) T * u : u;
                        backAfter(
                                state,
                                oX + blk * G,
                                oH3 + blk * G,
                                oA + blk * G,
                                oH + blk * u,
                                w,
                                b,
                                outGrad,
                                ogBase,
                                ogStride,
                                scratch,
                                oDG + blk * G,
                                oDGH + blk * G,
                                oDH,
                                s < T - 1,
                                rows,
                                u,
                                ac,
                                activation,
                                rc,
                                recurrentActivation);
                        if (s > 0)
                            DenseKernels.matmul(
                                    false,
                                    true,
                                    rows,
                                    u,
                                    G,
                                    scratch,
                                    oDGH + blk * G,
                                    w,
                                    recurrentOff,
                                    scratch,
                                    oDH,
                                    1f);
                    }
                }
                if (T > 1) {
                    DenseKernels.matmul(
                            true,
                            false,
                            u,
                            G,
                            (T - 1) * rows,
                            state,
                            oH + R * u,
                            scratch,
                            oDGH + R * G,
                            g,
                            recurrentOff,
                            0f);
                } else {
                    SequenceKernels.zero(g, recurrentOff, recurrentSize());
                }
                if (useBias && fast) {
                    job.biasGradient(g, biasOff, u);
                } else if (useBias) {
                    SequenceKernels.columnSums(scratch, oDG, T * R, G, G, g, biasOff);
                    SequenceKernels.columnSums(scratch, oDGH, T * R, G, G, g, biasOff + G);
                }
                finish(state, scratch, oDG, oDX, w, kernelOff, g, inGrad, wantIn, rows);
                if (job != null) job.clear();
            } else {
                final long oA = oX + T * R * G, oRH = oA + T * R * G, oH = oRH + T * R * u;
                final long oDH = T * R * G, oDRH = oDH + R * u, oDX = oDRH + R * u;
                for (int s = T - 1; s >= 0; s--) {
                    long blk = s * R;
                    long ogBase = returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                    long ogStride = returnSequences ? (long) T * u : u;
                    backBeforeA(
                            state,
                            oX + blk * G,
                            oA + blk * G,
                            oH + blk * u,
                            w,
                            b,
                            outGrad,
                            ogBase,
                            ogStride,
                            scratch,
                            oDG + blk * G,
                            oDH,
                            s < T - 1,
                            rows,
                            u,
                            ac,
                            activation,
                            rc,
                            recurrentActivation);
                    if (s > 0) {
                        // d(r⊙h) = dĥ·Uhᵀ, then dr and the r-path into dh; then dh += d[z|r]·U[:, z|r]ᵀ
                        SequenceKernels.gemm(
                                false,
                                true,
                                rows,
                                u,
                                u,
                                scratch,
                                oDG + blk * G + 2 * u,
                                G,
                                w,
                                recurrentOff + 2 * u,
                                G,
                                0f,
                                scratch,
                                oDRH,
                                u);
                        backBeforeB(
                                state,
                                oX + blk * G,
                                oA + blk * G,
                                oH + blk * u,
                                w,
                                b,
                                scratch,
                                oDG + blk * G,
                                oDH,
                                oDRH,
                                rows,
                                u,
                                rc,
                                recurrentActivation);
                        SequenceKernels.gemm(
                                false,
                                true,
                                rows,
                                u,
                                2 * u,
                                scratch,
                                oDG + blk * G,
                                G,
                                w,
                                recurrentOff,
                                G,
                                1f,
                                scratch,
                                oDH,
                                u);
                    } else {
                        zeroResetGradient(scratch, oDG + blk * G, rows, u); // h_{-1} = 0: r had no effect
                    }
                }
                if (T > 1) {
                    SequenceKernels.gemm(
                            true,
                            false,
                            u,
                            2 * u,
                            (T - 1) * rows,
                            state,
                            oH + R * u,
                            u,
                            scratch,
                            oDG + R * G,
                            G,
                            0f,
                            g,
                            recurrentOff,
                            G);
                    SequenceKernels.gemm(
                            true,
                            false,
                            u,
                            u,
                            (T - 1) * rows,
                            state,
                            oRH + R * u,
                            u,
                            scratch,
                            oDG + R * G + 2 * u,
                            G,
                            0f,
                            g,
                            recurrentOff + 2 * u,
                            G);
                } else {
                    SequenceKernels.zero(g, recurrentOff, recurrentSize());
                }
                if (useBias) SequenceKernels.columnSums(scratch, oDG, T * R, G, G, g, biasOff);
                finish(state, scratch, oDG, oDX, w, kernelOff, g, inGrad, wantIn, rows);
            }
        }

        /** dW = Xᵀ·dZ and dX = dZ·Wᵀ over all steps. */
        private void finish(
                MemorySegment state,
                MemorySegment scratch,
                long oDG,
                long oDX,
                MemorySegment w,
                long kernelOff,
                MemorySegment g,
                MemorySegment inGrad,
                boolean wantIn,
                int rows) {
            int G = 3 * units;
            DenseKernels.matmul(true, false, features, G, timesteps * rows, state, 0, scratch, oDG, g, kernelOff, 0f);
            if (wantIn) {
                DenseKernels.matmul(
                        false, true, timesteps * rows, features, G, scratch, oDG, w, kernelOff, scratch, oDX, 0f);
                SequenceKernels.fromStepMajor(scratch, oDX, inGrad, rows, timesteps, features, goBackwards);
            }
        }
    }

    // resetAfter with TANH/SIGMOID (Keras' default): planar per-thread heap arrays, same-index loops C2 vectorises.
    // Gates z, r and the candidate are stored planar ([3, rows, u] per step) on this path.
    private static final int XZ = 0,
            XR = 1,
            XH = 2,
            HZ = 3,
            HR = 4,
            HN = 5,
            BZ = 6,
            BR = 7,
            BXH = 8,
            BHN = 9,
            HP = 10,
            HO = 11,
            D = 12,
            OG = 13,
            DAZ = 14,
            DAR = 15,
            DAH = 16,
            DAHR = 17,
            SZ = 18,
            SR = 19,
            SH = 20,
            SHR = 21;

    // The fast path's through-time loops on row ranges (see SequenceKernels.runRows and LstmKernels):
    // one object per calling thread; each range of rows runs every step alone.

    private static final ThreadLocal<ForwardJob> FORWARD = ThreadLocal.withInitial(ForwardJob::new);
    private static final ThreadLocal<BackwardJob> BACKWARD = ThreadLocal.withInitial(BackwardJob::new);

    /** Forward steps of a range of rows: {@code H3_s = h_{s−1}·U} (zeros at s = 0), then the fused gate pass. */
    private static final class ForwardJob extends SequenceKernels.RowJob {
        private Spec spec;
        private MemorySegment w, state, out;
        private long recurrentOff, bias, oX, oH3, oA, oH;
        private int rows;

        void set(
                Spec spec,
                MemorySegment w,
                long recurrentOff,
                long bias,
                MemorySegment state,
                MemorySegment out,
                int rows,
                long oX,
                long oH3,
                long oA,
                long oH) {
            this.spec = spec;
            this.w = w;
            this.recurrentOff = recurrentOff;
            this.bias = bias;
            this.state = state;
            this.out = out;
            this.rows = rows;
            this.oX = oX;
            this.oH3 = oH3;
            this.oA = oA;
            this.oH = oH;
        }

        void clear() {
            spec = null;
            w = state = out = null;
        }

        @Override
        void part(int index, int r0, int r1) {
            final Spec sp = spec;
            final int T = sp.timesteps, u = sp.units, G = 3 * u, nr = r1 - r0;
            final long R = rows;
            SequenceKernels.Work k = SequenceKernels.work();
            biasBroadcasts(k, w, bias, nr, u);
            for (int s = 0; s < T; s++) {
                long blk = s * R + r0;
                if (s > 0) {
                    DenseKernels.matmul(
                            false, false, nr, G, u, state, oH + blk * u, w, recurrentOff, state, oH3 + blk * G, 0f);
                } else {
                    SequenceKernels.zero(state, oH3 + (long) r0 * G, (long) nr * G);
                }
                long outBase = sp.returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                long outStride = sp.returnSequences ? (long) T * u : u;
                stepAfterFast(
                        state,
                        oX + blk * G,
                        oH3 + blk * G,
                        oA + s * R * G + (long) r0 * u,
                        R * u,
                        oH + blk * u,
                        oH + (blk + R) * u,
                        out,
                        outBase < 0 ? -1 : outBase + r0 * outStride,
                        outStride,
                        nr,
                        u,
                        k);
            }
        }
    }

    /**
     * Backward steps of a range of rows: the gate gradients of both sides, then
     * {@code dh_{s−1} += dZh_s·Uᵀ}; the range's bias-gradient sums are kept per part.
     */
    private static final class BackwardJob extends SequenceKernels.RowJob {
        private Spec spec;
        private MemorySegment w, state, scratch, outGrad;
        private long recurrentOff, bias, oH3, oA, oH, oDG, oDGH, oDH;
        private int rows, parts;
        /** Which of the four sums feeds each u-slice of the bias gradient. */
        private static final int[] BIAS_SOURCE = {0, 1, 2, 0, 1, 3};
        /** Per part: sums over its rows and all steps of dz, dr, dĥ and the recurrent dĥ, {@code [4u]}. */
        private float[][] biasSums = new float[0][];

        void set(
                Spec spec,
                MemorySegment w,
                long recurrentOff,
                long bias,
                MemorySegment state,
                MemorySegment scratch,
                MemorySegment outGrad,
                int rows,
                long oH3,
                long oA,
                long oH,
                long oDG,
                long oDGH,
                long oDH) {
            this.spec = spec;
            this.w = w;
            this.recurrentOff = recurrentOff;
            this.bias = bias;
            this.state = state;
            this.scratch = scratch;
            this.outGrad = outGrad;
            this.rows = rows;
            this.oH3 = oH3;
            this.oA = oA;
            this.oH = oH;
            this.oDG = oDG;
            this.oDGH = oDGH;
            this.oDH = oDH;
        }

        int parts(int parts) {
            int size = 4 * spec.units;
            if (biasSums.length < parts) biasSums = java.util.Arrays.copyOf(biasSums, parts);
            for (int p = 0; p < parts; p++) {
                if (biasSums[p] == null || biasSums[p].length < size) biasSums[p] = new float[size];
            }
            this.parts = parts;
            return parts;
        }

        void clear() {
            spec = null;
            w = state = scratch = outGrad = null;
        }

        /** The bias gradient [2, 3u]: input side (dz, dr, dĥ), recurrent side (dz, dr, recurrent dĥ); overwrites. */
        void biasGradient(MemorySegment g, long biasOff, int u) {
            for (int slice = 0; slice < 6; slice++) {
                int from = BIAS_SOURCE[slice] * u;
                for (int j = 0; j < u; j++) {
                    float sum = 0f;
                    for (int p = 0; p < parts; p++) sum += biasSums[p][from + j];
                    g.setAtIndex(F, biasOff + (long) slice * u + j, sum);
                }
            }
        }

        @Override
        void part(int index, int r0, int r1) {
            final Spec sp = spec;
            final int T = sp.timesteps, u = sp.units, G = 3 * u, nr = r1 - r0, n = nr * u;
            final long R = rows;
            SequenceKernels.Work k = SequenceKernels.work();
            biasBroadcasts(k, w, bias, nr, u); // b'h is needed again
            for (int a = SZ; a <= SHR; a++) java.util.Arrays.fill(k.get(a, n), 0, n, 0f);
            for (int s = T - 1; s >= 0; s--) {
                long blk = s * R + r0;
                long ogBase = sp.returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                long ogStride = sp.returnSequences ? (long) T * u : u;
                backAfterFast(
                        state,
                        oH3 + blk * G,
                        oA + s * R * G + (long) r0 * u,
                        R * u,
                        oH + blk * u,
                        outGrad,
                        ogBase < 0 ? -1 : ogBase + r0 * ogStride,
                        ogStride,
                        scratch,
                        oDG + blk * G,
                        oDGH + blk * G,
                        oDH + (long) r0 * u,
                        s < T - 1,
                        nr,
                        u,
                        k);
                if (s > 0) {
                    DenseKernels.matmul(
                            false,
                            true,
                            nr,
                            u,
                            G,
                            scratch,
                            oDGH + blk * G,
                            w,
                            recurrentOff,
                            scratch,
                            oDH + (long) r0 * u,
                            1f);
                }
            }
            if (sp.useBias) {
                for (int q = 0; q < 4; q++) SequenceKernels.rowSums(k.get(SZ + q, n), nr, u, biasSums[index], q * u);
            }
        }
    }

    /** Planar broadcasts of bz + b'z, br + b'r, bh and b'h (zeros without bias). */
    private static void biasBroadcasts(SequenceKernels.Work k, MemorySegment w, long b, int rows, int u) {
        final int n = rows * u, G = 3 * u;
        float[] bz = k.get(BZ, n), br = k.get(BR, n), bxh = k.get(BXH, n), bhn = k.get(BHN, n), tmp = k.get(HO, n);
        if (b < 0) {
            java.util.Arrays.fill(bz, 0, n, 0f);
            java.util.Arrays.fill(br, 0, n, 0f);
            java.util.Arrays.fill(bxh, 0, n, 0f);
            java.util.Arrays.fill(bhn, 0, n, 0f);
            return;
        }
        SequenceKernels.broadcast(w, b, bz, rows, u);
        SequenceKernels.broadcast(w, b + G, tmp, rows, u);
        SequenceKernels.addInPlace(bz, tmp, n);
        SequenceKernels.broadcast(w, b + u, br, rows, u);
        SequenceKernels.broadcast(w, b + G + u, tmp, rows, u);
        SequenceKernels.addInPlace(br, tmp, n);
        SequenceKernels.broadcast(w, b + 2L * u, bxh, rows, u);
        SequenceKernels.broadcast(w, b + G + 2L * u, bhn, rows, u);
    }

    private static void gather(MemorySegment st, long at, int rows, int u, int gate, float[] a) {
        final int G = 3 * u;
        for (int r = 0; r < rows; r++) SequenceKernels.load(st, at + (long) r * G + (long) gate * u, a, r * u, u);
    }

    private static void scatter(float[] a, MemorySegment sc, long at, int rows, int u, int gate) {
        final int G = 3 * u;
        for (int r = 0; r < rows; r++) SequenceKernels.store(a, r * u, sc, at + (long) r * G + (long) gate * u, u);
    }

    private static void stepAfterFast(
            MemorySegment st,
            long zx,
            long zh,
            long a,
            long gateStride,
            long hp,
            long h,
            MemorySegment out,
            long outBase,
            long outStride,
            int rows,
            int u,
            SequenceKernels.Work k) {
        final int n = rows * u;
        float[] xz = k.get(XZ, n),
                xr = k.get(XR, n),
                xh = k.get(XH, n),
                hz = k.get(HZ, n),
                hr = k.get(HR, n),
                hn = k.get(HN, n);
        float[] hpv = k.get(HP, n), ho = k.get(HO, n);
        gather(st, zx, rows, u, 0, xz);
        gather(st, zx, rows, u, 1, xr);
        gather(st, zx, rows, u, 2, xh);
        gather(st, zh, rows, u, 0, hz);
        gather(st, zh, rows, u, 1, hr);
        gather(st, zh, rows, u, 2, hn);
        SequenceKernels.load(st, hp, hpv, 0, n);
        sumSigmoid(xz, hz, k.get(BZ, n), n);
        sumSigmoid(xr, hr, k.get(BR, n), n);
        candidate(xh, k.get(BXH, n), hn, k.get(BHN, n), xr, n);
        mix(xz, hpv, xh, ho, n);
        SequenceKernels.store(xz, 0, st, a, n);
        SequenceKernels.store(xr, 0, st, a + gateStride, n);
        SequenceKernels.store(xh, 0, st, a + 2 * gateStride, n);
        SequenceKernels.store(ho, 0, st, h, n);
        if (outBase >= 0) {
            if (outStride == u) {
                SequenceKernels.store(ho, 0, out, outBase, n);
            } else {
                for (int r = 0; r < rows; r++) SequenceKernels.store(ho, r * u, out, outBase + r * outStride, u);
            }
        }
    }

    /** {@code x = sigmoid(x + h + b)}. */
    private static void sumSigmoid(float[] x, float[] h, float[] b, int n) {
        for (int q = 0; q < n; q++) x[q] = SequenceKernels.sigmoidF(x[q] + h[q] + b[q]);
    }

    /** {@code hn += b'h}; {@code xh = tanh(xh + bh + r⊙hn)}. */
    private static void candidate(float[] xh, float[] bx, float[] hn, float[] bh, float[] r, int n) {
        for (int q = 0; q < n; q++) {
            float v = hn[q] + bh[q];
            hn[q] = v;
            xh[q] = SequenceKernels.tanhF(xh[q] + bx[q] + r[q] * v);
        }
    }

    /** {@code h = z⊙hp + (1 − z)⊙ĥ}. */
    private static void mix(float[] z, float[] hp, float[] hh, float[] h, int n) {
        for (int q = 0; q < n; q++) h[q] = z[q] * hp[q] + (1f - z[q]) * hh[q];
    }

    private static void backAfterFast(
            MemorySegment st,
            long zh,
            long a,
            long gateStride,
            long hp,
            MemorySegment og,
            long ogBase,
            long ogStride,
            MemorySegment sc,
            long dgx,
            long dgh,
            long dh,
            boolean hasRec,
            int rows,
            int u,
            SequenceKernels.Work k) {
        final int n = rows * u;
        float[] z = k.get(XZ, n), r = k.get(XR, n), hh = k.get(XH, n), hn = k.get(HN, n), hpv = k.get(HP, n);
        float[] d = k.get(D, n),
                o = k.get(OG, n),
                daz = k.get(DAZ, n),
                dar = k.get(DAR, n),
                dah = k.get(DAH, n),
                dahr = k.get(DAHR, n);
        if (hasRec) {
            SequenceKernels.load(sc, dh, d, 0, n);
        } else {
            java.util.Arrays.fill(d, 0, n, 0f);
        }
        if (ogBase >= 0) {
            if (ogStride == u) {
                SequenceKernels.load(og, ogBase, o, 0, n);
            } else {
                for (int i = 0; i < rows; i++) SequenceKernels.load(og, ogBase + i * ogStride, o, i * u, u);
            }
            SequenceKernels.addInPlace(d, o, n);
        }
        SequenceKernels.load(st, a, z, 0, n);
        SequenceKernels.load(st, a + gateStride, r, 0, n);
        SequenceKernels.load(st, a + 2 * gateStride, hh, 0, n);
        SequenceKernels.load(st, hp, hpv, 0, n);
        gather(st, zh, rows, u, 2, hn);
        SequenceKernels.addInPlace(hn, k.get(BHN, n), n);
        updateGradients(d, z, hh, hpv, daz, dah, n);
        resetGradients(dah, hn, r, dar, dahr, n);
        SequenceKernels.addInPlace(k.get(SZ, n), daz, n);
        SequenceKernels.addInPlace(k.get(SR, n), dar, n);
        SequenceKernels.addInPlace(k.get(SH, n), dah, n);
        SequenceKernels.addInPlace(k.get(SHR, n), dahr, n);
        scatter(daz, sc, dgx, rows, u, 0);
        scatter(dar, sc, dgx, rows, u, 1);
        scatter(dah, sc, dgx, rows, u, 2);
        scatter(daz, sc, dgh, rows, u, 0);
        scatter(dar, sc, dgh, rows, u, 1);
        scatter(dahr, sc, dgh, rows, u, 2);
        SequenceKernels.store(d, 0, sc, dh, n);
    }

    /** {@code dz = d⊙(hp − ĥ)⊙z(1 − z)}, {@code dĥ = d⊙(1 − z)⊙(1 − ĥ²)}, then {@code d = d⊙z} (the direct path into h_{s−1}). */
    private static void updateGradients(float[] d, float[] z, float[] hh, float[] hp, float[] daz, float[] dah, int n) {
        for (int q = 0; q < n; q++) {
            float dv = d[q], zv = z[q], hv = hh[q];
            daz[q] = dv * (hp[q] - hv) * zv * (1f - zv);
            dah[q] = dv * (1f - zv) * (1f - hv * hv);
            d[q] = dv * zv;
        }
    }

    /** {@code dr = dĥ⊙hn⊙r(1 − r)}, and the candidate's gradient on the recurrent side {@code dĥ⊙r}. */
    private static void resetGradients(float[] dah, float[] hn, float[] r, float[] dar, float[] dahr, int n) {
        for (int q = 0; q < n; q++) {
            float rv = r[q], v = dah[q];
            dar[q] = v * hn[q] * rv * (1f - rv);
            dahr[q] = v * rv;
        }
    }

    private static float bias(MemorySegment w, long b, long k) {
        return b >= 0 ? w.getAtIndex(F, b + k) : 0f;
    }

    /** resetAfter forward pass of one step: gates, candidate, state and output. */
    private static void stepAfter(
            MemorySegment st,
            long zx,
            long zh,
            long a,
            long hp,
            long h,
            MemorySegment w,
            long b,
            MemorySegment out,
            long outBase,
            long outStride,
            int rows,
            int u,
            int ac,
            ActivationType act,
            int rc,
            ActivationType rec) {
        final int G = 3 * u;
        final long b2 = b >= 0 ? b + G : -1;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, hr3 = zh + (long) r * G, ar = a + (long) r * G;
            long pr = hp + (long) r * u, hr = h + (long) r * u, or = outBase + r * outStride;
            for (int j = 0; j < u; j++) {
                float z = SequenceKernels.act(
                        rc, rec, st.getAtIndex(F, xr + j) + bias(w, b, j) + st.getAtIndex(F, hr3 + j) + bias(w, b2, j));
                float rg = SequenceKernels.act(
                        rc,
                        rec,
                        st.getAtIndex(F, xr + u + j)
                                + bias(w, b, u + j)
                                + st.getAtIndex(F, hr3 + u + j)
                                + bias(w, b2, u + j));
                float hn = st.getAtIndex(F, hr3 + 2 * u + j) + bias(w, b2, 2 * u + j);
                float hh = SequenceKernels.act(
                        ac, act, st.getAtIndex(F, xr + 2 * u + j) + bias(w, b, 2 * u + j) + rg * hn);
                float hv = z * st.getAtIndex(F, pr + j) + (1f - z) * hh;
                st.setAtIndex(F, ar + j, z);
                st.setAtIndex(F, ar + u + j, rg);
                st.setAtIndex(F, ar + 2 * u + j, hh);
                st.setAtIndex(F, hr + j, hv);
                if (outBase >= 0) out.setAtIndex(F, or + j, hv);
            }
        }
    }

    /** resetAfter backward pass of one step: dZ of both sides; dh ← d·z (the recurrent product is added after). */
    private static void backAfter(
            MemorySegment st,
            long zx,
            long zh,
            long a,
            long hp,
            MemorySegment w,
            long b,
            MemorySegment og,
            long ogBase,
            long ogStride,
            MemorySegment sc,
            long dgx,
            long dgh,
            long dh,
            boolean hasRec,
            int rows,
            int u,
            int ac,
            ActivationType act,
            int rc,
            ActivationType rec) {
        final int G = 3 * u;
        final long b2 = b >= 0 ? b + G : -1;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, hr3 = zh + (long) r * G, ar = a + (long) r * G, pr = hp + (long) r * u;
            long gr = ogBase + r * ogStride,
                    dxr = dgx + (long) r * G,
                    dhr3 = dgh + (long) r * G,
                    dhr = dh + (long) r * u;
            for (int j = 0; j < u; j++) {
                float d = (ogBase >= 0 ? og.getAtIndex(F, gr + j) : 0f) + (hasRec ? sc.getAtIndex(F, dhr + j) : 0f);
                float z = st.getAtIndex(F, ar + j),
                        rg = st.getAtIndex(F, ar + u + j),
                        hh = st.getAtIndex(F, ar + 2 * u + j);
                float hprev = st.getAtIndex(F, pr + j);
                float hn = st.getAtIndex(F, hr3 + 2 * u + j) + bias(w, b2, 2 * u + j);
                float dah = d
                        * (1f - z)
                        * (ac == GENERIC
                                ? deriv(act, st.getAtIndex(F, xr + 2 * u + j) + bias(w, b, 2 * u + j) + rg * hn)
                                : SequenceKernels.deriv(ac, act, 0f, hh));
                float daz = d
                        * (hprev - hh)
                        * (rc == GENERIC
                                ? deriv(
                                        rec,
                                        st.getAtIndex(F, xr + j)
                                                + bias(w, b, j)
                                                + st.getAtIndex(F, hr3 + j)
                                                + bias(w, b2, j))
                                : SequenceKernels.deriv(rc, rec, 0f, z));
                float dar = dah
                        * hn
                        * (rc == GENERIC
                                ? deriv(
                                        rec,
                                        st.getAtIndex(F, xr + u + j)
                                                + bias(w, b, u + j)
                                                + st.getAtIndex(F, hr3 + u + j)
                                                + bias(w, b2, u + j))
                                : SequenceKernels.deriv(rc, rec, 0f, rg));
                sc.setAtIndex(F, dxr + j, daz);
                sc.setAtIndex(F, dxr + u + j, dar);
                sc.setAtIndex(F, dxr + 2 * u + j, dah);
                sc.setAtIndex(F, dhr3 + j, daz);
                sc.setAtIndex(F, dhr3 + u + j, dar);
                sc.setAtIndex(F, dhr3 + 2 * u + j, dah * rg);
                sc.setAtIndex(F, dhr + j, d * z);
            }
        }
    }

    private static float deriv(ActivationType t, float z) {
        return (float) Activations.derivative(t, Double.NaN, z);
    }

    /** resetAfter=false, forward: z and r of one step (their recurrent parts already added), and r ⊙ h. */
    private static void gatesBefore(
            MemorySegment st,
            long zx,
            long a,
            long hp,
            long rh,
            MemorySegment w,
            long b,
            int rows,
            int u,
            int rc,
            ActivationType rec) {
        final int G = 3 * u;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, ar = a + (long) r * G, pr = hp + (long) r * u, rr = rh + (long) r * u;
            for (int j = 0; j < u; j++) {
                float z = SequenceKernels.act(rc, rec, st.getAtIndex(F, xr + j) + bias(w, b, j));
                float rg = SequenceKernels.act(rc, rec, st.getAtIndex(F, xr + u + j) + bias(w, b, u + j));
                st.setAtIndex(F, ar + j, z);
                st.setAtIndex(F, ar + u + j, rg);
                st.setAtIndex(F, rr + j, rg * st.getAtIndex(F, pr + j));
            }
        }
    }

    /** resetAfter=false, forward: the candidate (its recurrent part already added), the state and the output. */
    private static void candidateBefore(
            MemorySegment st,
            long zx,
            long a,
            long hp,
            long h,
            MemorySegment w,
            long b,
            MemorySegment out,
            long outBase,
            long outStride,
            int rows,
            int u,
            int ac,
            ActivationType act) {
        final int G = 3 * u;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, ar = a + (long) r * G, pr = hp + (long) r * u, hr = h + (long) r * u;
            long or = outBase + r * outStride;
            for (int j = 0; j < u; j++) {
                float hh = SequenceKernels.act(ac, act, st.getAtIndex(F, xr + 2 * u + j) + bias(w, b, 2 * u + j));
                float z = st.getAtIndex(F, ar + j);
                float hv = z * st.getAtIndex(F, pr + j) + (1f - z) * hh;
                st.setAtIndex(F, ar + 2 * u + j, hh);
                st.setAtIndex(F, hr + j, hv);
                if (outBase >= 0) out.setAtIndex(F, or + j, hv);
            }
        }
    }

    /** resetAfter=false, backward part A: dz and dĥ into dZ; dh ← d·z. */
    private static void backBeforeA(
            MemorySegment st,
            long zx,
            long a,
            long hp,
            MemorySegment w,
            long b,
            MemorySegment og,
            long ogBase,
            long ogStride,
            MemorySegment sc,
            long dg,
            long dh,
            boolean hasRec,
            int rows,
            int u,
            int ac,
            ActivationType act,
            int rc,
            ActivationType rec) {
        final int G = 3 * u;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, ar = a + (long) r * G, pr = hp + (long) r * u;
            long gr = ogBase + r * ogStride, dgr = dg + (long) r * G, dhr = dh + (long) r * u;
            for (int j = 0; j < u; j++) {
                float d = (ogBase >= 0 ? og.getAtIndex(F, gr + j) : 0f) + (hasRec ? sc.getAtIndex(F, dhr + j) : 0f);
                float z = st.getAtIndex(F, ar + j), hh = st.getAtIndex(F, ar + 2 * u + j);
                float hprev = st.getAtIndex(F, pr + j);
                float dah = d
                        * (1f - z)
                        * (ac == GENERIC
                                ? deriv(act, st.getAtIndex(F, xr + 2 * u + j) + bias(w, b, 2 * u + j))
                                : SequenceKernels.deriv(ac, act, 0f, hh));
                float daz = d
                        * (hprev - hh)
                        * (rc == GENERIC
                                ? deriv(rec, st.getAtIndex(F, xr + j) + bias(w, b, j))
                                : SequenceKernels.deriv(rc, rec, 0f, z));
                sc.setAtIndex(F, dgr + j, daz);
                sc.setAtIndex(F, dgr + 2 * u + j, dah);
                sc.setAtIndex(F, dhr + j, d * z);
            }
        }
    }

    /** resetAfter=false, backward part B: given d(r⊙h), dr into dZ and the r-path into dh. */
    private static void backBeforeB(
            MemorySegment st,
            long zx,
            long a,
            long hp,
            MemorySegment w,
            long b,
            MemorySegment sc,
            long dg,
            long dh,
            long drh,
            int rows,
            int u,
            int rc,
            ActivationType rec) {
        final int G = 3 * u;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, ar = a + (long) r * G, pr = hp + (long) r * u;
            long dgr = dg + (long) r * G, dhr = dh + (long) r * u, drr = drh + (long) r * u;
            for (int j = 0; j < u; j++) {
                float rg = st.getAtIndex(F, ar + u + j), hprev = st.getAtIndex(F, pr + j);
                float e = sc.getAtIndex(F, drr + j);
                float dar = e
                        * hprev
                        * (rc == GENERIC
                                ? deriv(rec, st.getAtIndex(F, xr + u + j) + bias(w, b, u + j))
                                : SequenceKernels.deriv(rc, rec, 0f, rg));
                sc.setAtIndex(F, dgr + u + j, dar);
                sc.setAtIndex(F, dhr + j, sc.getAtIndex(F, dhr + j) + e * rg);
            }
        }
    }

    private static void zeroResetGradient(MemorySegment sc, long dg, int rows, int u) {
        final int G = 3 * u;
        for (int r = 0; r < rows; r++) SequenceKernels.zero(sc, dg + (long) r * G + u, u);
    }
}
