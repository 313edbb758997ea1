package io.nerva.runtime.train;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.optim.LearningRate;
import io.nerva.runtime.optim.Optimizer;
import io.nerva.runtime.optim.Optimizers;
import java.lang.foreign.MemorySegment;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 4: a non-finite loss, gradient, learning rate or parameter at any step — here
 * the last step of the last epoch — stops training with a clear error and leaves the model with
 * the weights it had before that step. The failure is injected by a loss wrapper at a chosen call,
 * which also records the weights at the start of that step (read directly, as the step holds the gate).
 */
class DivergenceTest {
    private static final int N = 12, BATCH = 4, EPOCHS = 3;
    private static final int LAST_STEP = EPOCHS * N / BATCH; // 9: the last step of the last epoch

    /** MSE whose call number {@code at} is tampered with by {@code poison}; records the weights then. */
    private static final class Poisoned implements Loss {
        final LinearModel model;
        final int at;
        final IntFunction<Float> lossOverride;
        final float gradOverride;
        int calls;
        float[] weightsBefore;

        Poisoned(LinearModel model, int at, IntFunction<Float> lossOverride, float gradOverride) {
            this.model = model;
            this.at = at;
            this.lossOverride = lossOverride;
            this.gradOverride = gradOverride;
        }

        @Override
        public LossFunction function() {
            return LossFunction.MEAN_SQUARED_ERROR;
        }

        @Override
        public int targetColumns(int outputColumns) {
            return outputColumns;
        }

        @Override
        public boolean fusesWith(ActivationType a) {
            return false;
        }

        @Override
        public double compute(
                MemorySegment logits,
                MemorySegment output,
                MemorySegment targets,
                int rows,
                int cols,
                ActivationType act,
                MemorySegment grad) {
            double l = TestLosses.MSE.compute(logits, output, targets, rows, cols, act, grad);
            if (grad == MemorySegment.NULL || ++calls != at) return l;
            weightsBefore = model.parameters()
                    .values()
                    .asSlice(0, model.parameters().count() * 4)
                    .toArray(JAVA_FLOAT);
            if (!Float.isNaN(gradOverride)) grad.setAtIndex(JAVA_FLOAT, 0, gradOverride);
            else if (lossOverride == null) grad.setAtIndex(JAVA_FLOAT, 0, Float.NaN);
            return lossOverride == null ? l : lossOverride.apply(calls);
        }
    }

    private static Dataset data() {
        float[][] x = new float[N][], y = new float[N][];
        for (int i = 0; i < N; i++) {
            x[i] = new float[] {0.1f * i, 1 - 0.05f * i};
            y[i] = new float[] {0.3f * i - 1};
        }
        return Dataset.of(x, y);
    }

    private static Fit fit(Optimizer optimizer, Loss loss) {
        return Fit.epochs(EPOCHS)
                .batch(BATCH)
                .shuffle(false)
                .verbose(false)
                .optimizer(optimizer)
                .loss(loss);
    }

    private static TrainingDivergedException diverge(
            Optimizer optimizer, IntFunction<Float> lossOverride, float gradOverride, boolean restored) {
        try (LinearModel model = new LinearModel(2, 1, ActivationType.LINEAR, 5)) {
            Poisoned loss = new Poisoned(model, LAST_STEP, lossOverride, gradOverride);
            var e = assertThrows(TrainingDivergedException.class, () -> model.fit(data(), fit(optimizer, loss)));
            assertEquals(EPOCHS, e.epoch(), e.getMessage());
            assertEquals(LAST_STEP, e.step(), e.getMessage());
            assertTrue(e.getMessage().contains("at epoch 3/3, step 9 (batch 3 of 3)"), e.getMessage());
            assertNotNull(loss.weightsBefore);
            float[] after = model.parameters().toArray();
            for (float w : after) assertTrue(Float.isFinite(w), e.getMessage());
            if (restored) assertArrayEquals(loss.weightsBefore, after, 0f, "the weights before the failing step");
            assertEquals(restored, e.weightsRestored());
            // and the model still works: predictions and saves are finite
            assertTrue(Float.isFinite(model.predict(new float[] {1, 1})[0]));
            return e;
        }
    }

    @Test
    void nanLossAtTheLastStepOfTheLastEpochKeepsTheWeightsBeforeIt() {
        var e = diverge(Optimizers.sgd(0.01), call -> Float.NaN, Float.NaN, true);
        assertTrue(e.getMessage().startsWith("loss is NaN at epoch 3/3, step 9"), e.getMessage());
        assertNull(e.tensor());
    }

    @Test
    void infiniteLossWithAdamKeepsTheWeightsBeforeIt() {
        var e = diverge(Optimizers.adam(0.01), call -> Float.POSITIVE_INFINITY, Float.NaN, true);
        assertTrue(e.getMessage().startsWith("loss is Infinity at epoch 3/3, step 9"), e.getMessage());
    }

