package io.nerva.runtime.kernels;

import io.nerva.annotations.ActivationType;

import java.lang.foreign.MemorySegment;

import static io.nerva.runtime.kernels.SequenceKernels.F;
import static io.nerva.runtime.kernels.SequenceKernels.SIGMOID;
import static io.nerva.runtime.kernels.SequenceKernels.TANH;

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
 */
public final class LstmKernels {
    private LstmKernels() {}

    /**
     * The constants of one LSTM layer. Create once (e.g. a {@code static final} field); it holds no
     * buffers, so one spec may serve many models and threads, each with its own segments.
     *
     * <p>{@code state} ({@link #statePerRow()} floats per batch row) is written by forward and read by
     * backward, step-major ({@code [T, rows, ·]}): the step-major copy of x ({@code T·F}), the
     * pre-activations z without bias ({@code T·4u}), the gate values i, f, ĉ, o ({@code T·4u}),
     * the cells c ({@code T·u}), act(c) ({@code T·u}) and h with a leading zero block
     * ({@code (T+1)·u}). {@code scratch} ({@link #scratchPerRow()}) is backward's: dZ
     * ({@code T·4u}), dh and dc ({@code 2u}), dX step-major ({@code T·F}).
     */
    public record Spec(int timesteps, int features, int units, boolean useBias, boolean returnSequences,
                       boolean goBackwards, ActivationType activation, ActivationType recurrentActivation) {
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
            SequenceKernels.requireParam("LSTM", buffer, "kernel", w, kernelOff, kernelSize());
            SequenceKernels.requireParam("LSTM", buffer, "recurrent_kernel", w, recurrentOff, recurrentSize());
            if (useBias) {
                SequenceKernels.requireParam("LSTM", buffer, "bias", w, biasOff, biasSize());
            } else if (biasOff != -1) {
                throw new IllegalArgumentException("LSTM: useBias is false, so the bias offset must be -1, got " + biasOff);
            }
        }

        /**
         * Runs the layer over {@code x [rows, T, F]} into {@code out} ({@link #outputPerRow()} floats
         * per row), keeping in {@code state} what {@link #backward} needs. Allocates nothing.
         */
        public void forward(MemorySegment x, MemorySegment w, long kernelOff, long recurrentOff, long biasOff,
                            MemorySegment state, MemorySegment out, int rows) {
            SequenceKernels.checkRows("LSTM", rows);
            final int T = timesteps, Fe = features, u = units, G = 4 * u;
            SequenceKernels.require("LSTM", "x", x, rows * inputPerRow(), rows, inputPerRow(), this);
            SequenceKernels.require("LSTM", "state", state, rows * statePerRow(), rows, statePerRow(), this);
            SequenceKernels.require("LSTM", "out", out, rows * outputPerRow(), rows, outputPerRow(), this);
            checkParams("w", w, kernelOff, recurrentOff, biasOff);
            if (rows == 0) return;
            final long R = rows, oZ = T * R * Fe, oA = oZ + T * R * G, oC = oA + T * R * G, oTC = oC + T * R * u,
                    oH = oTC + T * R * u;
            final int ac = SequenceKernels.code(activation), rc = SequenceKernels.code(recurrentActivation);
            final long b = useBias ? biasOff : -1;

            SequenceKernels.toStepMajor(x, state, 0, rows, T, Fe, goBackwards);
            DenseKernels.matmul(false, false, T * rows, G, Fe, state, 0, w, kernelOff, state, oZ, 0f);
            SequenceKernels.zero(state, oH, R * u); // h_{-1}
            for (int s = 0; s < T; s++) {
                long blk = s * R;
                if (s > 0) DenseKernels.matmul(false, false, rows, G, u, state, oH + blk * u, w, recurrentOff, state, oZ + blk * G, 1f);
                long outBase, outStride;
                if (returnSequences) {
                    outBase = (long) s * u;
                    outStride = (long) T * u;
                } else if (s == T - 1) {
                    outBase = 0;
                    outStride = u;
                } else {
                    outBase = -1;
                    outStride = 0;
                }
                forwardStep(state, oZ + blk * G, oA + blk * G, oC + blk * u, s > 0 ? oC + (blk - R) * u : -1,
                        oTC + blk * u, oH + (blk + R) * u, w, b, out, outBase, outStride, rows, u,
                        ac, activation, rc, recurrentActivation);
            }
        }

