package io.nerva.processor;

import static io.nerva.processor.GeneratedNetworkTest.F;
import static io.nerva.processor.GeneratedNetworkTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.processor.nets.conv.FashionCnnModel;
import io.nerva.runtime.Layer;
import io.nerva.runtime.core.Workspace;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The course's Fashion-MNIST CNN: Keras' shapes and parameter counts, and one training step's worth of passes. */
class ConvFashionCnnTest {

    @Test
    void layerShapesAsKeras() {
        try (var m = FashionCnnModel.create(1)) {
            int[][] want = {{28, 28, 32}, {14, 14, 32}, {12, 12, 64}, {6, 6, 64}, {2304}, {2304}, {128}, {10}};
            for (int i = 0; i < want.length; i++) {
                Layer l = m.layers().get(i);
                assertArrayEquals(want[i], l.outputShape(), l.name());
            }
            assertArrayEquals(new int[] {3, 3, 1, 32}, m.conv1.kernel().shape());
            assertArrayEquals(new int[] {3, 3, 32, 64}, m.conv2.kernel().shape());
            assertArrayEquals(new int[] {64}, m.conv2.bias().shape());
        }
    }

    @Test
    void parameterCountAsKeras() {
        try (var m = FashionCnnModel.create(1)) {
            assertEquals(320, m.conv1.paramCount());
            assertEquals(18_496, m.conv2.paramCount());
            assertEquals(295_040, m.hidden.paramCount());
            assertEquals(1_290, m.out.paramCount());
            assertEquals(315_146, m.parameters().count());
            assertTrue(FashionCnnModel.SUMMARY.contains("Total params: 315,146"), FashionCnnModel.SUMMARY);
            assertTrue(
                    FashionCnnModel.SUMMARY.contains("pool2 (MaxPooling2D)         (None, 6, 6, 64)"),
                    FashionCnnModel.SUMMARY);
        }
    }

    @Test
    void oneForwardAndBackwardOnABatchOf4IsFinite() {
        int rows = 4;
        try (var m = FashionCnnModel.create(2);
                Workspace ws = m.newWorkspace(rows, true, 3)) {
            float[] x = random(rows * m.inputSize(), 4);
            for (int i = 0; i < x.length; i++) x[i] = (x[i] + 1) / 2; // pixels in [0, 1]
            MemorySegment.copy(x, 0, ws.input(), F, 0, x.length);
            m.forward(ws, rows, true);
            float[] p = ws.output().asSlice(0, rows * 10L * 4).toArray(F);
            for (int r = 0; r < rows; r++) {
                double sum = 0;
                for (int j = 0; j < 10; j++) {
                    assertTrue(Float.isFinite(p[r * 10 + j]));
                    sum += p[r * 10 + j];
                }
                assertEquals(1, sum, 1e-5, "softmax row " + r);
            }
            // fused softmax + cross-entropy: dLoss/dlogits = (p − onehot(label)) / rows
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < 10; j++) {
                    ws.outputGrad().setAtIndex(F, r * 10L + j, (p[r * 10 + j] - (j == r ? 1 : 0)) / rows);
                }
            }
            m.backward(ws, rows, true);
            float[] g = m.parameters()
                    .grads()
                    .asSlice(0, m.parameters().count() * 4)
                    .toArray(F);
            int nonZero = 0;
            for (float v : g) {
                assertTrue(Float.isFinite(v));
                if (v != 0) nonZero++;
            }
            assertTrue(nonZero > g.length / 2, nonZero + " of " + g.length + " gradients are non-zero");
            for (Layer l : new Layer[] {m.conv1, m.conv2}) {
                float[] gk = l.kernel().gradient();
                assertTrue(
                        java.util.Arrays.stream(toDouble(gk)).anyMatch(v -> v != 0),
                        l.name() + " kernel gradient is all zero");
            }
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
