package io.nerva.runtime.kernels;

import io.nerva.annotations.ActivationType;

import java.lang.foreign.MemorySegment;

import static io.nerva.runtime.kernels.SequenceKernels.F;
import static io.nerva.runtime.kernels.SequenceKernels.GENERIC;

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
    public record Spec(int timesteps, int features, int units, boolean useBias, boolean returnSequences,
                       boolean goBackwards, boolean resetAfter, ActivationType activation,
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
            return resetAfter ? (long) timesteps * (features + 6L * units) + units
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
            SequenceKernels.requireParam("GRU", buffer, "kernel", w, kernelOff, kernelSize());
            SequenceKernels.requireParam("GRU", buffer, "recurrent_kernel", w, recurrentOff, recurrentSize());
            if (useBias) {
                SequenceKernels.requireParam("GRU", buffer, "bias", w, biasOff, biasSize());
            } else if (biasOff != -1) {
                throw new IllegalArgumentException("GRU: useBias is false, so the bias offset must be -1, got " + biasOff);
            }
        }

        /** Runs the layer over {@code x [rows, T, F]} into {@code out}, keeping in {@code state} what backward needs. */
        public void forward(MemorySegment x, MemorySegment w, long kernelOff, long recurrentOff, long biasOff,
                            MemorySegment state, MemorySegment out, int rows) {
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
            if (resetAfter) {
                final long oH3 = oX + T * R * G, oA = oH3 + T * R * G, oH = oA + T * R * G;
                SequenceKernels.zero(state, oH, R * u);
                for (int s = 0; s < T; s++) {
                    long blk = s * R;
                    if (s > 0) {
                        DenseKernels.matmul(false, false, rows, G, u, state, oH + blk * u, w, recurrentOff, state, oH3 + blk * G, 0f);
                    } else {
                        SequenceKernels.zero(state, oH3, R * G);
                    }
                    long outBase = returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                    long outStride = returnSequences ? (long) T * u : u;
                    stepAfter(state, oX + blk * G, oH3 + blk * G, oA + blk * G, oH + blk * u, oH + (blk + R) * u, w, b,
                            out, outBase, outStride, rows, u, ac, activation, rc, recurrentActivation);
                }
            } else {
                final long oA = oX + T * R * G, oRH = oA + T * R * G, oH = oRH + T * R * u;
                SequenceKernels.zero(state, oH, R * u);
                for (int s = 0; s < T; s++) {
                    long blk = s * R;
                    if (s > 0) {
                        SequenceKernels.gemm(false, false, rows, 2 * u, u, state, oH + blk * u, u, w, recurrentOff, G,
                                1f, state, oX + blk * G, G);
                    }
                    gatesBefore(state, oX + blk * G, oA + blk * G, oH + blk * u, oRH + blk * u, w, b, rows, u, rc, recurrentActivation);
                    if (s > 0) {
                        SequenceKernels.gemm(false, false, rows, u, u, state, oRH + blk * u, u, w, recurrentOff + 2 * u, G,
                                1f, state, oX + blk * G + 2 * u, G);
                    }
                    long outBase = returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                    long outStride = returnSequences ? (long) T * u : u;
                    candidateBefore(state, oX + blk * G, oA + blk * G, oH + blk * u, oH + (blk + R) * u, w, b,
                            out, outBase, outStride, rows, u, ac, activation);
                }
            }
        }

        /**
         * Backward through time after {@link #forward}: OVERWRITES the kernel, recurrent-kernel and
         * bias gradients in {@code g}, writes {@code inGrad [rows, T, F]} unless NULL. {@code x} and
         * {@code outGrad} are not modified (x is not read).
         */
        public void backward(MemorySegment x, MemorySegment w, long kernelOff, long recurrentOff, long biasOff,
                             MemorySegment state, MemorySegment scratch, MemorySegment outGrad, MemorySegment g,
                             MemorySegment inGrad, int rows) {
            SequenceKernels.checkRows("GRU", rows);
            final int T = timesteps, Fe = features, u = units, G = 3 * u;
            final boolean wantIn = inGrad != null && !inGrad.equals(MemorySegment.NULL);
            SequenceKernels.require("GRU", "state", state, rows * statePerRow(), rows, statePerRow(), this);
            SequenceKernels.require("GRU", "scratch", scratch, rows * scratchPerRow(), rows, scratchPerRow(), this);
            SequenceKernels.require("GRU", "outGrad", outGrad, rows * outputPerRow(), rows, outputPerRow(), this);
            if (wantIn) SequenceKernels.require("GRU", "inGrad", inGrad, rows * inputPerRow(), rows, inputPerRow(), this);
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
            if (resetAfter) {
                final long oH3 = oX + T * R * G, oA = oH3 + T * R * G, oH = oA + T * R * G;
                final long oDGH = T * R * G, oDH = oDGH + T * R * G, oDX = oDH + R * u;
                for (int s = T - 1; s >= 0; s--) {
                    long blk = s * R;
                    long ogBase = returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                    long ogStride = returnSequences ? (long) T * u : u;
                    backAfter(state, oX + blk * G, oH3 + blk * G, oA + blk * G, oH + blk * u, w, b, outGrad, ogBase, ogStride,
                            scratch, oDG + blk * G, oDGH + blk * G, oDH, s < T - 1, rows, u, ac, activation, rc, recurrentActivation);
                    if (s > 0) DenseKernels.matmul(false, true, rows, u, G, scratch, oDGH + blk * G, w, recurrentOff, scratch, oDH, 1f);
                }
                if (T > 1) {
                    DenseKernels.matmul(true, false, u, G, (T - 1) * rows, state, oH + R * u, scratch, oDGH + R * G, g, recurrentOff, 0f);
                } else {
                    SequenceKernels.zero(g, recurrentOff, recurrentSize());
                }
                if (useBias) {
                    SequenceKernels.columnSums(scratch, oDG, T * R, G, G, g, biasOff);
                    SequenceKernels.columnSums(scratch, oDGH, T * R, G, G, g, biasOff + G);
                }
                finish(state, scratch, oDG, oDX, w, kernelOff, g, inGrad, wantIn, rows);
            } else {
                final long oA = oX + T * R * G, oRH = oA + T * R * G, oH = oRH + T * R * u;
                final long oDH = T * R * G, oDRH = oDH + R * u, oDX = oDRH + R * u;
                for (int s = T - 1; s >= 0; s--) {
                    long blk = s * R;
                    long ogBase = returnSequences ? (long) s * u : s == T - 1 ? 0 : -1;
                    long ogStride = returnSequences ? (long) T * u : u;
                    backBeforeA(state, oX + blk * G, oA + blk * G, oH + blk * u, w, b, outGrad, ogBase, ogStride,
                            scratch, oDG + blk * G, oDH, s < T - 1, rows, u, ac, activation, rc, recurrentActivation);
                    if (s > 0) {
                        // d(r⊙h) = dĥ·Uhᵀ, then dr and the r-path into dh; then dh += d[z|r]·U[:, z|r]ᵀ
                        SequenceKernels.gemm(false, true, rows, u, u, scratch, oDG + blk * G + 2 * u, G, w, recurrentOff + 2 * u, G,
                                0f, scratch, oDRH, u);
                        backBeforeB(state, oX + blk * G, oA + blk * G, oH + blk * u, w, b, scratch, oDG + blk * G, oDH, oDRH,
                                rows, u, rc, recurrentActivation);
                        SequenceKernels.gemm(false, true, rows, u, 2 * u, scratch, oDG + blk * G, G, w, recurrentOff, G,
                                1f, scratch, oDH, u);
                    } else {
                        zeroResetGradient(scratch, oDG + blk * G, rows, u); // h_{-1} = 0: r had no effect
                    }
                }
                if (T > 1) {
                    SequenceKernels.gemm(true, false, u, 2 * u, (T - 1) * rows, state, oH + R * u, u, scratch, oDG + R * G, G,
                            0f, g, recurrentOff, G);
                    SequenceKernels.gemm(true, false, u, u, (T - 1) * rows, state, oRH + R * u, u, scratch, oDG + R * G + 2 * u, G,
                            0f, g, recurrentOff + 2 * u, G);
                } else {
                    SequenceKernels.zero(g, recurrentOff, recurrentSize());
                }
                if (useBias) SequenceKernels.columnSums(scratch, oDG, T * R, G, G, g, biasOff);
                finish(state, scratch, oDG, oDX, w, kernelOff, g, inGrad, wantIn, rows);
            }
        }

        /** dW = Xᵀ·dZ and dX = dZ·Wᵀ over all steps. */
        private void finish(MemorySegment state, MemorySegment scratch, long oDG, long oDX, MemorySegment w, long kernelOff,
                            MemorySegment g, MemorySegment inGrad, boolean wantIn, int rows) {
            int G = 3 * units;
            DenseKernels.matmul(true, false, features, G, timesteps * rows, state, 0, scratch, oDG, g, kernelOff, 0f);
            if (wantIn) {
                DenseKernels.matmul(false, true, timesteps * rows, features, G, scratch, oDG, w, kernelOff, scratch, oDX, 0f);
                SequenceKernels.fromStepMajor(scratch, oDX, inGrad, rows, timesteps, features, goBackwards);
            }
        }
    }

    private static float bias(MemorySegment w, long b, long k) {
        return b >= 0 ? w.getAtIndex(F, b + k) : 0f;
    }

    /** resetAfter forward pass of one step: gates, candidate, state and output. */
    private static void stepAfter(MemorySegment st, long zx, long zh, long a, long hp, long h, MemorySegment w, long b,
                                  MemorySegment out, long outBase, long outStride, int rows, int u,
                                  int ac, ActivationType act, int rc, ActivationType rec) {
        final int G = 3 * u;
        final long b2 = b >= 0 ? b + G : -1;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, hr3 = zh + (long) r * G, ar = a + (long) r * G;
            long pr = hp + (long) r * u, hr = h + (long) r * u, or = outBase + r * outStride;
            for (int j = 0; j < u; j++) {
                float z = SequenceKernels.act(rc, rec, st.getAtIndex(F, xr + j) + bias(w, b, j)
                        + st.getAtIndex(F, hr3 + j) + bias(w, b2, j));
                float rg = SequenceKernels.act(rc, rec, st.getAtIndex(F, xr + u + j) + bias(w, b, u + j)
                        + st.getAtIndex(F, hr3 + u + j) + bias(w, b2, u + j));
                float hn = st.getAtIndex(F, hr3 + 2 * u + j) + bias(w, b2, 2 * u + j);
                float hh = SequenceKernels.act(ac, act, st.getAtIndex(F, xr + 2 * u + j) + bias(w, b, 2 * u + j) + rg * hn);
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
    private static void backAfter(MemorySegment st, long zx, long zh, long a, long hp, MemorySegment w, long b,
                                  MemorySegment og, long ogBase, long ogStride, MemorySegment sc, long dgx, long dgh,
                                  long dh, boolean hasRec, int rows, int u, int ac, ActivationType act, int rc, ActivationType rec) {
        final int G = 3 * u;
        final long b2 = b >= 0 ? b + G : -1;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, hr3 = zh + (long) r * G, ar = a + (long) r * G, pr = hp + (long) r * u;
            long gr = ogBase + r * ogStride, dxr = dgx + (long) r * G, dhr3 = dgh + (long) r * G, dhr = dh + (long) r * u;
            for (int j = 0; j < u; j++) {
                float d = (ogBase >= 0 ? og.getAtIndex(F, gr + j) : 0f) + (hasRec ? sc.getAtIndex(F, dhr + j) : 0f);
                float z = st.getAtIndex(F, ar + j), rg = st.getAtIndex(F, ar + u + j), hh = st.getAtIndex(F, ar + 2 * u + j);
                float hprev = st.getAtIndex(F, pr + j);
                float hn = st.getAtIndex(F, hr3 + 2 * u + j) + bias(w, b2, 2 * u + j);
                float dah = d * (1f - z) * (ac == GENERIC
                        ? deriv(act, st.getAtIndex(F, xr + 2 * u + j) + bias(w, b, 2 * u + j) + rg * hn)
                        : SequenceKernels.deriv(ac, act, 0f, hh));
                float daz = d * (hprev - hh) * (rc == GENERIC
                        ? deriv(rec, st.getAtIndex(F, xr + j) + bias(w, b, j) + st.getAtIndex(F, hr3 + j) + bias(w, b2, j))
                        : SequenceKernels.deriv(rc, rec, 0f, z));
                float dar = dah * hn * (rc == GENERIC
                        ? deriv(rec, st.getAtIndex(F, xr + u + j) + bias(w, b, u + j) + st.getAtIndex(F, hr3 + u + j) + bias(w, b2, u + j))
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
    private static void gatesBefore(MemorySegment st, long zx, long a, long hp, long rh, MemorySegment w, long b,
                                    int rows, int u, int rc, ActivationType rec) {
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
    private static void candidateBefore(MemorySegment st, long zx, long a, long hp, long h, MemorySegment w, long b,
                                        MemorySegment out, long outBase, long outStride, int rows, int u,
                                        int ac, ActivationType act) {
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
    private static void backBeforeA(MemorySegment st, long zx, long a, long hp, MemorySegment w, long b,
                                    MemorySegment og, long ogBase, long ogStride, MemorySegment sc, long dg, long dh,
                                    boolean hasRec, int rows, int u, int ac, ActivationType act, int rc, ActivationType rec) {
        final int G = 3 * u;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, ar = a + (long) r * G, pr = hp + (long) r * u;
            long gr = ogBase + r * ogStride, dgr = dg + (long) r * G, dhr = dh + (long) r * u;
            for (int j = 0; j < u; j++) {
                float d = (ogBase >= 0 ? og.getAtIndex(F, gr + j) : 0f) + (hasRec ? sc.getAtIndex(F, dhr + j) : 0f);
                float z = st.getAtIndex(F, ar + j), hh = st.getAtIndex(F, ar + 2 * u + j);
                float hprev = st.getAtIndex(F, pr + j);
                float dah = d * (1f - z) * (ac == GENERIC
                        ? deriv(act, st.getAtIndex(F, xr + 2 * u + j) + bias(w, b, 2 * u + j))
                        : SequenceKernels.deriv(ac, act, 0f, hh));
                float daz = d * (hprev - hh) * (rc == GENERIC
                        ? deriv(rec, st.getAtIndex(F, xr + j) + bias(w, b, j))
                        : SequenceKernels.deriv(rc, rec, 0f, z));
                sc.setAtIndex(F, dgr + j, daz);
                sc.setAtIndex(F, dgr + 2 * u + j, dah);
                sc.setAtIndex(F, dhr + j, d * z);
            }
        }
    }

    /** resetAfter=false, backward part B: given d(r⊙h), dr into dZ and the r-path into dh. */
    private static void backBeforeB(MemorySegment st, long zx, long a, long hp, MemorySegment w, long b,
                                    MemorySegment sc, long dg, long dh, long drh, int rows, int u, int rc, ActivationType rec) {
        final int G = 3 * u;
        for (int r = 0; r < rows; r++) {
            long xr = zx + (long) r * G, ar = a + (long) r * G, pr = hp + (long) r * u;
            long dgr = dg + (long) r * G, dhr = dh + (long) r * u, drr = drh + (long) r * u;
            for (int j = 0; j < u; j++) {
                float rg = st.getAtIndex(F, ar + u + j), hprev = st.getAtIndex(F, pr + j);
                float e = sc.getAtIndex(F, drr + j);
                float dar = e * hprev * (rc == GENERIC
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
