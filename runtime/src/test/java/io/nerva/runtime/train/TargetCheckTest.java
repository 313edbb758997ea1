package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.optim.Optimizers;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 5: a sparse label the model cannot output is reported at fit/evaluate start with
 * its sample index, before any batch has changed the weights.
 */
class TargetCheckTest {
    private static Dataset data(int badSample, int badLabel) {
        float[][] x = new float[60][];
        int[] labels = new int[60];
        for (int i = 0; i < 60; i++) {
            x[i] = new float[] {i % 3 - 1, (i % 5) * 0.1f};
            labels[i] = i % 3;
        }
        labels[badSample] = badLabel;
        return Dataset.withSparseLabels(x, labels, 5); // the data says 5 classes, the model has 3 outputs
    }

    @Test
    void aLabelBeyondTheModelsOutputsIsFoundBeforeTheFirstStepNamingTheSample() {
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            float[] before = model.parameters().toArray();
            var e = assertThrows(
                    IllegalArgumentException.class,
                    () -> model.fit(
                            data(57, 4),
                            Fit.epochs(2)
                                    .batch(8)
                                    .verbose(false)
                                    .optimizer(Optimizers.sgd(0.1))
                                    .loss(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)));
            assertEquals(
                    "training data: sample 57 has label 4.0, but model 'Linear2x3' has 3 outputs, so a label must be "
                            + "an integer class index in [0, 3); does the data have more classes than the last layer?",
                    e.getMessage());
            assertArrayEquals(before, model.parameters().toArray(), 0f, "no batch ran");

            var v = assertThrows(
                    IllegalArgumentException.class,
                    () -> model.evaluate(
                            data(41, 3), Fit.epochs(1).batch(8).loss(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)));
            assertTrue(v.getMessage().startsWith("evaluation data: sample 41 has label 3.0"), v.getMessage());
        }
    }
}
