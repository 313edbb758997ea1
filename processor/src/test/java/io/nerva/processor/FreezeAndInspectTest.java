package io.nerva.processor;

import static io.nerva.processor.GeneratedNetworkTest.F;
import static io.nerva.processor.GeneratedNetworkTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.annotations.LossFunction;
import io.nerva.processor.nets.freeze.FreezeCnnModel;
import io.nerva.processor.nets.freeze.FreezeMlpModel;
import io.nerva.processor.nets.freeze.FreezeRnnModel;
import io.nerva.runtime.Model;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Workspace;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Frozen layers ({@code trainable = false}, {@code Layer.setTrainable}), layer outputs and input gradients,
 * each against a reference computed here: finite differences of the forward pass, and a hand-written MLP.
 */
class FreezeAndInspectTest {

    // ---- freezing --------------------------------------------------------------------------

    @Test
    void summaryCountsFrozenLayersAsNonTrainableAndFollowsSetTrainable() {
        // first 6·5+5 = 35, middle 5·4+4 = 24 (declared frozen), out 4·3+3 = 15
        assertTrue(FreezeMlpModel.SUMMARY.contains("Trainable params: 50\n"), FreezeMlpModel.SUMMARY);
        assertTrue(FreezeMlpModel.SUMMARY.contains("Non-trainable params: 24\n"), FreezeMlpModel.SUMMARY);
        try (var m = FreezeMlpModel.create(1)) {
            assertFalse(m.middle.trainable());
            assertTrue(m.first.trainable());
            assertEquals(FreezeMlpModel.SUMMARY, m.summary());
            m.first.setTrainable(false);
            assertTrue(m.summary().contains("Trainable params: 15\n"), m.summary());
            assertTrue(m.summary().contains("Non-trainable params: 59\n"), m.summary());
            assertEquals(0, m.first.trainableParamCount());
            m.middle.setTrainable(true);
            assertTrue(m.summary().contains("Trainable params: 39\n"), m.summary());
        }
        // BatchNorm's moving averages are never trained; conv2 is declared frozen (2·2·3·2 + 2 = 26)
        try (var m = FreezeCnnModel.create(1)) {
            assertEquals(6, m.bn.trainableParamCount());
            assertEquals(12, m.bn.paramCount());
            assertTrue(m.summary().contains("Non-trainable params: " + (6 + 26) + "\n"), m.summary());
        }
    }

    @Test
    void trainedLayersGradientsMatchFiniteDifferencesAndFrozenOnesStayZero() {
        try (var m = FreezeMlpModel.create(2)) {
            checkTrainedGradients(m, random(4 * 6, 3), 4, 1e-2f);
        }
        try (var m = FreezeCnnModel.create(3)) {
            checkTrainedGradients(m, random(3 * 72, 4), 3, 1e-3f);
            m.conv2.setTrainable(true);
            m.conv1.setTrainable(false); // nothing below conv1: no dX at all from bn down
            checkTrainedGradients(m, random(3 * 72, 5), 3, 1e-3f);
        }
        try (var m = FreezeRnnModel.create(4)) {
            checkTrainedGradients(m, random(3 * 12, 6), 3, 1e-2f);
        }
    }

    @Test
    void frozenParametersStayBitIdenticalThroughFitWithWeightDecay() {
        try (var m = FreezeCnnModel.create(5)) {
            m.bn.setTrainable(false);
            Dataset data = Dataset.of(random(40 * 72, 7), new int[] {6, 6, 2}, oneHot(40, 3), 3);
            float[] before = m.parameters().toArray();
            m.fit(
                    data,
                    Fit.epochs(2)
                            .batch(8)
                            .optimizer(Optimizers.adamW(0.05, 0.5))
                            .verbose(0)
                            .seed(1));
            float[] after = m.parameters().toArray();
            for (ParamSpec s : m.parameters().specs()) {
                boolean frozen = s.name().startsWith("conv2.") || s.name().startsWith("bn.");
                boolean same = java.util.Arrays.equals(slice(before, s), slice(after, s));
                assertEquals(frozen, same, s.name() + (frozen ? " changed though frozen" : " did not train"));
            }
        }
    }

