package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The fast float tanh/sigmoid against Math in double, and the step-major copies. */
class SequenceKernelsTest {

    @Test
    void tanhIsAccurateToFourTenthsOfAMillionthRelative() {
        double worst = 0;
        for (int i = -2_000_000; i <= 2_000_000; i++) {
            float x = i * 1e-5f; // [-20, 20]
            double want = Math.tanh(x), got = SequenceKernels.tanhF(x);
            double rel = want == 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
            worst = Math.max(worst, rel);
        }
        assertTrue(worst < 4e-7, "tanh worst relative error " + worst);
        assertEquals(1f, SequenceKernels.tanhF(Float.POSITIVE_INFINITY));
        assertEquals(-1f, SequenceKernels.tanhF(-1e30f));
        assertEquals(1e-20f, SequenceKernels.tanhF(1e-20f), 1e-27f);
        assertTrue(Float.isNaN(SequenceKernels.tanhF(Float.NaN)));
    }

    @Test
    void sigmoidIsAccurateToThreeTenthsOfAMillionthAbsolute() {
        double worstAbs = 0, worstRel = 0;
        for (int i = -3_000_000; i <= 3_000_000; i++) {
            float x = i * 1e-5f; // [-30, 30]
            double want = 1 / (1 + Math.exp(-(double) x)), got = SequenceKernels.sigmoidF(x);
            worstAbs = Math.max(worstAbs, Math.abs(got - want));
            if (want > 0.2) worstRel = Math.max(worstRel, Math.abs(got - want) / want);
        }
        assertTrue(worstAbs < 3e-7, "sigmoid worst absolute error " + worstAbs);
        assertTrue(worstRel < 1e-6, "sigmoid worst relative error above 0.2: " + worstRel);
        assertEquals(0.5f, SequenceKernels.sigmoidF(0f));
        assertEquals(1f, SequenceKernels.sigmoidF(Float.POSITIVE_INFINITY));
        assertEquals(0f, SequenceKernels.sigmoidF(Float.NEGATIVE_INFINITY), 2e-7f);
    }

    @Test
    void stepMajorCopiesRoundTripInBothDirections() {
        int rows = 2, t = 3, w = 17; // 17 ≥ the bulk-copy threshold; also 2 below it
        for (int width : new int[] {2, w}) {
            float[] x = new float[rows * t * width];
            for (int i = 0; i < x.length; i++) x[i] = i;
            for (boolean back : new boolean[] {false, true}) {
                MemorySegment xs = Mem.zeros(x.length + 5), y = Mem.zeros(x.length);
                SequenceKernels.toStepMajor(Mem.of(x), xs, 5, rows, t, width, back);
                // step 0 of row 1 is time 0 (or T-1 going backwards)
                int time = back ? t - 1 : 0;
                assertEquals(x[(1 * t + time) * width], Mem.at(xs, 5 + width));
                SequenceKernels.fromStepMajor(xs, 5, y, rows, t, width, back);
                assertArrayEquals(x, Mem.get(y, x.length));
            }
        }
    }
}
