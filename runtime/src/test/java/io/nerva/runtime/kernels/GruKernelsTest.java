package io.nerva.runtime.kernels;

import static io.nerva.annotations.ActivationType.HARD_SIGMOID;
import static io.nerva.annotations.ActivationType.LINEAR;
import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SIGMOID;
import static io.nerva.annotations.ActivationType.SOFTSIGN;
import static io.nerva.annotations.ActivationType.TANH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** GRU (resetAfter true and false) forward against a per-sample double reference, backward against finite differences. */
class GruKernelsTest {
    static final int T = 4, F = 3, U = 5, ROWS = 3;

    static RecurrentCheck.Case gru(GruKernels.Spec sp) {
        int u = sp.units(), G = 3 * u;
        int kOff = 3, rOff = kOff + sp.features() * G, bOff = sp.useBias() ? rOff + u * G : -1;
        int bSize = (int) sp.biasSize();
        int end = (sp.useBias() ? bOff + bSize : rOff + u * G) + 1;
        return new RecurrentCheck.Case() {
            public int inPerRow() {
                return sp.timesteps() * sp.features();
            }

            public int outPerRow() {
                return (int) sp.outputPerRow();
            }

            public long statePerRow() {
                return sp.statePerRow();
            }

            public long scratchPerRow() {
                return sp.scratchPerRow();
            }

            public int wSize() {
                return end;
            }

            public int[][] paramRanges() {
                return sp.useBias()
                        ? new int[][] {{kOff, rOff}, {rOff, bOff}, {bOff, bOff + bSize}}
                        : new int[][] {{kOff, rOff}, {rOff, end - 1}};
            }

            public void forward(MemorySegment x, MemorySegment w, MemorySegment state, MemorySegment out, int rows) {
                sp.forward(x, w, kOff, rOff, bOff, state, out, rows);
            }

            public void backward(
                    MemorySegment x,
                    MemorySegment w,
                    MemorySegment state,
                    MemorySegment scratch,
                    MemorySegment outGrad,
                    MemorySegment g,
                    MemorySegment inGrad,
                    int rows) {
                sp.backward(x, w, kOff, rOff, bOff, state, scratch, outGrad, g, inGrad, rows);
            }

            public double[] reference(double[] x, double[] w, int rows) {
                return GruKernelsTest.reference(sp, x, w, kOff, rOff, bOff, rows);
            }
        };
    }

    /** Keras' GRU, one sample and one step at a time, both forms. */
    static double[] reference(GruKernels.Spec sp, double[] x, double[] w, int kOff, int rOff, int bOff, int rows) {
        int t0 = sp.timesteps(), f0 = sp.features(), u = sp.units(), G = 3 * u;
        ActivationType act = sp.activation(), rec = sp.recurrentActivation();
        double[] out = new double[rows * (int) sp.outputPerRow()];
        for (int n = 0; n < rows; n++) {
            double[] h = new double[u], xw = new double[G], hu = new double[G], rh = new double[u];
            for (int s = 0; s < t0; s++) {
                int t = sp.goBackwards() ? t0 - 1 - s : s;
                for (int k = 0; k < G; k++) xw[k] = RecurrentCheck.dot(x, (n * t0 + t) * f0, w, kOff + k, G, f0);
                for (int k = 0; k < G; k++) hu[k] = RecurrentCheck.dot(h, 0, w, rOff + k, G, u);
                double[] hn = new double[u];
                if (sp.resetAfter()) {
                    for (int j = 0; j < u; j++) {
                        double bi = bOff >= 0 ? 1 : 0;
                        double z = RecurrentCheck.f(
                                rec, xw[j] + bi * w[Math.max(bOff, 0) + j] + hu[j] + bi * w[Math.max(bOff, 0) + G + j]);
                        double r = RecurrentCheck.f(
                                rec,
                                xw[u + j]
                                        + bi * w[Math.max(bOff, 0) + u + j]
                                        + hu[u + j]
                                        + bi * w[Math.max(bOff, 0) + G + u + j]);
                        double cand = RecurrentCheck.f(
                                act,
                                xw[2 * u + j]
                                        + bi * w[Math.max(bOff, 0) + 2 * u + j]
                                        + r * (hu[2 * u + j] + bi * w[Math.max(bOff, 0) + G + 2 * u + j]));
                        hn[j] = z * h[j] + (1 - z) * cand;
                    }
                } else {
                    double[] z = new double[u];
                    for (int j = 0; j < u; j++) {
                        double bi = bOff >= 0 ? 1 : 0;
                        z[j] = RecurrentCheck.f(rec, xw[j] + hu[j] + bi * w[Math.max(bOff, 0) + j]);
                        double r = RecurrentCheck.f(rec, xw[u + j] + hu[u + j] + bi * w[Math.max(bOff, 0) + u + j]);
                        rh[j] = r * h[j];
                    }
                    for (int j = 0; j < u; j++) {
                        double bi = bOff >= 0 ? 1 : 0;
                        double cand = RecurrentCheck.f(
                                act,
                                xw[2 * u + j]
                                        + RecurrentCheck.dot(rh, 0, w, rOff + 2 * u + j, G, u)
                                        + bi * w[Math.max(bOff, 0) + 2 * u + j]);
                        hn[j] = z[j] * h[j] + (1 - z[j]) * cand;
                    }
                }
                h = hn;
                if (sp.returnSequences()) System.arraycopy(h, 0, out, (n * t0 + s) * u, u);
            }
            if (!sp.returnSequences()) System.arraycopy(h, 0, out, n * u, u);
        }
        return out;
    }