    @Test
    void batchNormMovingAveragesAreOutsideTheOptimizersRuns() {
        try (var m = FreezeCnnModel.create(6)) {
            long[] runs = m.parameters().trainedRanges();
            for (String name : new String[] {"bn.moving_mean", "bn.moving_variance", "conv2.kernel", "conv2.bias"}) {
                ParamSpec s = m.parameters().spec(name);
                for (int i = 0; i < runs.length; i += 2) {
                    assertTrue(
                            runs[i + 1] <= s.offset() || runs[i] >= s.offset() + s.size(),
                            name + " is in a trained run");
                }
            }
            assertEquals(m.parameters().count() - 6 - 26, m.parameters().trainedCount());
        }
    }

    @Test
    void freezingWhileAFitRunsStopsIt() {
        try (var m = FreezeMlpModel.create(7)) {
            Dataset data = Dataset.of(random(32 * 6, 8), new int[] {6}, random(32 * 3, 9), 3);
            var e = assertThrows(
                    IllegalStateException.class,
                    () -> m.fit(
                            data,
                            Fit.epochs(3)
                                    .batch(8)
                                    .optimizer(Optimizers.sgd(0.1))
                                    .verbose(0)
                                    .callback((epoch, logs, control) -> m.out.setTrainable(false))));
            assertTrue(e.getMessage().contains("takes effect at the next fit"), e.getMessage());
            float[] before = m.out.kernel().get();
            m.fit(
                    data,
                    Fit.epochs(1)
                            .batch(8)
                            .optimizer(Optimizers.sgd(0.1))
                            .verbose(0)); // the next fit plans with out frozen
            assertArrayEquals(before, m.out.kernel().get());
        }
    }

    // ---- looking inside ----------------------------------------------------------------------

    @Test
    void intermediateOutputsMatchAHandWrittenForwardPass() {
        try (var m = FreezeMlpModel.create(10)) {
            int rows = 3;
            float[] x = random(rows * 6, 11);
            float[] h1 = dense(x, rows, m.first.kernel().get(), m.first.bias().get(), 6, 5, true);
            float[] h2 =
                    dense(h1, rows, m.middle.kernel().get(), m.middle.bias().get(), 5, 4, true);
            float[] y = dense(h2, rows, m.out.kernel().get(), m.out.bias().get(), 4, 3, false);
            assertClose(h1, m.intermediate("first", x, rows, new float[rows * 5]), 1e-6);
            assertClose(h2, m.intermediate("middle", x, rows, new float[rows * 4]), 1e-6);
            assertClose(y, m.intermediate("out", x, rows, new float[rows * 3]), 1e-6);
            float[] one = java.util.Arrays.copyOfRange(x, 6, 12);
            assertClose(java.util.Arrays.copyOfRange(h1, 5, 10), m.intermediate("first", one), 1e-6);
            float[] roomy = new float[7];
            java.util.Arrays.fill(roomy, 42f);
            m.intermediate("middle", one, roomy);
            assertEquals(42f, roomy[4], "only the layer's 4 floats are written");
            var e = assertThrows(java.util.NoSuchElementException.class, () -> m.intermediate("hidden", one));
            assertTrue(e.getMessage().contains("[first, middle, out]"), e.getMessage());
        }
    }

