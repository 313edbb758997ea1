package io.nerva.runtime.kernels;

import static io.nerva.runtime.kernels.SequenceKernels.F;
import static io.nerva.runtime.kernels.SequenceKernels.SIGMOID;
import static io.nerva.runtime.kernels.SequenceKernels.TANH;

import io.nerva.annotations.ActivationType;
import java.lang.foreign.MemorySegment;

/**
 * Forward and backward through time of Keras' {@code LSTM}, batch-first.
 *
 * <p>Parameters as Keras stores them, at float offsets of one segment {@code w} (gradients at the
 * same offsets of {@code g}): {@code kernel [F, 4u]}, {@code recurrent_kernel [u, 4u]},
 * {@code bias [4u]} (offset −1 without bias), gates in the order i, f, c, o. Per processing step
 * {@code s} (time {@code s}, or {@code T−1−s} with goBackwards):
 * <pre>
 *   z   = x_t·W + h_{s−1}·U + b              (4u pre-activations)
 *   i, f, o = recAct(z_i, z_f, z_o),  ĉ = act(z_c)
 *   c_s = f ⊙ c_{s−1} + i ⊙ ĉ,        h_s = o ⊙ act(c_s),     h_{−1} = c_{−1} = 0
 * </pre>
 * Output {@code [rows, u]} (the last processed state) or {@code [rows, T, u]} with returnSequences
 * (row {@code s} = step {@code s}, reversed time with goBackwards, as Keras).
 *
 * <p>Work per batch: forward is one sgemm for the input projection of all steps, then per step one
 * sgemm {@code Z_s += h_{s−1}·U} and one fused pass over the gates (bias, activations, c, h and
 * the output). Backward is per step one fused pass for the gate gradients and one sgemm
 * {@code dh_{s−1} = dZ_s·Uᵀ}, then one sgemm each for {@code dW = Xᵀ·dZ}, {@code dU = H_prevᵀ·dZ}
 * and {@code dX = dZ·Wᵀ} over all steps, and the bias gradient as column sums.
 *
 * <p>Threads (TANH/SIGMOID path): rows of a batch are independent through time, so with
 * {@link io.nerva.blas.Parallel#threads()} ≥ 2 and at least 16 rows per thread the step loops run
 * on disjoint row ranges at once, each with whole single-threaded sgemm calls on its rows and no
 * synchronisation per step. Measured on a 2-core AVX-512 machine (LSTM(128), batch 64, under
 * load): 7.2 s/epoch against 8.3 s when each step's product is split across the threads instead
 * ({@code -Dnerva.recurrentRowParts=false}) and 8.4 s with OpenBLAS's own threads.
 */
public final class LstmKernels {
    private LstmKernels() {}

