package io.nerva.runtime.kernels;

import static io.nerva.annotations.ActivationType.ELU;
import static io.nerva.annotations.ActivationType.HARD_SIGMOID;
import static io.nerva.annotations.ActivationType.LINEAR;
import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SIGMOID;
import static io.nerva.annotations.ActivationType.TANH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** SimpleRNN forward against a per-sample double reference, backward against finite differences. */
class SimpleRnnKernelsTest {
    static final int T = 4, F = 3, U = 5, ROWS = 3;

    static RecurrentCheck.Case rnn(SimpleRnnKernels.Spec sp) {
        int u = sp.units();
        int kOff = 1, rOff = kOff + sp.features() * u, bOff = sp.useBias() ? rOff + u * u : -1;
        int end = (sp.useBias() ? bOff + u : rOff + u * u) + 2;
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
                        ? new int[][] {{kOff, rOff}, {rOff, bOff}, {bOff, bOff + u}}
                        : new int[][] {{kOff, rOff}, {rOff, end - 2}};
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
                int t0 = sp.timesteps(), f0 = sp.features();
                double[] out = new double[rows * (int) sp.outputPerRow()];
                for (int n = 0; n < rows; n++) {
                    double[] h = new double[u], z = new double[u];
                    for (int s = 0; s < t0; s++) {
                        int t = sp.goBackwards() ? t0 - 1 - s : s;
                        for (int k = 0; k < u; k++) {
                            z[k] = (bOff >= 0 ? w[bOff + k] : 0)
                                    + RecurrentCheck.dot(x, (n * t0 + t) * f0, w, kOff + k, u, f0)
                                    + RecurrentCheck.dot(h, 0, w, rOff + k, u, u);
                        }
                        for (int j = 0; j < u; j++) {
                            h[j] = RecurrentCheck.f(sp.activation(), z[j]);
                            if (sp.returnSequences()) out[(n * t0 + s) * u + j] = h[j];
                        }
                    }
                    if (!sp.returnSequences()) System.arraycopy(h, 0, out, n * u, u);
                }
                return out;
            }
        };
    }

    static SimpleRnnKernels.Spec spec(boolean bias, boolean seq, boolean back, ActivationType act) {
        return new SimpleRnnKernels.Spec(T, F, U, bias, seq, back, act);
    }

    @Test
    void defaultLastState() {
        RecurrentCheck.check("rnn", rnn(spec(true, false, false, TANH)), ROWS, 21);
    }

    @Test
    void returnSequencesAndGoBackwards() {
        RecurrentCheck.check("rnn seq", rnn(spec(true, true, false, TANH)), ROWS, 22);
        RecurrentCheck.check("rnn back", rnn(spec(true, false, true, TANH)), ROWS, 23);
        RecurrentCheck.check("rnn back seq", rnn(spec(true, true, true, TANH)), ROWS, 24);
    }

    @Test
    void rowPartsOnSeveralThreadsMatchTheReference() {
        SequenceKernels.forcedParts = 3;
        try {
            RecurrentCheck.check("rnn 3 parts", rnn(spec(true, false, false, TANH)), 7, 30);
            RecurrentCheck.check("rnn 3 parts seq back", rnn(spec(true, true, true, TANH)), 8, 31);
            RecurrentCheck.check("rnn 2 parts no bias", rnn(spec(false, true, false, TANH)), 5, 32);
        } finally {
            SequenceKernels.forcedParts = 0;
        }
    }

    @Test
    void noBias() {
        RecurrentCheck.check("rnn no bias", rnn(spec(false, true, false, TANH)), ROWS, 25);
    }

    @Test
    void nonDefaultActivations() {
        RecurrentCheck.check("rnn relu", rnn(spec(true, true, false, RELU)), ROWS, 26);
        RecurrentCheck.check("rnn sigmoid", rnn(spec(true, false, true, SIGMOID)), ROWS, 27);
        RecurrentCheck.check("rnn hard_sigmoid", rnn(spec(true, true, false, HARD_SIGMOID)), ROWS, 28);
        RecurrentCheck.check("rnn linear", rnn(spec(false, true, false, LINEAR)), ROWS, 29);
        RecurrentCheck.check("rnn elu", rnn(spec(true, true, true, ELU)), ROWS, 30);
    }

    @Test
    void oneStepOneRowAndLargerShapes() {
        RecurrentCheck.check("rnn T=1", rnn(new SimpleRnnKernels.Spec(1, F, U, true, false, false, TANH)), ROWS, 31);
        RecurrentCheck.check("rnn rows=1", rnn(spec(true, true, false, TANH)), 1, 32);
        RecurrentCheck.check("rnn big", rnn(new SimpleRnnKernels.Spec(5, 9, 12, true, true, true, TANH)), 6, 33);
    }

    @Test
    void formulasAndSizeChecks() {
        SimpleRnnKernels.Spec s = spec(true, false, false, TANH);
        assertEquals(T * (F + 2 * U) + U, s.statePerRow());
        assertEquals(T * (F + U) + U, s.scratchPerRow());
        int wSize = F * U + U * U + U;
        MemorySegment x = Mem.zeros(ROWS * T * F), w = Mem.zeros(wSize), st = Mem.zeros(ROWS * s.statePerRow());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> s.forward(x, w, 0, F * U, F * U + U * U, st, Mem.zeros(ROWS * U - 2), ROWS));
        assertTrue(
                e.getMessage()
                        .contains("SimpleRNN: out holds " + (ROWS * U - 2) + " floats, expected at least " + ROWS * U),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> s.forward(x, w, 0, F * U, F * U + U * U, Mem.zeros(8), Mem.zeros(ROWS * U), ROWS));
        assertTrue(
                e.getMessage().contains("SimpleRNN: state holds 8 floats, expected at least " + ROWS * s.statePerRow()),
                e.getMessage());
        SimpleRnnKernels.Spec nb = spec(false, false, false, TANH);
        e = assertThrows(
                IllegalArgumentException.class, () -> nb.forward(x, w, 0, F * U, 0, st, Mem.zeros(ROWS * U), ROWS));
        assertTrue(e.getMessage().contains("bias offset must be -1"), e.getMessage());
    }
}