        /**
         * Backward through time after {@link #forward} on the same {@code x}, {@code w} and
         * {@code state}: given {@code outGrad} (dLoss/dout, shaped as out), OVERWRITES the kernel,
         * recurrent-kernel and bias gradients at the same offsets of {@code g}, and writes
         * {@code inGrad [rows, T, F]} unless it is {@link MemorySegment#NULL}. {@code x} is not read
         * (state holds its copy); {@code outGrad} is not modified. Allocates nothing.
         */
        public void backward(MemorySegment x, MemorySegment w, long kernelOff, long recurrentOff, long biasOff,
                             MemorySegment state, MemorySegment scratch, MemorySegment outGrad, MemorySegment g,
                             MemorySegment inGrad, int rows) {
            SequenceKernels.checkRows("LSTM", rows);
            final int T = timesteps, Fe = features, u = units, G = 4 * u;
            final boolean wantIn = inGrad != null && !inGrad.equals(MemorySegment.NULL);
            SequenceKernels.require("LSTM", "state", state, rows * statePerRow(), rows, statePerRow(), this);
            SequenceKernels.require("LSTM", "scratch", scratch, rows * scratchPerRow(), rows, scratchPerRow(), this);
            SequenceKernels.require("LSTM", "outGrad", outGrad, rows * outputPerRow(), rows, outputPerRow(), this);
            if (wantIn) SequenceKernels.require("LSTM", "inGrad", inGrad, rows * inputPerRow(), rows, inputPerRow(), this);
            checkParams("w", w, kernelOff, recurrentOff, biasOff);
            checkParams("g", g, kernelOff, recurrentOff, biasOff);
            final long R = rows, oZ = T * R * Fe, oA = oZ + T * R * G, oC = oA + T * R * G, oTC = oC + T * R * u,
                    oH = oTC + T * R * u;
            final long oDZ = 0, oDH = T * R * G, oDC = oDH + R * u, oDX = oDC + R * u;
            if (rows == 0) {
                SequenceKernels.zero(g, kernelOff, kernelSize());
                SequenceKernels.zero(g, recurrentOff, recurrentSize());
                if (useBias) SequenceKernels.zero(g, biasOff, biasSize());
                return;
            }
            final int ac = SequenceKernels.code(activation), rc = SequenceKernels.code(recurrentActivation);
            final long b = useBias ? biasOff : -1;

            SequenceKernels.zero(scratch, oDC, R * u);
            for (int s = T - 1; s >= 0; s--) {
                long blk = s * R;
                long ogBase, ogStride;
                if (returnSequences) {
                    ogBase = (long) s * u;
                    ogStride = (long) T * u;
                } else if (s == T - 1) {
                    ogBase = 0;
                    ogStride = u;
                } else {
                    ogBase = -1;
                    ogStride = 0;
                }
                backwardStep(state, oZ + blk * G, oA + blk * G, oC + blk * u, s > 0 ? oC + (blk - R) * u : -1,
                        oTC + blk * u, w, b, outGrad, ogBase, ogStride, scratch, oDZ + blk * G, oDH, s < T - 1,
                        oDC, rows, u, ac, activation, rc, recurrentActivation);
                if (s > 0) DenseKernels.matmul(false, true, rows, u, G, scratch, oDZ + blk * G, w, recurrentOff, scratch, oDH, 0f);
            }
            // dW = Xᵀ·dZ, dU = H_prevᵀ·dZ over steps 1..T-1 (h_{-1} = 0), db = Σ dZ, dX = dZ·Wᵀ
            DenseKernels.matmul(true, false, Fe, G, T * rows, state, 0, scratch, oDZ, g, kernelOff, 0f);
            if (T > 1) {
                DenseKernels.matmul(true, false, u, G, (T - 1) * rows, state, oH + R * u, scratch, oDZ + R * G, g, recurrentOff, 0f);
            } else {
                SequenceKernels.zero(g, recurrentOff, recurrentSize());
            }
            if (useBias) SequenceKernels.columnSums(scratch, oDZ, T * R, G, G, g, biasOff);
            if (wantIn) {
                DenseKernels.matmul(false, true, T * rows, Fe, G, scratch, oDZ, w, kernelOff, scratch, oDX, 0f);
                SequenceKernels.fromStepMajor(scratch, oDX, inGrad, rows, T, Fe, goBackwards);
            }
        }
    }

    // One method per fused loop, so each is compiled with its accessors inlined.

    /** Gates, cell and state of one step for all rows; {@code cPrev}/{@code b}/{@code outBase} −1 when absent. */
    private static void forwardStep(MemorySegment st, long z, long a, long c, long cPrev, long tc, long h,
                                    MemorySegment w, long b, MemorySegment out, long outBase, long outStride,
                                    int rows, int u, int ac, ActivationType act, int rc, ActivationType rec) {
        final int G = 4 * u;
        for (int r = 0; r < rows; r++) {
            long zr = z + (long) r * G, ar = a + (long) r * G, cr = c + (long) r * u, pr = cPrev + (long) r * u;
            long tr = tc + (long) r * u, hr = h + (long) r * u, or = outBase + r * outStride;
            for (int j = 0; j < u; j++) {
                float zi = st.getAtIndex(F, zr + j), zf = st.getAtIndex(F, zr + u + j);
                float zc = st.getAtIndex(F, zr + 2 * u + j), zo = st.getAtIndex(F, zr + 3 * u + j);
                if (b >= 0) {
                    zi += w.getAtIndex(F, b + j);
                    zf += w.getAtIndex(F, b + u + j);
                    zc += w.getAtIndex(F, b + 2 * u + j);
                    zo += w.getAtIndex(F, b + 3 * u + j);
                }
                float i = SequenceKernels.act(rc, rec, zi), f = SequenceKernels.act(rc, rec, zf);
                float gg = SequenceKernels.act(ac, act, zc), o = SequenceKernels.act(rc, rec, zo);
                float cp = cPrev >= 0 ? st.getAtIndex(F, pr + j) : 0f;
                float cn = f * cp + i * gg;
                float t = SequenceKernels.act(ac, act, cn);
                float hv = o * t;
                st.setAtIndex(F, ar + j, i);
                st.setAtIndex(F, ar + u + j, f);
                st.setAtIndex(F, ar + 2 * u + j, gg);
                st.setAtIndex(F, ar + 3 * u + j, o);
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
    private static void backwardStep(MemorySegment st, long z, long a, long c, long cPrev, long tc,
                                     MemorySegment w, long b, MemorySegment og, long ogBase, long ogStride,
                                     MemorySegment sc, long dz, long dh, boolean hasRec, long dc,
                                     int rows, int u, int ac, ActivationType act, int rc, ActivationType rec) {
        final int G = 4 * u;
        for (int r = 0; r < rows; r++) {
            long zr = z + (long) r * G, ar = a + (long) r * G, cr = c + (long) r * u, pr = cPrev + (long) r * u;
            long tr = tc + (long) r * u, gr = ogBase + r * ogStride, dzr = dz + (long) r * G;
            long dhr = dh + (long) r * u, dcr = dc + (long) r * u;
            for (int j = 0; j < u; j++) {
                float d = (ogBase >= 0 ? og.getAtIndex(F, gr + j) : 0f) + (hasRec ? sc.getAtIndex(F, dhr + j) : 0f);
                float i = st.getAtIndex(F, ar + j), f = st.getAtIndex(F, ar + u + j);
                float gg = st.getAtIndex(F, ar + 2 * u + j), o = st.getAtIndex(F, ar + 3 * u + j);
                float cn = st.getAtIndex(F, cr + j), t = st.getAtIndex(F, tr + j);
                float cp = cPrev >= 0 ? st.getAtIndex(F, pr + j) : 0f;
                float dcv = sc.getAtIndex(F, dcr + j) + d * o * SequenceKernels.deriv(ac, act, cn, t);
                float dO = d * t, dI = dcv * gg, dG = dcv * i, dF = dcv * cp;
                sc.setAtIndex(F, dcr + j, dcv * f);
                sc.setAtIndex(F, dzr + j, dI * dpre(rc, rec, st, zr + j, w, b, j, i));
                sc.setAtIndex(F, dzr + u + j, dF * dpre(rc, rec, st, zr + u + j, w, b, u + j, f));
                sc.setAtIndex(F, dzr + 2 * u + j, dG * dpre(ac, act, st, zr + 2 * u + j, w, b, 2 * u + j, gg));
                sc.setAtIndex(F, dzr + 3 * u + j, dO * dpre(rc, rec, st, zr + 3 * u + j, w, b, 3 * u + j, o));
            }
        }
    }

    /** The activation's derivative at a stored pre-activation (plus bias), from its value when it can. */
    static float dpre(int code, ActivationType t, MemorySegment st, long zi, MemorySegment w, long b, int j, float a) {
        if (code == TANH) return 1f - a * a;
        if (code == SIGMOID) return a * (1f - a);
        float z = st.getAtIndex(F, zi) + (b >= 0 ? w.getAtIndex(F, b + j) : 0f);
        return (float) Activations.derivative(t, Double.NaN, z);
    }
}
