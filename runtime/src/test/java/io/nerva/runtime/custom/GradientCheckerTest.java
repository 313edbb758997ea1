package io.nerva.runtime.custom;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.CustomShape;
import io.nerva.annotations.CustomShape.Dim;
import io.nerva.runtime.loss.ElementwiseLoss;
import org.junit.jupiter.api.Test;

/** The checker users run on their own pieces: it passes correct ones and names the wrong derivative of broken ones. */
class GradientCheckerTest {

    /** {@code y = gain ⊙ x²}, one gain per input value. */
    @CustomShape(params = @CustomShape.Param(name = "gain", shape = Dim.INPUT_SIZE))
    public static class GainSquare implements CustomLayer {
        /** A factor on dL/dgain: 1 is right, anything else a bug for the checker to find. */
        float gainGradFactor = 1;

        @Override
        public void forward(CustomPass p) {
            for (int r = 0; r < p.rows(); r++) {
                for (int i = 0; i < p.inputSize(); i++)
                    p.setOutput(r, i, p.param(0, i) * p.input(r, i) * p.input(r, i));
            }
        }

        @Override
        public void backward(CustomPass p) {
            for (int r = 0; r < p.rows(); r++) {
                for (int i = 0; i < p.inputSize(); i++) {
                    float x = p.input(r, i), dy = p.outputGrad(r, i);
                    p.addParamGrad(0, i, gainGradFactor * dy * x * x);
                    p.addInputGrad(r, i, dy * 2 * p.param(0, i) * x);
                }
            }
        }
    }

    /** Each output unit u is (u + 1) times the sum of the sample: exercises the UNITS rule. */
    @CustomShape(output = CustomShape.Rule.UNITS)
    public static class SumCopies implements CustomLayer {
        @Override
        public void forward(CustomPass p) {
            for (int r = 0; r < p.rows(); r++) {
                float s = 0;
                for (int i = 0; i < p.inputSize(); i++) s += p.input(r, i);
                for (int u = 0; u < p.units(); u++) p.setOutput(r, u, s * (u + 1));
            }
        }

        @Override
        public void backward(CustomPass p) {
            for (int r = 0; r < p.rows(); r++) {
                float d = 0;
                for (int u = 0; u < p.units(); u++) d += p.outputGrad(r, u) * (u + 1);
                for (int i = 0; i < p.inputSize(); i++) p.addInputGrad(r, i, d);
            }
        }
    }

    @Test
    void aCorrectLayerPasses() {
        GradientChecker.Report report =
                GradientChecker.check(new GainSquare(), new int[] {2, 3}, 0).assertPasses();
        assertEquals(6 + 3 * 6, report.checked(), "every gain and every input of 3 samples");
        GradientChecker.check(new SumCopies(), new int[] {4}, 3).assertPasses();
    }

    @Test
    void aWrongParameterGradientIsFoundAndNamed() {
        GainSquare broken = new GainSquare();
        broken.gainGradFactor = 0.5f;
        GradientChecker.Report report = GradientChecker.check(broken, new int[] {2, 3}, 0);
        assertFalse(report.passed());
        assertTrue(report.worst().startsWith("gain["), report.toString());
        AssertionError e = assertThrows(AssertionError.class, report::assertPasses);
        assertTrue(e.getMessage().contains("FAILED"), e.getMessage());
    }

    @Test
    void theSpecFollowsTheDeclaredRule() {
        CustomSpec spec = GradientChecker.spec(SumCopies.class, "sum", new int[] {2, 5}, 7);
        assertArrayEquals(new int[] {7}, spec.outputShape());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> GradientChecker.spec(SumCopies.class, "sum", new int[] {2, 5}, 0));
        assertTrue(e.getMessage().contains("needs units >= 1"), e.getMessage());
    }

    @Test
    void activationsAndLossesAreCheckedToo() {
        ActivationFunction softsign = new ActivationFunction() {
            public float apply(float x) {
                return x / (1 + Math.abs(x));
            }

            public float derivative(float x, float y) {
                return 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x)));
            }
        };
        GradientChecker.checkActivation(softsign, -4, 4, 40).assertPasses();
        ActivationFunction wrong = new ActivationFunction() {
            public float apply(float x) {
                return x * x;
            }

            public float derivative(float x, float y) {
                return x;
            }
        };
        assertFalse(GradientChecker.checkActivation(wrong, -2, 2, 9).passed());

        ElementwiseLoss cubic = new ElementwiseLoss("cubic") {
            protected double value(double p, double y) {
                return Math.pow(Math.abs(p - y), 3);
            }

            protected double derivative(double p, double y) {
                return 3 * (p - y) * Math.abs(p - y);
            }
        };
        GradientChecker.checkLoss(cubic, new float[] {0.5f, -1f, 2f, 0.1f}, new float[] {0f, 1f, 1f, -1f}, 2, 2)
                .assertPasses();
    }
}