    @Test
    void intermediateOfEveryCnnLayerIsWhatTheNextLayerReads() {
        try (var m = FreezeCnnModel.create(12)) {
            float[] x = random(2 * 72, 13);
            float[] flat = m.intermediate("flat", x, 2, new float[2 * 8]);
            float[] pool = m.intermediate("pool", x, 2, new float[2 * 27]);
            assertEquals(27, m.intermediate("pool", java.util.Arrays.copyOf(x, 72)).length);
            assertClose(
                    m.predict(new float[][] {java.util.Arrays.copyOf(x, 72)})[0],
                    m.intermediate("out", java.util.Arrays.copyOf(x, 72)),
                    1e-7);
            assertEquals(2 * 8, flat.length);
            assertTrue(pool[0] != 0 || pool[1] != 0);
        }
    }

    @Test
    void inputGradientsMatchFiniteDifferencesOfPredict() {
        try (var m = FreezeMlpModel.create(14)) {
            checkInputGradient(m, 3, 1e-2f);
        }
        try (var m = FreezeCnnModel.create(15)) {
            // train a little so BatchNorm's moving averages are not the identity
            Dataset data = Dataset.of(random(16 * 72, 16), new int[] {6, 6, 2}, oneHot(16, 3), 3);
            m.fit(data, Fit.epochs(1).batch(8).optimizer(Optimizers.adam(0.01)).verbose(0));
            float[] gradsBefore = m.parameters()
                    .grads()
                    .asSlice(0, m.parameters().count() * 4)
                    .toArray(F);
            checkInputGradient(m, 2, 1e-3f);
            checkInputGradient(m, 2, 1e-3f, LossFunction.CATEGORICAL_CROSSENTROPY);
            assertArrayEquals(
                    gradsBefore,
                    m.parameters()
                            .grads()
                            .asSlice(0, m.parameters().count() * 4)
                            .toArray(F),
                    "an input gradient leaves the parameter gradients alone");
        }
        try (var m = FreezeRnnModel.create(17)) {
            checkInputGradient(m, 2, 1e-2f);
        }
    }

    @Test
    void inputGradientsWorkOnInferenceModels() {
        try (var trained = FreezeMlpModel.create(18);
                var inference = FreezeMlpModel.forInference()) {
            inference.parameters().copyFrom(trained.parameters().toArray());
            float[] x = random(6, 19), t = random(3, 20);
            assertArrayEquals(trained.inputGradient(x, t, new float[6]), inference.inputGradient(x, t, new float[6]));
            var e = assertThrows(
                    IllegalArgumentException.class,
                    () -> inference.inputGradient(x, 1, new float[2], new float[6], LossFunction.MEAN_SQUARED_ERROR));
            assertTrue(e.getMessage().contains("expected 1 target rows × 3 floats"), e.getMessage());
        }
    }

    // ---- references --------------------------------------------------------------------------

    /** Per-sample MSE of predict, differentiated numerically w.r.t. every input, against {@code inputGradient}. */
    private static void checkInputGradient(Model m, int rows, float h) {
        checkInputGradient(m, rows, h, LossFunction.MEAN_SQUARED_ERROR);
    }

