package io.nerva.processor;

import static io.nerva.processor.Sources.assertError;
import static io.nerva.processor.Sources.assertWarning;
import static io.nerva.processor.Sources.network;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nerva.processor.checking.Message;
import io.nerva.processor.nets.ParametricModel;
import java.util.Arrays;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** {@code @PReLU} and {@code @Maxout}: shapes, parameters, a reference forward pass, gradients, diagnostics. */
class ParametricActivationTest {

    @Test
    void shapesAndParameters() {
        try (ParametricModel m = ParametricModel.create(3)) {
            assertArrayEquals(new int[] {2, 6}, m.slopes.outputShape());
            assertArrayEquals(new int[] {2, 6}, m.slopes.kernel().shape(), "one slope per step and unit");
            assertArrayEquals(new int[] {2, 2}, m.pieces.outputShape());
            float[] alpha = m.slopes.kernel().get();
            for (float a : alpha) assertEquals(0.25f, a);
            assertEquals(5 * 6 + 6 + 12 + 4 * 4 + 4 + 4, m.parameters().count());
        }
    }

    @Test
    void forwardMatchesAReferenceWrittenHere() {
        try (ParametricModel m = ParametricModel.create(8)) {
            float[] x = GeneratedNetworkTest.random(10, 5);
            float[] alpha2 = {0.3f, -0.2f, 0.1f, 0.05f};
            m.layers().get(5).kernel().set(alpha2);
            float[] k1 = m.layers().get(0).kernel().get(),
                    b1 = m.layers().get(0).bias().get();
            float[] a1 = m.slopes.kernel().get();
            float[] k2 = m.layers().get(4).kernel().get(),
                    b2 = m.layers().get(4).bias().get();
            double[] h = new double[12];
            for (int t = 0; t < 2; t++) {
                for (int u = 0; u < 6; u++) {
                    double z = b1[u];
                    for (int f = 0; f < 5; f++) z += x[t * 5 + f] * k1[f * 6 + u];
                    h[t * 6 + u] = z > 0 ? z : a1[t * 6 + u] * z;
                }
            }
            double[] max = new double[4];
            for (int v = 0; v < 4; v++) max[v] = Math.max(h[v * 3], Math.max(h[v * 3 + 1], h[v * 3 + 2]));
            float[] got = m.predict(x);
            for (int o = 0; o < 4; o++) {
                double z = b2[o];
                for (int i = 0; i < 4; i++) z += max[i] * k2[i * 4 + o];
                double expected = z > 0 ? z : alpha2[o] * z;
                assertEquals(expected, got[o], 1e-5, "output " + o + " of " + Arrays.toString(got));
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // h = 1e-3: random pre-activations are this close to PReLU's kink or a Maxout tie only by a rare accident
        try (ParametricModel m = ParametricModel.create(11)) {
            GradientCheck.check(m, 3, 1e-3f);
        }
    }

    @Test
    void maxoutPiecesMustDivideTheLastAxis() {
        JavaFileObject f = network(
                "@Network(input = {4}) abstract class Net", "@Dense(10) Layer hidden;", "@Maxout(3) Layer maxout;");
        assertError(
                f, Message.MAXOUT_NOT_DIVISIBLE.format("maxout", 3, 10, "10", "hidden", "9 or 12"), "Layer maxout;");
        JavaFileObject zero = network(
                "@Network(input = {4}) abstract class Net", "@Dense(6) Layer hidden;", "@Maxout(0) Layer maxout;");
        assertError(zero, Message.MAXOUT_PIECES.format("maxout", 0), "Layer maxout;");
        JavaFileObject one = network(
                "@Network(input = {4}) abstract class Net",
                "@Dense(6) Layer hidden;", "@Maxout(1) Layer maxout;", "@Dense(2) Layer out;");
        assertWarning(one, Message.NO_OP_MAXOUT.format("maxout"), "Layer maxout;");
    }
}
