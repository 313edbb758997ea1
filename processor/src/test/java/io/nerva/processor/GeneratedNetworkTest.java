package io.nerva.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.processor.nets.ThreeLayerModel;
import io.nerva.runtime.Layer;
import io.nerva.runtime.Model;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.core.Workspace;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Generated networks against an independent computation written here with plain loops. */
class GeneratedNetworkTest {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Test
    void forwardEqualsPlainLoops() {
        try (ThreeLayerModel m = ThreeLayerModel.create(7)) {
            int rows = 6;
            float[] x = random(rows * 5, 11);
            float[] got = forward(m, x, rows);

            double[] h = reference(x, rows, m.layers().get(0), "tanh");
            h = reference(toFloat(h), rows, m.layers().get(1), "sigmoid");
            h = reference(toFloat(h), rows, m.layers().get(2), "softmax");
            for (int i = 0; i < got.length; i++) assertEquals(h[i], got[i], 1e-5, "output " + i);
        }
    }

    @Test
    void sameSeedSameWeightsDifferentSeedDifferentWeights() {
        try (var a = ThreeLayerModel.create(1);
                var b = ThreeLayerModel.create(1);
                var c = ThreeLayerModel.create(2)) {
            assertArrayEquals(a.parameters().toArray(), b.parameters().toArray());
            assertTrue(!java.util.Arrays.equals(
                    a.parameters().toArray(), c.parameters().toArray()));
        }
    }

    @Test
    void layersExposeNamedParameterViews() {
        try (ThreeLayerModel m = ThreeLayerModel.create(3)) {
            assertEquals("h1", m.h1.name());
            assertArrayEquals(new int[] {5, 7}, m.h1.kernel().shape());
            assertArrayEquals(new int[] {7}, m.h1.bias().shape());
            float[] bias = {1, 2, 3, 4, 5, 6, 7};
            m.h1.bias().set(bias);
            assertArrayEquals(bias, m.h1.bias().get());
            assertEquals(5 * 7 + 7 + 7 * 6 + 6 + 6 * 4 + 4, m.parameters().count());
            assertTrue(ThreeLayerModel.SUMMARY.contains("h1 (Dense)"), ThreeLayerModel.SUMMARY);
            assertTrue(ThreeLayerModel.SUMMARY.contains("Total params: 118"), ThreeLayerModel.SUMMARY);
        }
    }

    @Test
    void rejectsWorkspaceMisuseWithPreciseMessages() {
        try (ThreeLayerModel m = ThreeLayerModel.create(3);
                Workspace ws = m.newWorkspace(4, false, 0)) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.forward(ws, 5, false));
            assertEquals("expected 1 to 4 rows (the workspace capacity), got 5", e.getMessage());
            var t = assertThrows(IllegalStateException.class, () -> m.forward(ws, 2, true));
            assertEquals("training needs a workspace created with training = true", t.getMessage());
        }
        try (ThreeLayerModel m = ThreeLayerModel.forInference()) {
            var e = assertThrows(IllegalStateException.class, () -> m.newWorkspace(4, true, 0));
            assertTrue(e.getMessage().contains("inference only"), e.getMessage());
        }
    }

    // ---- helpers shared with the gradient checks ---------------------------------------------

    static float[] forward(Model m, float[] x, int rows) {
        try (Workspace ws = m.newWorkspace(rows, false, 0)) {
            MemorySegment.copy(x, 0, ws.input(), F, 0, x.length);
            m.forward(ws, rows, false);
            return ws.output().asSlice(0, (long) rows * m.outputSize() * 4).toArray(F);
        }
    }

    /** One Dense layer with plain loops in double precision. */
    static double[] reference(float[] x, int rows, Layer dense, String activation) {
        int in = dense.kernel().shape()[0], out = dense.kernel().shape()[1];
        float[] w = dense.kernel().get(), b = dense.hasBias() ? dense.bias().get() : new float[out];
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                double s = b[j];
                for (int i = 0; i < in; i++) s += (double) x[r * in + i] * w[i * out + j];
                y[r * out + j] = s;
            }
            switch (activation) {
                case "tanh" -> {
                    for (int j = 0; j < out; j++) y[r * out + j] = Math.tanh(y[r * out + j]);
                }
                case "sigmoid" -> {
                    for (int j = 0; j < out; j++) y[r * out + j] = 1 / (1 + Math.exp(-y[r * out + j]));
                }
                case "softmax" -> {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < out; j++) max = Math.max(max, y[r * out + j]);
                    for (int j = 0; j < out; j++) sum += y[r * out + j] = Math.exp(y[r * out + j] - max);
                    for (int j = 0; j < out; j++) y[r * out + j] /= sum;
                }
                default -> throw new IllegalArgumentException(activation);
            }
        }
        return y;
    }

    static float[] random(int n, long seed) {
        Rng rng = new Rng(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