    /** MSE, or categorical cross-entropy (fused with a softmax output: the gradient starts at p − y). */
    private static void checkInputGradient(Model m, int rows, float h, LossFunction loss) {
        int n = m.inputSize(), o = m.outputSize();
        boolean ce = loss == LossFunction.CATEGORICAL_CROSSENTROPY;
        float[] x = random(rows * n, 30), t = ce ? oneHot(rows, o) : random(rows * o, 31);
        float[] analytic = m.inputGradient(x, rows, t, new float[rows * n], loss);
        for (int r = 0; r < rows; r++) {
            float[] sample = java.util.Arrays.copyOfRange(x, r * n, (r + 1) * n);
            float[] target = java.util.Arrays.copyOfRange(t, r * o, (r + 1) * o);
            for (int i = 0; i < n; i++) {
                float saved = sample[i];
                sample[i] = saved + h;
                double plus = ce ? crossEntropy(m.predict(sample), target) : mse(m.predict(sample), target);
                sample[i] = saved - h;
                double minus = ce ? crossEntropy(m.predict(sample), target) : mse(m.predict(sample), target);
                sample[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                double got = analytic[r * n + i];
                assertEquals(
                        numeric, got, 2e-3 + 1e-2 * Math.abs(numeric), m.name() + " dL/dx row " + r + " input " + i);
            }
        }
    }

    private static double crossEntropy(float[] p, float[] t) {
        double s = 0;
        for (int j = 0; j < p.length; j++) s -= t[j] * Math.log(p[j]);
        return s;
    }

    private static double mse(float[] y, float[] t) {
        double s = 0;
        for (int j = 0; j < y.length; j++) s += Math.pow(y[j] - t[j], 2);
        return s / y.length;
    }

    /**
     * As {@link GradientCheck} for the tensors that train now: L = Σ output ⊙ R in training mode, dropout
     * masks frozen; the gradients of frozen tensors must stay exactly zero.
     */
    private static void checkTrainedGradients(Model m, float[] x, int rows, float h) {
        float[] r = random(rows * m.outputSize(), 22);
        try (Workspace ws = m.newWorkspace(rows, true, 99)) {
            MemorySegment.copy(x, 0, ws.input(), F, 0, x.length);
            m.forward(ws, rows, true);
            ws.freezeDropoutMasks(true);
            MemorySegment.copy(r, 0, ws.outputGrad(), F, 0, r.length);
            m.backward(ws, rows, false);
            float[] analytic = m.parameters()
                    .grads()
                    .asSlice(0, m.parameters().count() * 4)
                    .toArray(F);
            MemorySegment p = m.parameters().values();
            var specs = m.parameters().specs();
            int checked = 0;
            for (int s = 0; s < specs.size(); s++) {
                ParamSpec spec = specs.get(s);
                boolean trains = m.parameters().trains(s);
                for (long i = spec.offset(); i < spec.offset() + spec.size(); i++) {
                    if (!trains) {
                        if (spec.trainable())
                            assertEquals(
                                    0f, analytic[(int) i], m.name() + ": frozen " + spec.name() + " got a gradient");
                        continue;
                    }
                    float saved = p.getAtIndex(F, i);
                    p.setAtIndex(F, i, saved + h);
                    double plus = loss(m, ws, rows, r);
                    p.setAtIndex(F, i, saved - h);
                    double minus = loss(m, ws, rows, r);
                    p.setAtIndex(F, i, saved);
                    double numeric = (plus - minus) / (2 * h);
                    assertEquals(
                            numeric,
                            analytic[(int) i],
                            2e-3 + 1e-2 * Math.abs(numeric),
                            m.name() + ": " + spec.name() + "[" + (i - spec.offset()) + "]");
                    checked++;
                }
            }
            assertTrue(checked > 0, "some tensor trains");
        }
    }

    private static double loss(Model m, Workspace ws, int rows, float[] r) {
        m.forward(ws, rows, true);
        double l = 0;
        for (int i = 0; i < r.length; i++) l += (double) ws.output().getAtIndex(F, i) * r[i];
        return l;
    }

    private static float[] dense(float[] x, int rows, float[] w, float[] b, int in, int out, boolean tanh) {
        float[] y = new float[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                double z = b[j];
                for (int i = 0; i < in; i++) z += (double) x[r * in + i] * w[i * out + j];
                y[r * out + j] = (float) (tanh ? Math.tanh(z) : z);
            }
        }
        return y;
    }

    private static void assertClose(float[] want, float[] got, double tolerance) {
        assertEquals(want.length, got.length, "length");
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], got[i], tolerance + 1e-5 * Math.abs(want[i]), "value " + i);
    }

    private static float[] slice(float[] all, ParamSpec s) {
        return java.util.Arrays.copyOfRange(all, (int) s.offset(), (int) (s.offset() + s.size()));
    }

    private static float[] oneHot(int rows, int classes) {
        float[] y = new float[rows * classes];
        for (int r = 0; r < rows; r++) y[r * classes + r % classes] = 1;
        return y;
    }
}
