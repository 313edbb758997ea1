package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.Initializer;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RegularizationTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private static Parameters params() {
        return new Parameters(
                List.of(
                        new ParamSpec("d.kernel", new int[] {2, 3}, 0, Initializer.ZEROS, 0, 2, 3, 0.01, 0.02),
                        new ParamSpec("d.bias", new int[] {3}, 6, Initializer.ZEROS, 0, 2, 3),
                        new ParamSpec("e.kernel", new int[] {3}, 9, Initializer.ZEROS, 0, 3, 1, 0, 0.5)),
                true);
    }

    @Test
    void noPenaltiesCostNothing() {
        try (Parameters p = new Parameters(
                List.of(new ParamSpec("d.kernel", new int[] {2}, 0, Initializer.ZEROS, 0, 1, 2)), true)) {
            assertNull(Regularization.of(p));
        }
    }

    @Test
    void penaltyIsTheKerasSumAndItsGradientMatchesFiniteDifferences() {
        try (Parameters p = params()) {
            Random r = new Random(7);
            float[] w = new float[12];
            for (int i = 0; i < w.length; i++) {
                float v = 0.2f + r.nextFloat(); // away from 0, the kink of |w|
                w[i] = r.nextBoolean() ? v : -v;
            }
            p.copyFrom(w);
            Regularization reg = Regularization.of(p);
            double expected = 0;
            for (int i = 0; i < 6; i++) expected += 0.01 * Math.abs(w[i]) + 0.02 * w[i] * w[i];
            for (int i = 9; i < 12; i++) expected += 0.5 * w[i] * w[i];
            assertEquals(expected, reg.penalty(p.values()), 1e-6);

            MemorySegment g = p.grads();
            for (int i = 0; i < 12; i++) g.setAtIndex(F, i, 1f); // the loss's own gradient, which the penalty adds to
            reg.addGradient(p.values(), g);
            double h = 1e-3;
            for (int i = 0; i < 12; i++) {
                float saved = p.values().getAtIndex(F, i);
                p.values().setAtIndex(F, i, (float) (saved + h));
                double plus = reg.penalty(p.values());
                p.values().setAtIndex(F, i, (float) (saved - h));
                double minus = reg.penalty(p.values());
                p.values().setAtIndex(F, i, saved);
                double fd = (plus - minus) / (2 * h);
                assertEquals(1 + fd, g.getAtIndex(F, i), 1e-4, "element " + i);
            }
            assertEquals(1f, g.getAtIndex(F, 7), "an unpenalised tensor keeps its gradient");
        }
    }

    @Test
    void negativeOrInfinitePenaltiesAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ParamSpec("d.kernel", new int[] {2}, 0, Initializer.ZEROS, 0, 1, 2, -1, 0));
        assertTrue(e.getMessage().contains("d.kernel"), e.getMessage());
    }
}
