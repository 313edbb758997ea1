package io.nerva.processor;

import static io.nerva.processor.GeneratedNetworkTest.F;
import static io.nerva.processor.GeneratedNetworkTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.processor.nets.conv.BatchNormNetModel;
import io.nerva.processor.nets.conv.BatchNormOnlyModel;
import io.nerva.runtime.core.Workspace;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * BatchNorm against Keras' definition written here: training normalises with the batch mean and
 * biased variance over rows·h·w values per channel and moves the averages by
 * {@code m·old + (1 − m)·batch}; inference uses the moving averages.
 */
class BatchNormNetworkTest {
    static final int ROWS = 3, H = 3, W = 2, C = 4;
    static final float MOMENTUM = 0.8f, EPS = 1e-3f;

    @Test
    void parametersAreGammaBetaThenTheMovingAveragesOfEachChannel() {
        try (var m = BatchNormOnlyModel.create(1)) {
            var specs = m.parameters().specs();
            assertEquals(4, specs.size());
            assertEquals("bn.gamma", specs.get(0).name());
            assertEquals("bn.beta", specs.get(1).name());
            assertEquals("bn.moving_mean", specs.get(2).name());
            assertEquals("bn.moving_variance", specs.get(3).name());
            assertArrayEquals(
                    new float[] {1, 1, 1, 1}, m.bn.kernel().get(), "gamma starts at 1 (the layer's kernel view)");
            assertArrayEquals(new float[] {0, 0, 0, 0}, m.bn.bias().get(), "beta starts at 0 (the layer's bias view)");
            assertArrayEquals(new float[] {1, 1, 1, 1}, values(m, "bn.moving_variance"));
            assertTrue(BatchNormOnlyModel.SUMMARY.contains("Trainable params: 8"), BatchNormOnlyModel.SUMMARY);
            assertTrue(BatchNormOnlyModel.SUMMARY.contains("Non-trainable params: 8"), BatchNormOnlyModel.SUMMARY);
            assertTrue(BatchNormOnlyModel.SUMMARY.contains("bn (BatchNormalization)"), BatchNormOnlyModel.SUMMARY);
        }
    }

    @Test
    void trainingUsesBatchStatisticsAndMovesTheAverages() {
        try (var m = BatchNormOnlyModel.create(2)) {
            ConvGradientCheckTest.randomizeGammaBeta(m);
            float[] gamma = m.bn.kernel().get(), beta = m.bn.bias().get();
            float[] x = random(ROWS * H * W * C, 3);
            for (int i = 0; i < x.length; i++) x[i] = 2 * x[i] + (i % C); // channel c has mean ≈ c
            double[] mean = new double[C], var = new double[C];
            int count = ROWS * H * W;
            for (int i = 0; i < x.length; i++) mean[i % C] += x[i] / (double) count;
            for (int i = 0; i < x.length; i++) var[i % C] += Math.pow(x[i] - mean[i % C], 2) / count;

            float[] got;
            try (Workspace ws = m.newWorkspace(ROWS, true, 0)) {
                MemorySegment.copy(x, 0, ws.input(), F, 0, x.length);
                m.forward(ws, ROWS, true);
                got = ws.output().asSlice(0, x.length * 4L).toArray(F);
            }
            for (int i = 0; i < x.length; i++) {
                int c = i % C;
                double want = gamma[c] * (x[i] - mean[c]) / Math.sqrt(var[c] + EPS) + beta[c];
                assertEquals(want, got[i], 2e-5, "output " + i);
            }
            float[] mm = values(m, "bn.moving_mean"), mv = values(m, "bn.moving_variance");
            for (int c = 0; c < C; c++) {
                assertEquals((1 - MOMENTUM) * mean[c], mm[c], 1e-5, "moving mean " + c);
                assertEquals(MOMENTUM * 1 + (1 - MOMENTUM) * var[c], mv[c], 1e-5, "moving variance " + c);
            }
        }
    }

    @Test
    void inferenceUsesTheMovingAverages() {
        try (var m = BatchNormOnlyModel.create(3)) {
            ConvGradientCheckTest.randomizeGammaBeta(m);
            float[] mm = {0.5f, -1f, 2f, 0f}, mv = {4f, 0.25f, 1f, 9f};
            set(m, "bn.moving_mean", mm);
            set(m, "bn.moving_variance", mv);
            float[] gamma = m.bn.kernel().get(), beta = m.bn.bias().get();
            float[] x = random(ROWS * H * W * C, 4);
            float[] got = GeneratedNetworkTest.forward(m, x, ROWS);
            for (int i = 0; i < x.length; i++) {
                int c = i % C;
                assertEquals(gamma[c] * (x[i] - mm[c]) / Math.sqrt(mv[c] + EPS) + beta[c], got[i], 2e-5, "output " + i);
            }
        }
    }

    @Test
    void backwardGivesTheMovingAveragesZeroGradient() {
        try (var m = BatchNormNetModel.create(4);
                Workspace ws = m.newWorkspace(4, true, 0)) {
            m.parameters().grads().fill((byte) 0x7f); // garbage that backward must overwrite
            float[] x = random(4 * m.inputSize(), 5);
            MemorySegment.copy(x, 0, ws.input(), F, 0, x.length);
            m.forward(ws, 4, true);
            float[] r = random(4 * m.outputSize(), 6);
            MemorySegment.copy(r, 0, ws.outputGrad(), F, 0, r.length);
            m.backward(ws, 4, false);
            for (String name :
                    new String[] {"bn1.moving_mean", "bn1.moving_variance", "bn2.moving_mean", "bn2.moving_variance"}) {
                var s = m.parameters().spec(name);
                float[] g = m.parameters()
                        .grads()
                        .asSlice(s.offset() * 4, s.size() * 4)
                        .toArray(F);
                assertArrayEquals(new float[g.length], g, name);
            }
        }
    }

    static float[] values(BatchNormOnlyModel m, String name) {
        var s = m.parameters().spec(name);
        return m.parameters().values().asSlice(s.offset() * 4, s.size() * 4).toArray(F);
    }

    static void set(BatchNormOnlyModel m, String name, float[] v) {
        var s = m.parameters().spec(name);
        MemorySegment.copy(v, 0, m.parameters().values(), F, s.offset() * 4, v.length);
    }
}