    /**
     * The constants of one LSTM layer. Create once (e.g. a {@code static final} field); it holds no
     * buffers, so one spec may serve many models and threads, each with its own segments.
     *
     * <p>{@code state} ({@link #statePerRow()} floats per batch row) is written by forward and read by
     * backward, step-major ({@code [T, rows, ·]}): the step-major copy of x ({@code T·F}), the
     * pre-activations z ({@code T·4u}, {@code [rows, 4u]} per step; with the bias only on the
     * generic path), the gate values
     * i, f, ĉ, o ({@code T·4u}, planar {@code [4, rows, u]} per step),
     * the cells c ({@code T·u}), act(c) ({@code T·u}) and h with a leading zero block
     * ({@code (T+1)·u}). {@code scratch} ({@link #scratchPerRow()}) is backward's: dZ
     * ({@code T·4u}), dh and dc ({@code 2u}), dX step-major ({@code T·F}).
     */
    public record Spec(
            int timesteps,
            int features,
            int units,
            boolean useBias,
            boolean returnSequences,
            boolean goBackwards,
            ActivationType activation,
            ActivationType recurrentActivation) {
        public Spec {
            SequenceKernels.checkDims("LSTM", timesteps, features, units);
            SequenceKernels.checkActivation("LSTM activation", activation);
            SequenceKernels.checkActivation("LSTM recurrentActivation", recurrentActivation);
        }

        /** {@code T·(F + 11u) + u} floats of {@code state} per batch row. */
        public long statePerRow() {
            return (long) timesteps * (features + 11L * units) + units;
        }

        /** {@code T·(F + 4u) + 2u} floats of {@code scratch} per batch row. */
        public long scratchPerRow() {
            return (long) timesteps * (features + 4L * units) + 2L * units;
        }

        /** {@code T·F} input floats per row. */
        public long inputPerRow() {
            return (long) timesteps * features;
        }

        /** {@code T·u} with returnSequences, else {@code u}, output floats per row. */
        public long outputPerRow() {
            return returnSequences ? (long) timesteps * units : units;
        }

        /** {@code F·4u}. */
        public long kernelSize() {
            return (long) features * 4 * units;
        }

        /** {@code u·4u}. */
        public long recurrentSize() {
            return 4L * units * units;
        }

        /** {@code 4u}, or 0 without bias. */
        public long biasSize() {
            return useBias ? 4L * units : 0;
        }

        private void checkParams(String buffer, MemorySegment w, long kernelOff, long recurrentOff, long biasOff) {
            SequenceKernels.requireParams(
                    "LSTM",
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

        /**
         * Runs the layer over {@code x [rows, T, F]} into {@code out} ({@link #outputPerRow()} floats
         * per row), keeping in {@code state} what {@link #backward} needs. Allocates nothing (the
         * TANH/SIGMOID path's per-thread heap work arrays are created on a thread's first call).
         */
        public void forward(
                MemorySegment x,
                MemorySegment w,
                long kernelOff,
                long recurrentOff,
                long biasOff,
                MemorySegment state,
                MemorySegment out,
                int rows) {
            forward(x, w, kernelOff, recurrentOff, biasOff, state, out, rows, rowParts(rows, x, w, state, out));
        }

        /** Row parts of a call (1 for the generic path, which runs serially). */
        private int rowParts(int rows, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d) {
            boolean fast =
                    SequenceKernels.code(activation) == TANH && SequenceKernels.code(recurrentActivation) == SIGMOID;
            return fast && rows > 0 ? SequenceKernels.parts(rows, a, b, c, d) : 1;
        }

        private void forward(
                MemorySegment x,
                MemorySegment w,
                long kernelOff,
                long recurrentOff,
                long biasOff,
                MemorySegment state,
                MemorySegment out,
                int rows,
                int parts) {
            SequenceKernels.checkRows("LSTM", rows);
            final int T = timesteps, Fe = features, u = units, G = 4 * u;
            SequenceKernels.require("LSTM", "x", x, rows * inputPerRow(), rows, inputPerRow(), this);
            SequenceKernels.require("LSTM", "state", state, rows * statePerRow(), rows, statePerRow(), this);
            SequenceKernels.require("LSTM", "out", out, rows * outputPerRow(), rows, outputPerRow(), this);
            checkParams("w", w, kernelOff, recurrentOff, biasOff);
            if (rows == 0) return;
            final long R = rows,
                    oZ = T * R * Fe,
                    oA = oZ + T * R * G,
                    oC = oA + T * R * G,
                    oTC = oC + T * R * u,
                    oH = oTC + T * R * u;
            final int ac = SequenceKernels.code(activation), rc = SequenceKernels.code(recurrentActivation);
            final boolean fast = ac == TANH && rc == SIGMOID;

            SequenceKernels.toStepMajor(x, state, 0, rows, T, Fe, goBackwards);
            // The generic path folds the bias into z (bias rows, then one sgemm accumulating onto them);
            // the fast one adds it in its vectorised gate pass from planar broadcasts built here once.
            final boolean prefill = useBias && !fast;
            if (prefill) {
                for (long row = 0; row < T * R; row++) SequenceKernels.copy(w, biasOff, state, oZ + row * G, G);
            }
            DenseKernels.matmul(false, false, T * rows, G, Fe, state, 0, w, kernelOff, state, oZ, prefill ? 1f : 0f);
            SequenceKernels.zero(state, oH, R * u); // h_{-1}
            if (fast) {
                ForwardJob job = FORWARD.get();
                job.set(this, w, recurrentOff, biasOff, state, out, rows, oZ, oA, oC, oTC, oH);
                try {
                    SequenceKernels.runRows(job, rows, parts);
                } finally {
                    job.clear();
                }
                return;
            }
            for (int s = 0; s < T; s++) {
                long blk = s * R;
                if (s > 0)
                    DenseKernels.matmul(
                            false, false, rows, G, u, state, oH + blk * u, w, recurrentOff, state, oZ + blk * G, 1f);
                forwardStep(
                        state,
                        oZ + blk * G,
                        oA + blk * G,
                        oC + blk * u,
                        s > 0 ? oC + (blk - R) * u : -1,
                        oTC + blk * u,
                        oH + (blk + R) * u,
                        out,
                        outBase(s),
                        outStride(s),
                        rows,
                        u,
                        ac,
                        activation,
                        rc,
                        recurrentActivation);
            }
        }

        /** Where step {@code s} writes its h (or reads its output gradient): float index of row 0, −1 for none. */
        long outBase(int s) {
            if (returnSequences) return (long) s * units;
            return s == timesteps - 1 ? 0 : -1;
        }

        /** The output's row stride at step {@code s} (see {@link #outBase}). */
        long outStride(int s) {
            if (returnSequences) return (long) timesteps * units;
            return s == timesteps - 1 ? units : 0;
        }

        /**
         * Backward through time after {@link #forward} on the same {@code x}, {@code w} and
         * {@code state}: given {@code outGrad} (dLoss/dout, shaped as out), OVERWRITES the kernel,
         * recurrent-kernel and bias gradients at the same offsets of {@code g}, and writes
         * {@code inGrad [rows, T, F]} unless it is {@link MemorySegment#NULL}. {@code x} is not read
         * (state holds its copy); {@code outGrad} is not modified. Allocates nothing.
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
            backward(
                    x,
                    w,
                    kernelOff,
                    recurrentOff,
                    biasOff,
                    state,
                    scratch,
                    outGrad,
                    g,
                    inGrad,
                    rows,
                    rowParts(rows, w, state, scratch, outGrad));
        }

        private void backward(
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
                int rows,
                int parts) {
            SequenceKernels.checkRows("LSTM", rows);
            final int T = timesteps, Fe = features, u = units, G = 4 * u;
            final boolean wantIn = inGrad != null && !inGrad.equals(MemorySegment.NULL);
            SequenceKernels.require("LSTM", "state", state, rows * statePerRow(), rows, statePerRow(), this);
            SequenceKernels.require("LSTM", "scratch", scratch, rows * scratchPerRow(), rows, scratchPerRow(), this);
            SequenceKernels.require("LSTM", "outGrad", outGrad, rows * outputPerRow(), rows, outputPerRow(), this);
            if (wantIn)
                SequenceKernels.require("LSTM", "inGrad", inGrad, rows * inputPerRow(), rows, inputPerRow(), this);
            checkParams("w", w, kernelOff, recurrentOff, biasOff);
            checkParams("g", g, kernelOff, recurrentOff, biasOff);
            final long R = rows,
                    oZ = T * R * Fe,
                    oA = oZ + T * R * G,
                    oC = oA + T * R * G,
                    oTC = oC + T * R * u,
                    oH = oTC + T * R * u;
            final long oDZ = 0, oDH = T * R * G, oDC = oDH + R * u, oDX = oDC + R * u;
            if (rows == 0) {
                SequenceKernels.zero(g, kernelOff, kernelSize());
                SequenceKernels.zero(g, recurrentOff, recurrentSize());
                if (useBias) SequenceKernels.zero(g, biasOff, biasSize());
                return;
            }
            final int ac = SequenceKernels.code(activation), rc = SequenceKernels.code(recurrentActivation);
            final boolean fast = ac == TANH && rc == SIGMOID;
            BackwardJob job = null;
            if (fast) {
                job = BACKWARD.get();
                job.set(this, w, recurrentOff, state, scratch, outGrad, rows, oA, oC, oTC, oDZ, oDH);
                try {
                    SequenceKernels.runRows(job, rows, job.parts(parts));
                } catch (RuntimeException | Error e) {
                    job.clear();
                    throw e;
                }
            } else {
                SequenceKernels.zero(scratch, oDC, R * u);
                for (int s = T - 1; s >= 0; s--) {
                    long blk = s * R;
                    backwardStep(
                            state,
                            oZ + blk * G,
                            oA + blk * G,
                            oC + blk * u,
                            s > 0 ? oC + (blk - R) * u : -1,
                            oTC + blk * u,
                            outGrad,
                            outBase(s),
                            outStride(s),
                            scratch,
                            oDZ + blk * G,
                            oDH,
                            s < T - 1,
                            oDC,
                            rows,
                            u,
                            ac,
                            activation,
                            rc,
                            recurrentActivation);
                    if (s > 0)
                        DenseKernels.matmul(
                                false, true, rows, u, G, scratch, oDZ + blk * G, w, recurrentOff, scratch, oDH, 0f);
                }
            }
            // dW = Xᵀ·dZ, dU = H_prevᵀ·dZ over steps 1..T-1 (h_{-1} = 0), db = Σ dZ, dX = dZ·Wᵀ
            DenseKernels.matmul(true, false, Fe, G, T * rows, state, 0, scratch, oDZ, g, kernelOff, 0f);
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
                        oDZ + R * G,
                        g,
                        recurrentOff,
                        0f);
            } else {
                SequenceKernels.zero(g, recurrentOff, recurrentSize());
            }
            if (useBias && fast) {
                job.biasGradient(g, biasOff, G);
            } else if (useBias) {
                SequenceKernels.columnSums(scratch, oDZ, T * R, G, G, g, biasOff);
            }
            if (wantIn) {
                DenseKernels.matmul(false, true, T * rows, Fe, G, scratch, oDZ, w, kernelOff, scratch, oDX, 0f);
                SequenceKernels.fromStepMajor(scratch, oDX, inGrad, rows, T, Fe, goBackwards);
            }
            if (job != null) job.clear();
        }
    }

    // The fast path's through-time loops, one object per calling thread, run on row ranges (see
    // SequenceKernels.runRows): rows are independent through time, so each range runs all steps
    // alone — its recurrent products are sgemm calls on its rows, its gate passes its own heap arrays.

    private static final ThreadLocal<ForwardJob> FORWARD = ThreadLocal.withInitial(ForwardJob::new);
    private static final ThreadLocal<BackwardJob> BACKWARD = ThreadLocal.withInitial(BackwardJob::new);

    /** Forward steps 0..T−1 of a range of rows: {@code Z_s += h_{s−1}·U}, then the fused gate pass. */
    private static final class ForwardJob extends SequenceKernels.RowJob {
        private Spec spec;
        private MemorySegment w, state, out;
        private long recurrentOff, biasOff, oZ, oA, oC, oTC, oH;
        private int rows;

        void set(
                Spec spec,
                MemorySegment w,
                long recurrentOff,
                long biasOff,
                MemorySegment state,
                MemorySegment out,
                int rows,
                long oZ,
                long oA,
                long oC,
                long oTC,
                long oH) {
            this.spec = spec;
            this.w = w;
            this.recurrentOff = recurrentOff;
            this.biasOff = biasOff;
            this.state = state;
            this.out = out;
            this.rows = rows;
            this.oZ = oZ;
            this.oA = oA;
            this.oC = oC;
            this.oTC = oTC;
            this.oH = oH;
        }

        /** Drops the references to the caller's segments (they may be closed after the call). */
        void clear() {
            spec = null;
            w = state = out = null;
        }

        @Override
        void part(int index, int r0, int r1) {
            final Spec sp = spec;
            final int T = sp.timesteps, u = sp.units, G = 4 * u, nr = r1 - r0, n = nr * u;
            final long R = rows, N = R * u;
            SequenceKernels.Work k = SequenceKernels.work();
            java.util.Arrays.fill(k.get(C, n), 0, n, 0f); // c_{-1}
            for (int gate = 0; gate < 4; gate++) {
                float[] bb = k.get(BI + gate, n);
                if (sp.useBias) {
                    SequenceKernels.broadcast(w, biasOff + (long) gate * u, bb, nr, u);
                } else {
                    java.util.Arrays.fill(bb, 0, n, 0f);
                }
            }
            for (int s = 0; s < T; s++) {
                long blk = s * R + r0;
                if (s > 0) {
                    DenseKernels.matmul(
                            false, false, nr, G, u, state, oH + blk * u, w, recurrentOff, state, oZ + blk * G, 1f);
                }
                long outBase = sp.outBase(s), outStride = sp.outStride(s);
                forwardFast(
                        state,
                        oZ + blk * G,
                        oA + s * R * G + (long) r0 * u,
                        N,
                        oC + blk * u,
                        oTC + blk * u,
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
     * Backward steps T−1..0 of a range of rows: the gate gradients into {@code dZ_s}, then
     * {@code dh_{s−1} = dZ_s·Uᵀ}; the bias gradient's row sums of the range are kept per part.
     */
    private static final class BackwardJob extends SequenceKernels.RowJob {
        private Spec spec;
        private MemorySegment w, state, scratch, outGrad;
        private long recurrentOff, oA, oC, oTC, oDZ, oDH;
        private int rows;
        /** Per part, its {@code [4u]} bias-gradient sums (owned here, not by the part's thread: read after the join). */
        private float[][] biasSums = new float[0][];

        private int parts;

        void set(
                Spec spec,
                MemorySegment w,
                long recurrentOff,
                MemorySegment state,
                MemorySegment scratch,
                MemorySegment outGrad,
                int rows,
                long oA,
                long oC,
                long oTC,
                long oDZ,
                long oDH) {
            this.spec = spec;
            this.w = w;
            this.recurrentOff = recurrentOff;
            this.state = state;
            this.scratch = scratch;
            this.outGrad = outGrad;
            this.rows = rows;
            this.oA = oA;
            this.oC = oC;
            this.oTC = oTC;
            this.oDZ = oDZ;
            this.oDH = oDH;
        }

        /** {@code parts}, after making room for as many bias sums of {@code 4u} (grown once, reused after). */
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

        /** {@code g[biasOff + j]} = the parts' sums added in part order (overwrites). */
        void biasGradient(MemorySegment g, long biasOff, int size) {
            for (int j = 0; j < size; j++) {
                float sum = 0f;
                for (int p = 0; p < parts; p++) sum += biasSums[p][j];
                g.setAtIndex(F, biasOff + j, sum);
            }
        }

        @Override
        void part(int index, int r0, int r1) {
            final Spec sp = spec;
            final int T = sp.timesteps, u = sp.units, G = 4 * u, nr = r1 - r0, n = nr * u;
            final long R = rows, N = R * u;
            SequenceKernels.Work k = SequenceKernels.work();
            java.util.Arrays.fill(k.get(DC, n), 0, n, 0f);
            for (int gate = 0; gate < 4; gate++) java.util.Arrays.fill(k.get(SI + gate, n), 0, n, 0f);
            for (int s = T - 1; s >= 0; s--) {
                long blk = s * R + r0;
                long ogBase = sp.outBase(s), ogStride = sp.outStride(s);
                backwardFast(
                        state,
                        oA + s * R * G + (long) r0 * u,
                        N,
                        s > 0 ? oC + (blk - R) * u : -1,
                        oTC + blk * u,
                        outGrad,
                        ogBase < 0 ? -1 : ogBase + r0 * ogStride,
                        ogStride,
                        scratch,
                        oDZ + blk * G,
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
                            oDZ + blk * G,
                            w,
                            recurrentOff,
                            scratch,
                            oDH + (long) r0 * u,
                            0f);
                }
            }
            if (sp.useBias) {
                for (int gate = 0; gate < 4; gate++)
                    SequenceKernels.rowSums(k.get(SI + gate, n), nr, u, biasSums[index], gate * u);
            }
        }
    }

    // The fast path (TANH, SIGMOID): planar heap arrays, same-index loops that C2 vectorises.
    // Work arrays: the gates i, f, ĉ, o; the cell carry c and c_{s-1}; act(c); h; dh; outGrad; dc carry; dc; dZ of i,
    // f, ĉ, o.
    private static final int I = 0,
            FG = 1,
            CC = 2,
            O = 3,
            C = 4,
            CP = 5,
            TC = 6,
            H = 7,
            DH = 8,
            OG = 9,
            DC = 10,
            DCV = 11,
            DI = 12,
            DF = 13,
            DCC = 14,
            DO = 15,
            BI = 16,
            SI = 20;

    /**
     * One forward step, fast path: gathers {@code z_s} ({@code [rows, 4u]}, bias and recurrent part
     * included) into planar gate arrays, activates them, updates c (carried in {@code k}) and h, and
     * stores the gates (planar {@code [4, rows, u]}), c, act(c), h and the output rows.
     */
    private static void forwardFast(
            MemorySegment st,
            long z,
            long a,
            long gateStride,
            long c,
            long tc,
            long h,
            MemorySegment out,
            long outBase,
            long outStride,
            int rows,
            int u,
            SequenceKernels.Work k) {
        final int n = rows * u, G = 4 * u;
        float[] gi = k.get(I, n), gf = k.get(FG, n), gc = k.get(CC, n), go = k.get(O, n);
        float[] cc = k.get(C, n), tt = k.get(TC, n), hh = k.get(H, n);
        for (int r = 0; r < rows; r++) {
            long zr = z + (long) r * G;
            int q = r * u;
            SequenceKernels.load(st, zr, gi, q, u);
            SequenceKernels.load(st, zr + u, gf, q, u);
            SequenceKernels.load(st, zr + 2 * u, gc, q, u);
            SequenceKernels.load(st, zr + 3 * u, go, q, u);
        }
        SequenceKernels.addInPlace(gi, k.get(BI, n), n);
        SequenceKernels.addInPlace(gf, k.get(BI + 1, n), n);
        SequenceKernels.addInPlace(gc, k.get(BI + 2, n), n);
        SequenceKernels.addInPlace(go, k.get(BI + 3, n), n);
        SequenceKernels.sigmoidInPlace(gi, n);
        SequenceKernels.sigmoidInPlace(gf, n);
        SequenceKernels.tanhInPlace(gc, n);
        SequenceKernels.sigmoidInPlace(go, n);
        cell(gi, gf, gc, go, cc, tt, hh, n);
        SequenceKernels.store(gi, 0, st, a, n);
        SequenceKernels.store(gf, 0, st, a + gateStride, n);
        SequenceKernels.store(gc, 0, st, a + 2 * gateStride, n);
        SequenceKernels.store(go, 0, st, a + 3 * gateStride, n);
        SequenceKernels.store(cc, 0, st, c, n);
        SequenceKernels.store(tt, 0, st, tc, n);
        SequenceKernels.store(hh, 0, st, h, n);
        if (outBase >= 0) {
            if (outStride == u) {
                SequenceKernels.store(hh, 0, out, outBase, n);
            } else {
                for (int r = 0; r < rows; r++) SequenceKernels.store(hh, r * u, out, outBase + r * outStride, u);
            }
        }
    }

    /** {@code c = f⊙c + i⊙ĉ}, {@code t = tanh(c)}, {@code h = o⊙t}. */
    private static void cell(float[] gi, float[] gf, float[] gc, float[] go, float[] c, float[] t, float[] h, int n) {
        for (int q = 0; q < n; q++) {
            float cn = gf[q] * c[q] + gi[q] * gc[q];
            float tv = SequenceKernels.tanhF(cn);
            c[q] = cn;
            t[q] = tv;
            h[q] = go[q] * tv;
        }
    }

    /**
     * One backward step, fast path: {@code dh = outGrad_s + dH}, the gate gradients into
     * {@code dZ_s} ({@code [rows, 4u]}); the cell gradient is carried in {@code k}.
     */
    private static void backwardFast(
            MemorySegment st,
            long a,
            long gateStride,
            long cPrev,
            long tc,
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
        final int n = rows * u, G = 4 * u;
        float[] gi = k.get(I, n),
                gf = k.get(FG, n),
                gc = k.get(CC, n),
                go = k.get(O, n),
                cp = k.get(CP, n),
                tt = k.get(TC, n);
        float[] d = k.get(DH, n), ogr = k.get(OG, n), dc = k.get(DC, n), dcv = k.get(DCV, n);
        float[] di = k.get(DI, n), df = k.get(DF, n), dcc = k.get(DCC, n), dO = k.get(DO, n);
        if (hasRec) {
            SequenceKernels.load(sc, dh, d, 0, n);
        } else {
            java.util.Arrays.fill(d, 0, n, 0f);
        }
        if (ogBase >= 0) {
            if (ogStride == u) {
                SequenceKernels.load(og, ogBase, ogr, 0, n);
            } else {
                for (int r = 0; r < rows; r++) SequenceKernels.load(og, ogBase + r * ogStride, ogr, r * u, u);
            }
            SequenceKernels.addInPlace(d, ogr, n);
        }
        SequenceKernels.load(st, a, gi, 0, n);
        SequenceKernels.load(st, a + gateStride, gf, 0, n);
        SequenceKernels.load(st, a + 2 * gateStride, gc, 0, n);
        SequenceKernels.load(st, a + 3 * gateStride, go, 0, n);
        SequenceKernels.load(st, tc, tt, 0, n);
        if (cPrev >= 0) {
            SequenceKernels.load(st, cPrev, cp, 0, n);
        } else {
            java.util.Arrays.fill(cp, 0, n, 0f);
        }
        cellGradient(go, tt, gf, d, dc, dcv, dO, n);
        gateGradients(gi, gf, gc, cp, dcv, di, df, dcc, n);
        // the bias gradient, summed over steps here (same-index adds), over rows at the end
        SequenceKernels.addInPlace(k.get(SI, n), di, n);
        SequenceKernels.addInPlace(k.get(SI + 1, n), df, n);
        SequenceKernels.addInPlace(k.get(SI + 2, n), dcc, n);
        SequenceKernels.addInPlace(k.get(SI + 3, n), dO, n);
        for (int r = 0; r < rows; r++) {
            long zr = dz + (long) r * G;
            int q = r * u;
            SequenceKernels.store(di, q, sc, zr, u);
            SequenceKernels.store(df, q, sc, zr + u, u);
            SequenceKernels.store(dcc, q, sc, zr + 2 * u, u);
            SequenceKernels.store(dO, q, sc, zr + 3 * u, u);
        }
    }

    /** {@code dc_s = dc + dh⊙o⊙(1 − t²)}; the carry becomes {@code dc_s⊙f}; {@code dz_o = dh⊙t⊙o(1 − o)}. */
    private static void cellGradient(
            float[] go, float[] tt, float[] gf, float[] d, float[] dc, float[] dcv, float[] dO, int n) {
        for (int q = 0; q < n; q++) {
            float o = go[q], t = tt[q], dh = d[q];
            float v = dc[q] + dh * o * (1f - t * t);
            dcv[q] = v;
            dc[q] = v * gf[q];
            dO[q] = dh * t * o * (1f - o);
        }
    }

    /** {@code dz_i = dc⊙ĉ⊙i(1 − i)}, {@code dz_f = dc⊙c_{s−1}⊙f(1 − f)}, {@code dz_ĉ = dc⊙i⊙(1 − ĉ²)}. */
    private static void gateGradients(
            float[] gi, float[] gf, float[] gc, float[] cp, float[] dcv, float[] di, float[] df, float[] dcc, int n) {
        for (int q = 0; q < n; q++) {
            float i = gi[q], f = gf[q], g = gc[q], v = dcv[q];
            di[q] = v * g * i * (1f - i);
            df[q] = v * cp[q] * f * (1f - f);
            dcc[q] = v * i * (1f - g * g);
        }
    }

    // The generic path (any other activations): scalar loops over the segments, same layout.

    /** Gates, cell and state of one step for all rows; {@code cPrev}/{@code outBase} −1 when absent. */
    private static void forwardStep(
            MemorySegment st,
            long z,
            long a,
            long c,
            long cPrev,
            long tc,
            long h,
            MemorySegment out,
            long outBase,
            long outStride,
            int rows,
            int u,
            int ac,
            ActivationType act,
            int rc,
            ActivationType rec) {
        final int G = 4 * u;
        final long n = (long) rows * u;
        for (int r = 0; r < rows; r++) {
            long zr = z + (long) r * G, ar = a + (long) r * u, cr = c + (long) r * u, pr = cPrev + (long) r * u;
            long tr = tc + (long) r * u, hr = h + (long) r * u, or = outBase + r * outStride;
            for (int j = 0; j < u; j++) {
                float i = SequenceKernels.act(rc, rec, st.getAtIndex(F, zr + j));
                float f = SequenceKernels.act(rc, rec, st.getAtIndex(F, zr + u + j));
                float gg = SequenceKernels.act(ac, act, st.getAtIndex(F, zr + 2 * u + j));
                float o = SequenceKernels.act(rc, rec, st.getAtIndex(F, zr + 3 * u + j));
                float cp = cPrev >= 0 ? st.getAtIndex(F, pr + j) : 0f;
                float cn = f * cp + i * gg;
                float t = SequenceKernels.act(ac, act, cn);
                float hv = o * t;
                st.setAtIndex(F, ar + j, i);
                st.setAtIndex(F, ar + n + j, f);
                st.setAtIndex(F, ar + 2 * n + j, gg);
                st.setAtIndex(F, ar + 3 * n + j, o);
                st.setAtIndex(F, cr + j, cn);
                st.setAtIndex(F, tr + j, t);
                st.setAtIndex(F, hr + j, hv);
                if (outBase >= 0) out.setAtIndex(F, or + j, hv);
            }
        }
    }

    /**
     * Gate gradients of one step: {@code dh = outGrad_s + dH} (dH when {@code hasRec}), the cell
     * gradient carried in {@code dc} (updated to {@code dc_{s−1}}), {@code dZ_s} written.
     */
    private static void backwardStep(
            MemorySegment st,
            long z,
            long a,
            long c,
            long cPrev,
            long tc,
            MemorySegment og,
            long ogBase,
            long ogStride,
            MemorySegment sc,
            long dz,
            long dh,
            boolean hasRec,
            long dc,
            int rows,
            int u,
            int ac,
            ActivationType act,
            int rc,
            ActivationType rec) {
        final int G = 4 * u;
        final long n = (long) rows * u;
        for (int r = 0; r < rows; r++) {
            long zr = z + (long) r * G, ar = a + (long) r * u, cr = c + (long) r * u, pr = cPrev + (long) r * u;
            long tr = tc + (long) r * u, gr = ogBase + r * ogStride, dzr = dz + (long) r * G;
            long dhr = dh + (long) r * u, dcr = dc + (long) r * u;
            for (int j = 0; j < u; j++) {
                float d = (ogBase >= 0 ? og.getAtIndex(F, gr + j) : 0f) + (hasRec ? sc.getAtIndex(F, dhr + j) : 0f);
                float i = st.getAtIndex(F, ar + j), f = st.getAtIndex(F, ar + n + j);
                float gg = st.getAtIndex(F, ar + 2 * n + j), o = st.getAtIndex(F, ar + 3 * n + j);
                float cn = st.getAtIndex(F, cr + j), t = st.getAtIndex(F, tr + j);
                float cp = cPrev >= 0 ? st.getAtIndex(F, pr + j) : 0f;
                float dcv = sc.getAtIndex(F, dcr + j) + d * o * dpre(ac, act, st, -1, cn, t);
                float dO = d * t, dI = dcv * gg, dG = dcv * i, dF = dcv * cp;
                sc.setAtIndex(F, dcr + j, dcv * f);
                sc.setAtIndex(F, dzr + j, dI * dpre(rc, rec, st, zr + j, 0f, i));
                sc.setAtIndex(F, dzr + u + j, dF * dpre(rc, rec, st, zr + u + j, 0f, f));
                sc.setAtIndex(F, dzr + 2 * u + j, dG * dpre(ac, act, st, zr + 2 * u + j, 0f, gg));
                sc.setAtIndex(F, dzr + 3 * u + j, dO * dpre(rc, rec, st, zr + 3 * u + j, 0f, o));
            }
        }
    }

    /**
     * The activation's derivative given its value {@code a}: from {@code a} for TANH and SIGMOID,
     * else at the pre-activation stored at {@code zi} of {@code st} (or {@code z} itself when {@code zi < 0}).
     */
    static float dpre(int code, ActivationType t, MemorySegment st, long zi, float z, float a) {
        if (code == TANH) return 1f - a * a;
        if (code == SIGMOID) return a * (1f - a);
        return (float) Activations.derivative(t, Double.NaN, zi >= 0 ? st.getAtIndex(F, zi) : z);
    }
}
