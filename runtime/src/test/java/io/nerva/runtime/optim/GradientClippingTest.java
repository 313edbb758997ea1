package io.nerva.runtime.optim;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    /** One SGD step with learning rate 1 through {@code opt}: the weights move by exactly minus the clipped gradient. */
    private static float[] stepFromZero(Optimizer opt, float... grads) {
        MemorySegment w = Mem.zeros(grads.length), g = Mem.of(grads);
        MemorySegment state = Mem.zeros(Math.max(1, opt.stateSlots() * grads.length));
        opt.update(w, g, state, grads.length, 1, 1.0);
        float[] moved = Mem.get(w, grads.length);
        for (int i = 0; i < moved.length; i++) moved[i] = -moved[i];
        return moved;
    }

    @Test
    void globalNormRescalesAllGradientsTogetherKeepingTheDirection() {
        // |(3, 4)| = 5 > 1: scaled by 1/5
        assertArrayEquals(
                new float[] {0.6f, 0.8f},
                stepFromZero(GradientClipping.globalNorm(Optimizers.sgd(1.0), 1.0), 3f, 4f),
                1e-6f);
        // the norm is over every parameter, not per element: (0.3, 0.4, 1.2) has norm 1.3
        float[] clipped = stepFromZero(GradientClipping.globalNorm(Optimizers.sgd(1.0), 1.0), 0.3f, 0.4f, 1.2f);
        assertArrayEquals(new float[] {0.3f / 1.3f, 0.4f / 1.3f, 1.2f / 1.3f}, clipped, 1e-6f);
    }

    @Test
    void gradientsWithinTheNormAreLeftAlone() {
        assertArrayEquals(
                new float[] {0.3f, -0.4f},
                stepFromZero(GradientClipping.globalNorm(Optimizers.sgd(1.0), 0.5), 0.3f, -0.4f),
                0f);
    }

    @Test
    void valueClampsEachGradient() {
        assertArrayEquals(
                new float[] {-1f, 0.5f, 1f},
                stepFromZero(GradientClipping.value(Optimizers.sgd(1.0), 1.0), -3f, 0.5f, 2f),
                0f);
    }

    @Test
    void bothClampFirstThenTakeTheNorm() {
        Optimizer opt = GradientClipping.globalNorm(GradientClipping.value(Optimizers.sgd(1.0), 3.0), 2.5);
        // clamp (3, 4, 0) → (3, 3, 0), norm 3√2 ≈ 4.243 > 2.5
        double norm = 3 * Math.sqrt(2);
        assertArrayEquals(
                new float[] {(float) (3 * 2.5 / norm), (float) (3 * 2.5 / norm), 0f},
                stepFromZero(opt, 3f, 4f, 0f),
                1e-6f);
    }

    @Test
    void clippingKeepsTheOptimizersStateScheduleAndGuard() {
        Optimizer adam = Optimizers.adam(1e-3);
        Optimizer clipped = GradientClipping.globalNorm(adam, 1.0);
        assertEquals(2, clipped.stateSlots());
        assertSame(adam.learningRate(), clipped.learningRate());
        assertInstanceOf(Optimizers.Guarded.class, clipped, "a guarded optimizer stays guarded");
        Optimizer custom = new Optimizer() {
            @Override
            public int stateSlots() {
                return 0;
            }

            @Override
            public LearningRate learningRate() {
                return LearningRate.constant(1);
            }

            @Override
            public void update(MemorySegment p, MemorySegment g, MemorySegment s, long n, long t, double lr) {
                for (long i = 0; i < n; i++)
                    p.setAtIndex(
                            java.lang.foreign.ValueLayout.JAVA_FLOAT,
                            i,
                            -g.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i));
            }
        };
        Optimizer plain = GradientClipping.value(custom, 0.5);
        assertFalse(plain instanceof Optimizers.Guarded, "an unguarded optimizer must not claim a guard it lacks");
        assertArrayEquals(new float[] {0.5f, -0.5f}, stepFromZero(plain, 2f, -2f), 0f);
    }

    @Test
    void badLimitsAreRefusedWithTheValue() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GradientClipping.globalNorm(Optimizers.sgd(), 0));
        assertTrue(e.getMessage().contains("got 0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradientClipping.value(Optimizers.sgd(), Double.NaN));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.value(null, 1));
    }
}
