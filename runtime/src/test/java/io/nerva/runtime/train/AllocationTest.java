package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.data.Dataset;
import org.junit.jupiter.api.Test;

/** The steady-state training step must not allocate on the heap. */
class AllocationTest {

    @Test
    void trainingStepAllocatesNothing() {
        Dataset data = TestData.blobs(200, 1, true);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            AllocationProbe.Result result = AllocationProbe.measure(
                    model,
                    data,
                    TestLosses.CCE,
                    TestOptimizers.momentum(0.01, 0.9),
                    32,
                    20_000,
                    2000,
                    new TestAccuracy());
            System.out.println(result);
            assertTrue(result.bytesPerStep() < 64, result.toString());
        }
    }

    @Test
    void softmaxWithoutFusionAndSparseTargetsAllocateNothingEither() {
        Dataset data = TestData.blobs(200, 1, false);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            AllocationProbe.Result result = AllocationProbe.measure(
                    model, data, TestLosses.SPARSE_CCE, TestOptimizers.sgd(0.01), 17, 20_000, 2000, new TestAccuracy());
            assertTrue(result.bytesPerStep() < 64, result.toString());
        }
    }

    @Test
    void probeMakesUpDataForAnyModel() {
        try (LinearModel model = new LinearModel(new int[] {4, 4, 1}, 5, ActivationType.SOFTMAX, 5, true)) {
            Dataset data = AllocationProbe.randomData(model, TestLosses.SPARSE_CCE, 64, 3);
            assertEquals(1, data.targetColumns());
            for (float label : data.targets()) assertTrue(label >= 0 && label < 5 && label == (int) label);
            AllocationProbe.Result result =
                    AllocationProbe.measure(model, TestLosses.CCE, TestOptimizers.sgd(0.01), 16);
            assertEquals(2000, result.steps());
            assertTrue(result.toString().startsWith("Linear16x5: "), result.toString());
        }
    }
}
