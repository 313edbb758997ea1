package io.nerva.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.nerva.processor.Sources.compile;
import static io.nerva.processor.Sources.network;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import io.nerva.runtime.Layer;
import io.nerva.runtime.Model;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Layers on rank-2 and rank-3 tensors act over the last axis, as in Keras: a Dense on a sequence
 * applies to every step, a softmax on an image is a per-pixel classifier. Checked against
 * computations written here.
 */
class LastAxisTest {

    private static Model create(Compilation c) throws Exception {
        assertThat(c).succeeded();
        return new GeneratedClassLoader(c).create("test.NetModel", 7L);
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 4 - 2);
        return x;
    }

    @Test
    void softmaxOnAnImageNormalisesTheChannelsOfEachPixel() throws Exception {
        try (Model m = create(compile(
                network("@Network(input = {2, 3, 4}) abstract class Net", "@Activation(SOFTMAX) Layer probs;")))) {
            float[] x = random(24, 1);
            float[] p = m.predict(x);
            for (int pixel = 0; pixel < 6; pixel++) {
                double sum = 0;
                for (int c = 0; c < 4; c++) sum += Math.exp(x[pixel * 4 + c]);
                for (int c = 0; c < 4; c++) {
                    assertEquals(
                            Math.exp(x[pixel * 4 + c]) / sum,
                            p[pixel * 4 + c],
                            1e-6,
                            "pixel " + pixel + " channel " + c);
                }
            }
        }
    }

    @Test
    void denseOnASequenceAppliesToEveryStepWithOneKernel() throws Exception {
        try (Model m = create(compile(network(
                "@Network(input = {5, 3}) abstract class Net", "@Dense(2) @Activation(SOFTMAX) Layer tags;")))) {
            assertEquals(10, m.outputSize());
            Layer tags = m.layers().getFirst();
            float[] w = tags.kernel().get(), b = random(2, 3);
            tags.bias().set(b);
            float[] x = random(15, 2);
            float[] y = m.predict(x);
            for (int t = 0; t < 5; t++) {
                double[] z = new double[2];
                for (int j = 0; j < 2; j++) {
                    z[j] = b[j];
                    for (int i = 0; i < 3; i++) z[j] += x[t * 3 + i] * w[i * 2 + j];
                }
                double e0 = Math.exp(z[0]), e1 = Math.exp(z[1]);
                assertEquals(e0 / (e0 + e1), y[t * 2], 1e-6, "step " + t);
                assertEquals(e1 / (e0 + e1), y[t * 2 + 1], 1e-6, "step " + t);
            }
        }
    }

    @Test
    void denseOnASequenceTrainsAgainstFiniteDifferences() throws Exception {
        try (Model m = create(compile(network(
                "@Network(input = {4, 3}) abstract class Net",
                "@Dense(5) @Activation(TANH) Layer hidden;",
                "@Flatten Layer flat;",
                "@Dense(2) Layer out;")))) {
            GradientCheck.check(m, 3, 1e-2f);
        }
    }
}
