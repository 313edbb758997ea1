package io.nerva.processor;

import io.nerva.processor.nets.MixedModel;
import io.nerva.processor.nets.ThreeLayerModel;
import org.junit.jupiter.api.Test;

/**
 * Dense networks against finite differences ({@link GradientCheck} explains the step and the
 * bound). Activations with kinks are kept out of these nets; the kernels' own tests check them
 * away from the kink.
 */
class GradientCheckTest {
    private static final float H = 1e-2f;

    @Test
    void threeLayerSoftmaxNet() {
        try (ThreeLayerModel m = ThreeLayerModel.create(5)) {
            GradientCheck.check(m, 3, H);
        }
    }

    @Test
    void flattenNoBiasStandaloneActivationsAndDropoutWithFixedMask() {
        try (MixedModel m = MixedModel.create(9)) {
            GradientCheck.check(m, 4, H);
        }
    }
}