    @Test
    void nanGradientWithAFiniteLossKeepsTheWeightsBeforeIt() {
        for (Optimizer o : new Optimizer[] {
            Optimizers.sgd(0.01),
            Optimizers.adam(0.01),
            Optimizers.rmsprop(0.01),
            Optimizers.adagrad(0.01),
            Optimizers.sgd(0.01, 0.9, true),
            TestOptimizers.sgd(0.01)
        }) {
            var e = diverge(o, null, Float.NaN, true);
            assertTrue(
                    e.getMessage()
                            .startsWith("the gradient of 'dense.kernel' is NaN at [0, 0] (index 0) at epoch 3/3, "
                                    + "step 9"),
                    e.getMessage());
            assertEquals("dense.kernel", e.tensor());
        }
    }

    /** 0.01, but 1e10 at the last step: with a finite gradient of 1e30 the new kernel would be infinite. */
    private static final LearningRate SPIKE = (step, epoch) -> step == LAST_STEP ? 1e10 : 0.01;

    @Test
    void anUpdateThatOverflowsKeepsEveryWeightFinite() {
        var e = diverge(Optimizers.sgd(SPIKE), null, 1e30f, false);
        assertTrue(
                e.getMessage().startsWith("the update of 'dense.kernel' at [0, 0] (index 0) at epoch 3/3, step 9"),
                e.getMessage());
    }

    @Test
    void aCustomOptimizerThatOverflowsIsUndoneFromACopy() {
        Optimizer custom = new Optimizer() {
            @Override
            public int stateSlots() {
                return 0;
            }

            @Override
            public LearningRate learningRate() {
                return SPIKE;
            }

            @Override
            public void update(
                    MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
                for (long i = 0; i < count; i++) {
                    params.setAtIndex(
                            JAVA_FLOAT,
                            i,
                            params.getAtIndex(JAVA_FLOAT, i) - (float) lr * grads.getAtIndex(JAVA_FLOAT, i));
                }
            }
        };
        var e = diverge(custom, null, 1e30f, true);
        assertTrue(
                e.getMessage()
                        .startsWith("the optimizer made 'dense.kernel' NaN or infinite at [0, 0] (index 0) at epoch "
                                + "3/3, step 9"),
                e.getMessage());
    }

    @Test
    void aScheduleReturningANonFiniteRateIsRefusedWhenItDoes() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1e39, -0.1}) {
            LearningRate schedule = (step, epoch) -> step == LAST_STEP ? bad : 0.01;
            try (LinearModel model = new LinearModel(2, 1, ActivationType.LINEAR, 5)) {
                Poisoned loss = new Poisoned(model, LAST_STEP, null, 0f); // records the weights, tampers with nothing
                var e = assertThrows(
                        TrainingDivergedException.class, () -> model.fit(data(), fit(Optimizers.adam(schedule), loss)));
                assertTrue(
                        e.getMessage()
                                .startsWith("the learning rate schedule returned " + bad + " at epoch 3/3, step 9"),
                        e.getMessage());
                assertArrayEquals(loss.weightsBefore, model.parameters().toArray(), 0f);
            }
        }
    }

    @Test
    void aRateFiniteAsADoubleButInfiniteAsAFloatIsRefusedWhenTheFitIsBuilt() {
        for (var make : new java.util.function.DoubleFunction<?>[] {
            Optimizers::sgd, Optimizers::adam, Optimizers::rmsprop, Optimizers::adagrad, Optimizers::adamW
        }) {
            var e = assertThrows(IllegalArgumentException.class, () -> make.apply(1e39));
            assertTrue(
                    e.getMessage().startsWith("learning rate 1.0E39 is finite as a double but infinite as a float"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> make.apply(1e-50));
        }
    }

    @Test
    void aNonFiniteValidationLossIsAnErrorNotAHistoryEntry() {
        try (LinearModel model = new LinearModel(1, 1, ActivationType.LINEAR, 5)) {
            model.parameters().copyFrom(new float[] {2f, 0f});
            Dataset train = Dataset.of(new float[][] {{0.1f}, {0.2f}}, new float[][] {{0.2f}, {0.4f}});
            Dataset validation = Dataset.of(new float[][] {{3e38f}}, new float[][] {{0f}}); // 2 × 3e38 overflows
            var e = assertThrows(
                    TrainingDivergedException.class,
                    () -> model.fit(
                            train,
                            Fit.epochs(2)
                                    .batch(2)
                                    .verbose(false)
                                    .optimizer(Optimizers.sgd(1e-3))
                                    .loss(TestLosses.MSE)
                                    .validation(validation)));
            assertTrue(e.getMessage().startsWith("validation loss is Infinity after epoch 1/2"), e.getMessage());
        }
    }
}
