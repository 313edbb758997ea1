package io.nerva.processor;

import static io.nerva.processor.GeneratedNetworkTest.F;
import static io.nerva.processor.GeneratedNetworkTest.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.runtime.Model;
import io.nerva.runtime.core.Workspace;
import java.lang.foreign.MemorySegment;

/**
 * Back-propagation of a generated network against central finite differences of its float32
 * forward pass. The scalar checked is L = Σ output ⊙ R for a fixed random R, so dL/doutput = R.
 *
 * <p>Step and bound: with h = 1e-2 the truncation error of a central difference is about
 * h²·|L'''|/6 ≈ 1e-5 for smooth nets, and float32 rounding of L (|L| ≲ 10, ε ≈ 6e-8)
 * contributes ε·|L|/h ≈ 6e-5. A bound of 2e-3 + 1e-2·|g| is thus a wide margin that still
 * catches any wrong term (those are off by O(|g|)). Nets with kinks (relu, max pool) keep their
 * inputs away from the kink or use a smaller h, as their tests explain. Dropout masks are drawn
 * once and then frozen.
 */
final class GradientCheck {
    private GradientCheck() {}

    static void check(Model m, int rows, float h) {
        check(m, random(rows * m.inputSize(), 21), rows, h);
    }

    /** As {@link #check(Model, int, float)} on the given input (token ids, where random floats would not do). */
    static void check(Model m, float[] x, int rows, float h) {
        float[] r = random(rows * m.outputSize(), 22);
        try (Workspace ws = m.newWorkspace(rows, true, 99)) {
            MemorySegment.copy(x, 0, ws.input(), F, 0, x.length);
            m.forward(ws, rows, true); // draws the dropout masks once
            ws.freezeDropoutMasks(true); // ... and keeps them for every evaluation below
            MemorySegment.copy(r, 0, ws.outputGrad(), F, 0, r.length);
            m.backward(ws, rows, false);
            float[] analytic = m.parameters()
                    .grads()
                    .asSlice(0, m.parameters().count() * 4)
                    .toArray(F);
            for (float a : analytic) assertTrue(Float.isFinite(a), m.name() + ": non-finite gradient");

            MemorySegment p = m.parameters().values();
            int worst = -1;
            double worstExcess = 0;
            for (int i = 0; i < analytic.length; i++) {
                float saved = p.getAtIndex(F, i);
                p.setAtIndex(F, i, saved + h);
                double plus = loss(m, ws, rows, r);
                p.setAtIndex(F, i, saved - h);
                double minus = loss(m, ws, rows, r);
                p.setAtIndex(F, i, saved);
                double numeric = (plus - minus) / (2 * h);
                double excess = Math.abs(numeric - analytic[i]) - (2e-3 + 1e-2 * Math.abs(numeric));
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worst = i;
                }
            }
            int w = worst;
            double by = worstExcess;
            assertTrue(
                    worst < 0,
                    () -> m.name() + ": gradient of " + tensorOf(m, w) + " is " + analytic[w]
                            + ", off from the central difference by " + by + " beyond the bound");
        }
    }

    private static String tensorOf(Model m, long index) {
        return m.parameters().specs().stream()
                .filter(s -> index >= s.offset() && index < s.offset() + s.size())
                .map(s -> s.name() + "[" + (index - s.offset()) + "]")
                .findFirst()
                .orElse("#" + index);
    }

    private static double loss(Model m, Workspace ws, int rows, float[] r) {
        m.forward(ws, rows, true);
        double l = 0;
        for (int i = 0; i < r.length; i++) l += (double) ws.output().getAtIndex(F, i) * r[i];
        return l;
    }
}
