package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Test harness for the recurrent kernels: a layer under test is its float kernel (forward and
 * backward) plus an independent double-precision reference forward written in the test. The
 * check runs the kernel forward against the reference, then compares the kernel's backward with
 * central finite differences of {@code L = Σ outGrad ⊙ reference(x, w)} (in double, so the
 * differences are accurate to ~1e-9) for every parameter and every input float.
 */
final class RecurrentCheck {
    private RecurrentCheck() {}

    /** A layer under test, its parameters at {@code kernelOff}/{@code recurrentOff}/{@code biasOff} of a w of {@code wSize} floats. */
    interface Case {
        int inPerRow();

        int outPerRow();

        long statePerRow();

        long scratchPerRow();

        int wSize();

        /** The [from, to) float ranges of w holding parameters, to check against finite differences. */
        int[][] paramRanges();

        void forward(MemorySegment x, MemorySegment w, MemorySegment state, MemorySegment out, int rows);

        void backward(
                MemorySegment x,
                MemorySegment w,
                MemorySegment state,
                MemorySegment scratch,
                MemorySegment outGrad,
                MemorySegment g,
                MemorySegment inGrad,
                int rows);

        /** The reference forward in double precision. */
        double[] reference(double[] x, double[] w, int rows);
    }

    // ------------------------------------------------------------------------------------------
    // Activations, written here again in double (not the library's)
    // ------------------------------------------------------------------------------------------

    static double f(ActivationType t, double x) {
        return switch (t) {
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case RELU -> x > 0 ? x : 0.0;
            case LINEAR -> x;
            case HARD_SIGMOID -> Math.min(1.0, Math.max(0.0, x / 6.0 + 0.5));
            case SOFTSIGN -> x / (1.0 + Math.abs(x));
            case ELU -> x > 0 ? x : Math.exp(x) - 1.0;
            default -> throw new AssertionError("no test reference for " + t);
        };
    }

    static double dot(double[] x, int xOff, double[] w, int wOff, int wStride, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[xOff + i] * w[wOff + i * wStride];
        return s;
    }

    // ------------------------------------------------------------------------------------------
    // The check
    // ------------------------------------------------------------------------------------------

    static final double FWD_TOL = 1e-5, GRAD_ABS = 5e-5, GRAD_REL = 1e-3, EPS = 1e-6;

    static void check(String name, Case c, int rows, long seed) {
        Random rnd = new Random(seed);
        int nIn = rows * c.inPerRow(), nOut = rows * c.outPerRow();
        float[] x = Mem.uniform(rnd, nIn, -1, 1);
        float[] w = Mem.uniform(rnd, c.wSize(), -0.6, 0.6);
        float[] og = Mem.uniform(rnd, nOut, -1, 1);
        double[] xd = Mem.toDouble(x), wd = Mem.toDouble(w), ogd = Mem.toDouble(og);

        // state/scratch/out start as garbage: the kernels must not rely on zeroed buffers
        MemorySegment xs = Mem.of(x), ws = Mem.of(w), ogs = Mem.of(og);
        MemorySegment state = Mem.filled(rows * c.statePerRow(), Float.NaN);
        MemorySegment scratch = Mem.filled(rows * c.scratchPerRow(), Float.NaN);
        MemorySegment out = Mem.filled(nOut, Float.NaN);
        c.forward(xs, ws, state, out, rows);

        double[] ref = c.reference(xd, wd, rows);
        assertEquals(nOut, ref.length, name + ": reference output size");
        for (int i = 0; i < nOut; i++) {
            double want = ref[i], got = Mem.at(out, i);
            if (!(Math.abs(got - want) <= FWD_TOL * (1 + Math.abs(want)))) {
                fail(name + ": forward out[" + i + "] = " + got + ", reference " + want);
            }
        }

        MemorySegment g = Mem.filled(c.wSize(), 42f), inGrad = Mem.filled(nIn, 42f);
        c.backward(xs, ws, state, scratch, ogs, g, inGrad, rows);
        for (int i = 0; i < nOut; i++) assertEquals(og[i], Mem.at(ogs, i), name + ": outGrad modified");

        int checked = 0;
        for (int[] range : c.paramRanges()) {
            for (int p = range[0]; p < range[1]; p++, checked++) {
                double fd = fd(c, xd, wd, ogd, rows, wd, p);
                assertClose(name + ": d/dw[" + p + "] (range " + range[0] + ".." + range[1] + ")", fd, Mem.at(g, p));
            }
        }
        for (int p = 0; p < nIn; p++, checked++) {
            double fd = fd(c, xd, wd, ogd, rows, xd, p);
            assertClose(name + ": d/dx[" + p + "]", fd, Mem.at(inGrad, p));
        }
        assertTrue(checked > 0);

        // without an input gradient: the same parameter gradients (inGrad NULL is allowed)
        MemorySegment g2 = Mem.filled(c.wSize(), -7f);
        MemorySegment scratch2 = Mem.filled(rows * c.scratchPerRow(), Float.NaN);
        c.backward(xs, ws, state, scratch2, ogs, g2, MemorySegment.NULL, rows);
        for (int[] range : c.paramRanges()) {
            for (int p = range[0]; p < range[1]; p++) {
                assertEquals(
                        Mem.at(g, p),
                        Mem.at(g2, p),
                        1e-6 * (1 + Math.abs(Mem.at(g, p))),
                        name + ": dw[" + p + "] with inGrad NULL");
            }
        }
    }

    private static double loss(Case c, double[] x, double[] w, double[] og, int rows) {
        double[] y = c.reference(x, w, rows);
        double s = 0;
        for (int i = 0; i < y.length; i++) s += og[i] * y[i];
        return s;
    }

    /** Central difference of the loss in entry {@code p} of {@code v} (which is x or w). */
    private static double fd(Case c, double[] x, double[] w, double[] og, int rows, double[] v, int p) {
        double keep = v[p];
        v[p] = keep + EPS;
        double up = loss(c, x, w, og, rows);
        v[p] = keep - EPS;
        double down = loss(c, x, w, og, rows);
        v[p] = keep;
        return (up - down) / (2 * EPS);
    }

    private static void assertClose(String what, double want, double got) {
        if (!(Math.abs(got - want) <= GRAD_ABS + GRAD_REL * Math.abs(want))) {
            fail(what + ": kernel " + got + ", finite difference " + want);
        }
    }
}
