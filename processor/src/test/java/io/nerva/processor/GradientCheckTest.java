package io.nerva.processor;

import io.nerva.processor.nets.MixedModel;
import io.nerva.processor.nets.ThreeLayerModel;
import io.nerva.runtime.Model;
import io.nerva.runtime.Workspace;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static io.nerva.processor.GeneratedNetworkTest.F;
import static io.nerva.processor.GeneratedNetworkTest.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Back-propagation of generated networks against central finite differences of the float32
 * forward pass. The scalar checked is L = Σ output ⊙ R for a fixed random R, so dL/doutput = R.
 *
 * <p>Step and bound: with h = 1e-2 the truncation error of a central difference is about
 * h²·|L'''|/6 ≈ 1e-5 for these smooth nets, and float32 rounding of L (|L| ≲ 10, ε ≈ 6e-8)
 * contributes ε·|L|/h ≈ 6e-5. A bound of 2e-3 + 1e-2·|g| is thus a wide margin that still
 * catches any wrong term (those are off by O(|g|)). Activations with kinks are kept out of
 * these nets; the kernels' own tests check them away from the kink.
 */
class GradientCheckTest {
    private static final float H = 1e-2f;

    @Test
    void threeLayerSoftmaxNet() {
        try (ThreeLayerModel m = ThreeLayerModel.create(5)) {
            check(m, 3);
        }
    }

    @Test
    void flattenNoBiasStandaloneActivationsAndDropoutWithFixedMask() {
        try (MixedModel m = MixedModel.create(9)) {
            check(m, 4);
        }
    }

    private static void check(Model m, int rows) {
        float[] x = random(rows * m.inputSize(), 21);
        float[] r = random(rows * m.outputSize(), 22);
        try (Workspace ws = m.newWorkspace(rows, true, 99)) {
            MemorySegment.copy(x, 0, ws.input(), F, 0, x.length);
            m.forward(ws, rows, true);          // draws the dropout masks once
            ws.freezeDropoutMasks(true);        // ... and keeps them for every evaluation below
            MemorySegment.copy(r, 0, ws.outputGrad(), F, 0, r.length);
            m.backward(ws, rows, false);
            float[] analytic = m.parameters().grads().asSlice(0, m.parameters().count() * 4).toArray(F);

            MemorySegment p = m.parameters().values();
            int worst = -1;
            double worstExcess = 0;
            for (int i = 0; i < analytic.length; i++) {
                float saved = p.getAtIndex(F, i);
                p.setAtIndex(F, i, saved + H);
                double plus = loss(m, ws, rows, r);
                p.setAtIndex(F, i, saved - H);
                double minus = loss(m, ws, rows, r);
                p.setAtIndex(F, i, saved);
                double numeric = (plus - minus) / (2 * H);
                double excess = Math.abs(numeric - analytic[i]) - (2e-3 + 1e-2 * Math.abs(numeric));
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worst = i;
                }
            }
            int w = worst;
            double by = worstExcess;
            assertTrue(worst < 0, () -> m.name() + ": gradient of " + tensorOf(m, w) + " is " + analytic[w]
                    + ", off from the central difference by " + by + " beyond the bound");
        }
    }

    private static String tensorOf(Model m, long index) {
        return m.parameters().specs().stream().filter(s -> index >= s.offset() && index < s.offset() + s.size())
                .map(s -> s.name() + "[" + (index - s.offset()) + "]").findFirst().orElse("#" + index);
    }

    private static double loss(Model m, Workspace ws, int rows, float[] r) {
        m.forward(ws, rows, true);
        double l = 0;
        for (int i = 0; i < r.length; i++) l += (double) ws.output().getAtIndex(F, i) * r[i];
        return l;
    }
}