    static GruKernels.Spec spec(
            boolean bias, boolean seq, boolean back, boolean resetAfter, ActivationType act, ActivationType rec) {
        return new GruKernels.Spec(T, F, U, bias, seq, back, resetAfter, act, rec);
    }

    @Test
    void resetAfterDefault() {
        RecurrentCheck.check("gru", gru(spec(true, false, false, true, TANH, SIGMOID)), ROWS, 41);
        RecurrentCheck.check("gru seq", gru(spec(true, true, false, true, TANH, SIGMOID)), ROWS, 42);
    }

    @Test
    void resetBefore() {
        RecurrentCheck.check("gru before", gru(spec(true, false, false, false, TANH, SIGMOID)), ROWS, 43);
        RecurrentCheck.check("gru before seq", gru(spec(true, true, false, false, TANH, SIGMOID)), ROWS, 44);
    }

    @Test
    void goBackwards() {
        RecurrentCheck.check("gru back", gru(spec(true, false, true, true, TANH, SIGMOID)), ROWS, 45);
        RecurrentCheck.check("gru back seq before", gru(spec(true, true, true, false, TANH, SIGMOID)), ROWS, 46);
    }

    @Test
    void noBias() {
        RecurrentCheck.check("gru no bias", gru(spec(false, true, false, true, TANH, SIGMOID)), ROWS, 47);
        RecurrentCheck.check("gru no bias before", gru(spec(false, true, true, false, TANH, SIGMOID)), ROWS, 48);
    }

    @Test
    void nonDefaultActivations() {
        RecurrentCheck.check("gru relu/hard_sigmoid", gru(spec(true, true, false, true, RELU, HARD_SIGMOID)), ROWS, 49);
        RecurrentCheck.check(
                "gru relu/hard_sigmoid before", gru(spec(true, true, false, false, RELU, HARD_SIGMOID)), ROWS, 50);
        RecurrentCheck.check("gru linear/softsign", gru(spec(true, false, true, true, LINEAR, SOFTSIGN)), ROWS, 51);
        RecurrentCheck.check("gru sigmoid/tanh before", gru(spec(true, true, false, false, SIGMOID, TANH)), ROWS, 52);
    }

    @Test
    void oneStepOneRowAndLargerShapes() {
        for (boolean ra : new boolean[] {true, false}) {
            RecurrentCheck.check(
                    "gru T=1 " + ra, gru(new GruKernels.Spec(1, F, U, true, true, false, ra, TANH, SIGMOID)), ROWS, 53);
            RecurrentCheck.check("gru rows=1 " + ra, gru(spec(true, true, false, ra, TANH, SIGMOID)), 1, 54);
            RecurrentCheck.check(
                    "gru big " + ra, gru(new GruKernels.Spec(3, 8, 11, true, true, true, ra, TANH, SIGMOID)), 5, 55);
        }
    }

    @Test
    void rowPartsOnSeveralThreadsMatchTheReference() {
        // resetAfter TANH/SIGMOID runs its rows in parts; the bias gradient adds the parts' sums
        SequenceKernels.forcedParts = 3;
        try {
            RecurrentCheck.check("gru 3 parts", gru(spec(true, false, false, true, TANH, SIGMOID)), 7, 60);
            RecurrentCheck.check("gru 3 parts seq back", gru(spec(true, true, true, true, TANH, SIGMOID)), 8, 61);
            RecurrentCheck.check(
                    "gru 2 parts no bias",
                    gru(new GruKernels.Spec(3, 7, 9, false, true, false, true, TANH, SIGMOID)),
                    5,
                    62);
        } finally {
            SequenceKernels.forcedParts = 0;
        }
    }

    @Test
    void formulasAndSizeChecks() {
        GruKernels.Spec a = spec(true, false, false, true, TANH, SIGMOID),
                b = spec(true, false, false, false, TANH, SIGMOID);
        assertEquals(T * (F + 10 * U) + U, a.statePerRow());
        assertEquals(T * (F + 6 * U) + U, a.scratchPerRow());
        assertEquals(T * (F + 8 * U) + U, b.statePerRow());
        assertEquals(T * (F + 3 * U) + 2 * U, b.scratchPerRow());
        assertEquals(6 * U, a.biasSize());
        assertEquals(3 * U, b.biasSize());
        int G = 3 * U, k = 0, r = F * G, bias = r + U * G;
        // a [3u] bias is too short for resetAfter's [2, 3u]
        MemorySegment w = Mem.zeros(bias + 3 * U), x = Mem.zeros(ROWS * T * F);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> a.forward(x, w, k, r, bias, Mem.zeros(ROWS * a.statePerRow()), Mem.zeros(ROWS * U), ROWS));
        assertTrue(
                e.getMessage()
                        .contains("GRU: w holds " + (bias + 3 * U) + " floats, expected at least " + (bias + 6 * U)
                                + " for bias"),
                e.getMessage());
        b.forward(x, w, k, r, bias, Mem.zeros(ROWS * b.statePerRow()), Mem.zeros(ROWS * U), ROWS);
        e = assertThrows(
                IllegalArgumentException.class,
                () -> b.backward(
                        x,
                        w,
                        k,
                        r,
                        bias,
                        Mem.zeros(ROWS * b.statePerRow()),
                        Mem.zeros(ROWS * b.scratchPerRow()),
                        Mem.zeros(ROWS * U - 1),
                        Mem.zeros(bias + 3 * U),
                        MemorySegment.NULL,
                        ROWS));
        assertTrue(e.getMessage().contains("GRU: outGrad holds " + (ROWS * U - 1)), e.getMessage());
    }
}
