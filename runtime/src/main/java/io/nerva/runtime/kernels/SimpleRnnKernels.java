package io.nerva.runtime.kernels;

import static io.nerva.runtime.kernels.SequenceKernels.F;

import io.nerva.annotations.ActivationType;
import java.lang.foreign.MemorySegment;

/**
 * Forward and backward through time of Keras' {@code SimpleRNN}, batch-first: per processing step
 * {@code s} (time {@code s}, or {@code T−1−s} with goBackwards)
 * {@code h_s = act(x_t·W + h_{s−1}·U + b)}, {@code h_{−1} = 0}; parameters {@code kernel [F, u]},
 * {@code recurrent_kernel [u, u]}, {@code bias [u]} (offset −1 without bias) at float offsets of
 * {@code w}, gradients at the same offsets of {@code g}. Output {@code [rows, u]} (the last
 * processed state) or {@code [rows, T, u]} with returnSequences (in processing order, as Keras).
 * The structure is {@link LstmKernels}' with one gate: one sgemm for the input projection of all
 * steps, per step one sgemm and one fused pass; backward one pass and one sgemm per step, then one
 * sgemm each for dW, dU and dX.
 */
public final class SimpleRnnKernels {
    private SimpleRnnKernels() {}

    /**
     * The constants of one SimpleRNN layer (holds no buffers). {@code state}
     * ({@link #statePerRow()} per row), step-major: x ({@code T·F}), the pre-activations without
     * bias ({@code T·u}), h with a leading zero block ({@code (T+1)·u}). {@code scratch}
     * ({@link #scratchPerRow()}): dZ ({@code T·u}), dh ({@code u}), dX ({@code T·F}).
     */
    public record Spec(
            int timesteps,
            int features,
            int units,
            boolean useBias,
            boolean returnSequences,
            boolean goBackwards,
            ActivationType activation) {
        public Spec {
            SequenceKernels.checkDims("SimpleRNN", timesteps, features, units);
            SequenceKernels.checkActivation("SimpleRNN activation", activation);
        }

        /** {@code T·(F + 2u) + u} floats of {@code state} per batch row. */
        public long statePerRow() {
            return (long) timesteps * (features + 2L * units) + units;
        }

        /** {@code T·(F + u) + u} floats of {@code scratch} per batch row. */
        public long scratchPerRow() {
            return (long) timesteps * (features + (long) units) + units;
        }

        /** {@code T·F}. */
        public long inputPerRow() {
            return (long) timesteps * features;
        }

        /** {@code T·u} with returnSequences, else {@code u}. */
        public long outputPerRow() {
            return returnSequences ? (long) timesteps * units : units;
        }

        public long kernelSize() {
            return (long) features * units;
        }

        public long recurrentSize() {
            return (long) units * units;
        }

        /** {@code u}, or 0 without bias. */
        public long biasSize() {
            return useBias ? units : 0;
        }

        private void checkParams(String buffer, MemorySegment w, long kernelOff, long recurrentOff, long biasOff) {
            SequenceKernels.requireParams(
                    "SimpleRNN",
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
            SequenceKernels.checkRows("SimpleRNN", rows);
            final int T = timesteps, Fe = features, u = units;
            SequenceKernels.require("SimpleRNN", "x", x, rows * inputPerRow(), rows, inputPerRow(), this);
            SequenceKernels.require("SimpleRNN", "state", state, rows * statePerRow(), rows, statePerRow(), this);
            SequenceKernels.require("SimpleRNN", "out", out, rows * outputPerRow(), rows, outputPerRow(), this);
            checkParams("w", w, kernelOff, recurrentOff, biasOff);
            if (rows == 0) return;
            final long R = rows, oZ = T * R * Fe, oH = oZ + T * R * u;
            final int ac = SequenceKernels.code(activation);
            final long b = useBias ? biasOff : -1;

            final boolean fast = ac == SequenceKernels.TANH;
            SequenceKernels.toStepMajor(x, state, 0, rows, T, Fe, goBackwards);
            DenseKernels.matmul(false, false, T * rows, u, Fe, state, 0, w, kernelOff, state, oZ, 0f);
            SequenceKernels.zero(state, oH, R * u);
            if (fast) {
                ForwardJob job = FORWARD.get();
                job.set(this, w, recurrentOff, b, state, out, rows, oZ, oH);
                try {
                    SequenceKernels.runRows(job, rows, SequenceKernels.parts(rows, w, state, out, null));
                } finally {
                    job.clear();
                }
                return;
            }
            for (int s = 0; s < T; s++) {
                long blk = s * R;
                if (s > 0)
                    DenseKernels.matmul(
                            false, false, rows, u, u, state, oH + blk * u, w, recurrentOff, state, oZ + blk * u, 1f);
                long outBase = returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                long outStride = returnSequences ? (long) T * u : u;
                forwardStep(
                        state,
                        oZ + blk * u,
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
            SequenceKernels.checkRows("SimpleRNN", rows);
            final int T = timesteps, Fe = features, u = units;
            final boolean wantIn = inGrad != null && !inGrad.equals(MemorySegment.NULL);
            SequenceKernels.require("SimpleRNN", "state", state, rows * statePerRow(), rows, statePerRow(), this);
            SequenceKernels.require(
                    "SimpleRNN", "scratch", scratch, rows * scratchPerRow(), rows, scratchPerRow(), this);
            SequenceKernels.require("SimpleRNN", "outGrad", outGrad, rows * outputPerRow(), rows, outputPerRow(), this);
            if (wantIn)
                SequenceKernels.require("SimpleRNN", "inGrad", inGrad, rows * inputPerRow(), rows, inputPerRow(), this);
            checkParams("w", w, kernelOff, recurrentOff, biasOff);
            checkParams("g", g, kernelOff, recurrentOff, biasOff);
            if (rows == 0) {
                SequenceKernels.zero(g, kernelOff, kernelSize());
                SequenceKernels.zero(g, recurrentOff, recurrentSize());
                if (useBias) SequenceKernels.zero(g, biasOff, biasSize());
                return;
            }
            final long R = rows, oZ = T * R * Fe, oH = oZ + T * R * u;
            final long oDZ = 0, oDH = T * R * u, oDX = oDH + R * u;
            final int ac = SequenceKernels.code(activation);
            final long b = useBias ? biasOff : -1;

            final boolean fast = ac == SequenceKernels.TANH;
            BackwardJob job = null;
            if (fast) {
                job = BACKWARD.get();
                job.set(this, w, recurrentOff, state, scratch, outGrad, rows, oH, oDZ, oDH);
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
                    backwardStep(
                            state,
                            oZ + blk * u,
                            oH + (blk + R) * u,
                            w,
                            b,
                            outGrad,
                            ogBase,
                            ogStride,
                            scratch,
                            oDZ + blk * u,
                            oDH,
                            s < T - 1,
                            rows,
                            u,
                            ac,
                            activation);
                    if (s > 0)
                        DenseKernels.matmul(
                                false, true, rows, u, u, scratch, oDZ + blk * u, w, recurrentOff, scratch, oDH, 0f);
                }
            }
            DenseKernels.matmul(true, false, Fe, u, T * rows, state, 0, scratch, oDZ, g, kernelOff, 0f);
            if (T > 1) {
                DenseKernels.matmul(
                        true,
                        false,
                        u,
                        u,
                        (T - 1) * rows,
                        state,
                        oH + R * u,
                        scratch,
                        oDZ + R * u,
                        g,
                        recurrentOff,
                        0f);
            } else {
                SequenceKernels.zero(g, recurrentOff, recurrentSize());
            }
            if (useBias && fast) {
                job.biasGradient(g, biasOff, u);
            } else if (useBias) {
                SequenceKernels.columnSums(scratch, oDZ, T * R, u, u, g, biasOff);
            }
            if (wantIn) {
                DenseKernels.matmul(false, true, T * rows, Fe, u, scratch, oDZ, w, kernelOff, scratch, oDX, 0f);
                SequenceKernels.fromStepMajor(scratch, oDX, inGrad, rows, T, Fe, goBackwards);
            }
            if (job != null) job.clear();
        }
    }

    // The TANH path's through-time loops on row ranges (see SequenceKernels.runRows and LstmKernels).

    private static final ThreadLocal<ForwardJob> FORWARD = ThreadLocal.withInitial(ForwardJob::new);
    private static final ThreadLocal<BackwardJob> BACKWARD = ThreadLocal.withInitial(BackwardJob::new);

    /** Forward steps of a range of rows: {@code Z_s += h_{s−1}·U}, then bias and tanh. */
    private static final class ForwardJob extends SequenceKernels.RowJob {
        private Spec spec;
        private MemorySegment w, state, out;
        private long recurrentOff, bias, oZ, oH;
        private int rows;

        void set(
                Spec spec,
                MemorySegment w,
                long recurrentOff,
                long bias,
                MemorySegment state,
                MemorySegment out,
                int rows,
                long oZ,
                long oH) {
            this.spec = spec;
            this.w = w;
            this.recurrentOff = recurrentOff;
            this.bias = bias;
            this.state = state;
            this.out = out;
            this.rows = rows;
            this.oZ = oZ;
            this.oH = oH;
        }

        void clear() {
            spec = null;
            w = state = out = null;
        }

        @Override
        void part(int index, int r0, int r1) {
            final Spec sp = spec;
            final int T = sp.timesteps, u = sp.units, nr = r1 - r0, n = nr * u;
            final long R = rows;
            SequenceKernels.Work k = SequenceKernels.work();
            if (bias >= 0) {
                SequenceKernels.broadcast(w, bias, k.get(BIAS, n), nr, u);
            } else {
                java.util.Arrays.fill(k.get(BIAS, n), 0, n, 0f);
            }
            for (int s = 0; s < T; s++) {
                long blk = s * R + r0;
                if (s > 0)
                    DenseKernels.matmul(
                            false, false, nr, u, u, state, oH + blk * u, w, recurrentOff, state, oZ + blk * u, 1f);
                long outBase = sp.returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                long outStride = sp.returnSequences ? (long) T * u : u;
                forwardTanh(
                        state,
                        oZ + blk * u,
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

    /** Backward steps of a range of rows: {@code dZ_s}, then {@code dh_{s−1} = dZ_s·Uᵀ}; bias sums kept per part. */
    private static final class BackwardJob extends SequenceKernels.RowJob {
        private Spec spec;
        private MemorySegment w, state, scratch, outGrad;
        private long recurrentOff, oH, oDZ, oDH;
        private int rows, parts;
        private float[][] biasSums = new float[0][];

        void set(
                Spec spec,
                MemorySegment w,
                long recurrentOff,
                MemorySegment state,
                MemorySegment scratch,
                MemorySegment outGrad,
                int rows,
                long oH,
                long oDZ,
                long oDH) {
            this.spec = spec;
            this.w = w;
            this.recurrentOff = recurrentOff;
            this.state = state;
            this.scratch = scratch;
            this.outGrad = outGrad;
            this.rows = rows;
            this.oH = oH;
            this.oDZ = oDZ;
            this.oDH = oDH;
        }

        int parts(int parts) {
            int size = spec.units;
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

        void biasGradient(MemorySegment g, long biasOff, int u) {
            for (int j = 0; j < u; j++) {
                float sum = 0f;
                for (int p = 0; p < parts; p++) sum += biasSums[p][j];
                g.setAtIndex(SequenceKernels.F, biasOff + j, sum);
            }
        }

        @Override
        void part(int index, int r0, int r1) {
            final Spec sp = spec;
            final int T = sp.timesteps, u = sp.units, nr = r1 - r0, n = nr * u;
            final long R = rows;
            SequenceKernels.Work k = SequenceKernels.work();
            java.util.Arrays.fill(k.get(DBIAS, n), 0, n, 0f);
            for (int s = T - 1; s >= 0; s--) {
                long blk = s * R + r0;
                long ogBase = sp.returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                long ogStride = sp.returnSequences ? (long) T * u : u;
                backwardTanh(
                        state,
                        oH + (blk + R) * u,
                        outGrad,
                        ogBase < 0 ? -1 : ogBase + r0 * ogStride,
                        ogStride,
                        scratch,
                        oDZ + blk * u,
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
                            u,
                            scratch,
                            oDZ + blk * u,
                            w,
                            recurrentOff,
                            scratch,
                            oDH + (long) r0 * u,
                            0f);
                }
            }
            if (sp.useBias) SequenceKernels.rowSums(k.get(DBIAS, n), nr, u, biasSums[index], 0);
        }
    }

    // TANH (the default): whole [rows, u] blocks through per-thread heap arrays and same-index loops C2 vectorises.
    private static final int Z = 0, BIAS = 1, D = 2, OG = 3, DBIAS = 4;

    private static void forwardTanh(
            MemorySegment st,
            long z,
            long h,
            MemorySegment out,
            long outBase,
            long outStride,
            int rows,
            int u,
            SequenceKernels.Work k) {
        final int n = rows * u;
        float[] a = k.get(Z, n);
        SequenceKernels.load(st, z, a, 0, n);
        SequenceKernels.addInPlace(a, k.get(BIAS, n), n);
        SequenceKernels.tanhInPlace(a, n);
        SequenceKernels.store(a, 0, st, h, n);
        if (outBase >= 0) {
            if (outStride == u) {
                SequenceKernels.store(a, 0, out, outBase, n);
            } else {
                for (int r = 0; r < rows; r++) SequenceKernels.store(a, r * u, out, outBase + r * outStride, u);
            }
        }
    }

    private static void backwardTanh(
            MemorySegment st,
            long h,
            MemorySegment og,
            long ogBase,
            long ogStride,
            MemorySegment sc,
            long dz,
            long dh,
            boolean hasRec,
            int rows,
            int u,
            SequenceKernels.Work k) {
        final int n = rows * u;
        float[] d = k.get(D, n), o = k.get(OG, n), hv = k.get(Z, n);
        if (hasRec) {
            SequenceKernels.load(sc, dh, d, 0, n);
        } else {
            java.util.Arrays.fill(d, 0, n, 0f);
        }
        if (ogBase >= 0) {
            if (ogStride == u) {
                SequenceKernels.load(og, ogBase, o, 0, n);
            } else {
                for (int r = 0; r < rows; r++) SequenceKernels.load(og, ogBase + r * ogStride, o, r * u, u);
            }
            SequenceKernels.addInPlace(d, o, n);
        }
        SequenceKernels.load(st, h, hv, 0, n);
        tanhGradient(d, hv, n);
        SequenceKernels.addInPlace(k.get(DBIAS, n), d, n);
        SequenceKernels.store(d, 0, sc, dz, n);
    }

    /** {@code d = d⊙(1 − h²)}. */
    private static void tanhGradient(float[] d, float[] h, int n) {
        for (int q = 0; q < n; q++) d[q] *= 1f - h[q] * h[q];
    }

    private static void forwardStep(
            MemorySegment st,
            long z,
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
        for (int r = 0; r < rows; r++) {
            long zr = z + (long) r * u, hr = h + (long) r * u, or = outBase + r * outStride;
            for (int j = 0; j < u; j++) {
                float v = st.getAtIndex(F, zr + j) + (b >= 0 ? w.getAtIndex(F, b + j) : 0f);
                float hv = SequenceKernels.act(ac, act, v);
                st.setAtIndex(F, hr + j, hv);
                if (outBase >= 0) out.setAtIndex(F, or + j, hv);
            }
        }
    }

    private static void backwardStep(
            MemorySegment st,
            long z,
            long h,
            MemorySegment w,
            long b,
            MemorySegment og,
            long ogBase,
            long ogStride,
            MemorySegment sc,
            long dz,
            long dh,
            boolean hasRec,
            int rows,
            int u,
            int ac,
            ActivationType act) {
        for (int r = 0; r < rows; r++) {
            long zr = z + (long) r * u, hr = h + (long) r * u, gr = ogBase + r * ogStride;
            long dzr = dz + (long) r * u, dhr = dh + (long) r * u;
            for (int j = 0; j < u; j++) {
                float d = (ogBase >= 0 ? og.getAtIndex(F, gr + j) : 0f) + (hasRec ? sc.getAtIndex(F, dhr + j) : 0f);
                float hv = st.getAtIndex(F, hr + j);
                sc.setAtIndex(
                        F,
                        dzr + j,
                        d
                                * LstmKernels.dpre(
                                        ac,
                                        act,
                                        st,
                                        -1,
                                        st.getAtIndex(F, zr + j) + (b >= 0 ? w.getAtIndex(F, b + j) : 0f),
                                        hv));
            }
        }
    }
}
