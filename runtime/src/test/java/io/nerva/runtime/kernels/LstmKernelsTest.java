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

/** LSTM forward against a per-sample double reference of Keras' formulas, backward against finite differences. */
class LstmKernelsTest {
    static final int T = 4, F = 3, U = 5, ROWS = 3;

    /** kernel at 2, recurrent after it, bias after that (or none), 3 spare floats at the end. */
    static RecurrentCheck.Case lstm(LstmKernels.Spec sp) {
        int G = 4 * sp.units();
        int kOff = 2, rOff = kOff + sp.features() * G, bOff = sp.useBias() ? rOff + sp.units() * G : -1;
        int end = (sp.useBias() ? bOff + G : rOff + sp.units() * G) + 3;
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
                        ? new int[][] {{kOff, rOff}, {rOff, bOff}, {bOff, bOff + G}}
                        : new int[][] {{kOff, rOff}, {rOff, end - 3}};
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
                return LstmKernelsTest.reference(sp, x, w, kOff, rOff, bOff, rows);
            }
        };
    }

    /** Keras' LSTM, one sample and one step at a time. */
    static double[] reference(LstmKernels.Spec sp, double[] x, double[] w, int kOff, int rOff, int bOff, int rows) {
        int t0 = sp.timesteps(), f0 = sp.features(), u = sp.units(), G = 4 * u;
        double[] out = new double[rows * (int) sp.outputPerRow()];
        for (int n = 0; n < rows; n++) {
            double[] h = new double[u], c = new double[u], z = new double[G];
            for (int s = 0; s < t0; s++) {
                int t = sp.goBackwards() ? t0 - 1 - s : s;
                for (int k = 0; k < G; k++) {
                    z[k] = (bOff >= 0 ? w[bOff + k] : 0)
                            + RecurrentCheck.dot(x, (n * t0 + t) * f0, w, kOff + k, G, f0)
                            + RecurrentCheck.dot(h, 0, w, rOff + k, G, u);
                }
                for (int j = 0; j < u; j++) {
                    double i = RecurrentCheck.f(sp.recurrentActivation(), z[j]);
                    double fg = RecurrentCheck.f(sp.recurrentActivation(), z[u + j]);
                    double cc = RecurrentCheck.f(sp.activation(), z[2 * u + j]);
                    double o = RecurrentCheck.f(sp.recurrentActivation(), z[3 * u + j]);
                    c[j] = fg * c[j] + i * cc;
                    h[j] = o * RecurrentCheck.f(sp.activation(), c[j]);
                    if (sp.returnSequences()) out[(n * t0 + s) * u + j] = h[j];
                }
            }
            if (!sp.returnSequences()) System.arraycopy(h, 0, out, n * u, u);
        }
        return out;
    }

    static LstmKernels.Spec spec(boolean bias, boolean seq, boolean back, ActivationType act, ActivationType rec) {
        return new LstmKernels.Spec(T, F, U, bias, seq, back, act, rec);
    }

    @Test
    void defaultLastState() {
        RecurrentCheck.check("lstm", lstm(spec(true, false, false, TANH, SIGMOID)), ROWS, 1);
    }

    @Test
    void returnSequences() {
        RecurrentCheck.check("lstm seq", lstm(spec(true, true, false, TANH, SIGMOID)), ROWS, 2);
    }

    @Test
    void goBackwardsWithAndWithoutSequences() {
        RecurrentCheck.check("lstm back", lstm(spec(true, false, true, TANH, SIGMOID)), ROWS, 3);
        RecurrentCheck.check("lstm back seq", lstm(spec(true, true, true, TANH, SIGMOID)), ROWS, 4);
    }

    @Test
    void noBias() {
        RecurrentCheck.check("lstm no bias", lstm(spec(false, true, false, TANH, SIGMOID)), ROWS, 5);
    }

    @Test
    void nonDefaultActivations() {
        RecurrentCheck.check("lstm relu/hard_sigmoid", lstm(spec(true, true, false, RELU, HARD_SIGMOID)), ROWS, 6);
        RecurrentCheck.check("lstm linear/softsign", lstm(spec(true, false, true, LINEAR, SOFTSIGN)), ROWS, 7);
        RecurrentCheck.check("lstm sigmoid/tanh", lstm(spec(false, true, false, SIGMOID, TANH)), ROWS, 8);
    }

    @Test
    void oneStepOneRowAndLargerShapes() {
        RecurrentCheck.check(
                "lstm T=1", lstm(new LstmKernels.Spec(1, F, U, true, true, false, TANH, SIGMOID)), ROWS, 9);
        RecurrentCheck.check("lstm rows=1", lstm(spec(true, true, true, TANH, SIGMOID)), 1, 10);
        // big enough that every product goes through BLAS (the small ones run in Java)
        RecurrentCheck.check("lstm big", lstm(new LstmKernels.Spec(3, 7, 9, true, true, false, TANH, SIGMOID)), 5, 11);
    }

    @Test
    void rowPartsOnSeveralThreadsMatchTheReference() {
        // each part runs its rows through all steps alone; the bias gradient adds the parts' sums
        SequenceKernels.forcedParts = 3;
        try {
            RecurrentCheck.check("lstm 3 parts", lstm(spec(true, false, false, TANH, SIGMOID)), 7, 12);
            RecurrentCheck.check("lstm 3 parts seq back", lstm(spec(true, true, true, TANH, SIGMOID)), 8, 13);
            RecurrentCheck.check(
                    "lstm 2 parts no bias",
                    lstm(new LstmKernels.Spec(3, 7, 9, false, true, false, TANH, SIGMOID)),
                    5,
                    14);
        } finally {
            SequenceKernels.forcedParts = 0;
        }
    }

    @Test
    void stateAndScratchFormulas() {
        LstmKernels.Spec s = new LstmKernels.Spec(28, 28, 128, true, false, false, TANH, SIGMOID);
        assertEquals(28L * (28 + 11 * 128) + 128, s.statePerRow());
        assertEquals(28L * (28 + 4 * 128) + 2 * 128, s.scratchPerRow());
        assertEquals(128, s.outputPerRow());
        assertEquals(28 * 128, new LstmKernels.Spec(28, 28, 128, true, true, false, TANH, SIGMOID).outputPerRow());
    }

    @Test
    void undersizedBuffersAreNamed() {
        LstmKernels.Spec s = spec(true, false, false, TANH, SIGMOID);
        int G = 4 * U, wSize = 2 + F * G + U * G + G;
        MemorySegment x = Mem.zeros(ROWS * T * F), w = Mem.zeros(wSize), st = Mem.zeros(ROWS * s.statePerRow());
        MemorySegment out = Mem.zeros(ROWS * U), sc = Mem.zeros(ROWS * s.scratchPerRow());
        long k = 2, r = k + F * G, b = r + U * G;
        var e = assertThrows(IllegalArgumentException.class, () -> s.forward(x, w, k, r, b, Mem.zeros(10), out, ROWS));
        assertTrue(
                e.getMessage().contains("state")
                        && e.getMessage().contains("10")
                        && e.getMessage().contains(String.valueOf(ROWS * s.statePerRow())),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.forward(Mem.zeros(5), w, k, r, b, st, out, ROWS));
        assertTrue(
                e.getMessage().contains("x holds 5 floats") && e.getMessage().contains(String.valueOf(ROWS * T * F)),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> s.forward(x, w, k, r, b, st, Mem.zeros(ROWS * U - 1), ROWS));
        assertTrue(e.getMessage().contains("out holds " + (ROWS * U - 1)), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> s.forward(x, Mem.zeros(wSize - 1), k, r, b, st, out, ROWS));
        assertTrue(e.getMessage().contains("w holds") && e.getMessage().contains("bias"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.forward(x, w, k, r, -1, st, out, ROWS));
        assertTrue(e.getMessage().contains("bias offset -1 is negative"), e.getMessage());
        s.forward(x, w, k, r, b, st, out, ROWS);
        e = assertThrows(
                IllegalArgumentException.class,
                () -> s.backward(x, w, k, r, b, st, Mem.zeros(3), out, Mem.zeros(wSize), MemorySegment.NULL, ROWS));
        assertTrue(e.getMessage().contains("scratch holds 3 floats"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> s.backward(x, w, k, r, b, st, sc, out, Mem.zeros(wSize), Mem.zeros(4), ROWS));
        assertTrue(e.getMessage().contains("inGrad holds 4 floats"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> s.backward(x, w, k, r, b, st, sc, out, Mem.zeros(7), MemorySegment.NULL, ROWS));
        assertTrue(e.getMessage().contains("g holds 7 floats"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new LstmKernels.Spec(T, F, U, true, false, false, ActivationType.SOFTMAX, SIGMOID));
        assertTrue(e.getMessage().contains("SOFTMAX"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> new LstmKernels.Spec(T, F, 0, true, false, false, TANH, SIGMOID));
        assertTrue(e.getMessage().contains("units=0"), e.getMessage());
    }
}
