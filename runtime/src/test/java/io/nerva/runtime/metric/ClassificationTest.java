package io.nerva.runtime.metric;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Precision, recall, F1, the confusion matrix and the report, on cases computed by hand. */
class ClassificationTest {
    // true 0: 2 right, 1 as class 1; true 1: 1 right, 1 as 2; true 2: 3 right, 1 as 0, 1 as 1
    private static final int[] ACTUAL = {0, 0, 0, 1, 1, 2, 2, 2, 2, 2};
    private static final int[] PREDICTED = {0, 0, 1, 1, 2, 2, 2, 2, 0, 1};

    @Test
    void perClassAndAveragedValuesMatchTheHandComputation() {
        ConfusionMatrix cm = ConfusionMatrix.of(ACTUAL, PREDICTED, 3);
        assertArrayEquals(new long[][] {{2, 1, 0}, {0, 1, 1}, {1, 1, 3}}, cm.counts());
        assertEquals(10, cm.total());
        assertEquals(0.6, cm.accuracy(), 1e-15);
        // precision = diagonal / column sum: 2/3, 1/3, 3/4
        assertEquals(2.0 / 3, cm.precision(0), 1e-15);
        assertEquals(1.0 / 3, cm.precision(1), 1e-15);
        assertEquals(0.75, cm.precision(2), 1e-15);
        // recall = diagonal / row sum: 2/3, 1/2, 3/5
        assertEquals(2.0 / 3, cm.recall(0), 1e-15);
        assertEquals(0.5, cm.recall(1), 1e-15);
        assertEquals(0.6, cm.recall(2), 1e-15);
        // f1 = 2pr/(p+r): 2/3, 0.4, 2/3
        assertEquals(2.0 / 3, cm.f1(0), 1e-15);
        assertEquals(0.4, cm.f1(1), 1e-15);
        assertEquals(2.0 / 3, cm.f1(2), 1e-15);
        assertEquals((2.0 / 3 + 1.0 / 3 + 0.75) / 3, cm.precision(Average.MACRO), 1e-15);
        assertEquals((2.0 / 3 + 0.5 + 0.6) / 3, cm.recall(Average.MACRO), 1e-15);
        assertEquals((2.0 / 3 + 0.4 + 2.0 / 3) / 3, cm.f1(Average.MACRO), 1e-15);
        assertEquals((3 * 2.0 / 3 + 2 * 1.0 / 3 + 5 * 0.75) / 10, cm.precision(Average.WEIGHTED), 1e-15);
        assertEquals(0.6, cm.recall(Average.WEIGHTED), 1e-15);
        assertEquals((3 * 2.0 / 3 + 2 * 0.4 + 5 * 2.0 / 3) / 10, cm.f1(Average.WEIGHTED), 1e-15);
        for (Average micro : new Average[] {Average.MICRO}) {
            assertEquals(0.6, cm.precision(micro), 1e-15);
            assertEquals(0.6, cm.recall(micro), 1e-15);
            assertEquals(0.6, cm.f1(micro), 1e-15);
        }
    }

    @Test
    void reportIsPrintedAsScikitLearnPrintsIt() {
        String expected = """
                              precision    recall  f1-score   support

                           0       0.67      0.67      0.67         3
                           1       0.33      0.50      0.40         2
                           2       0.75      0.60      0.67         5

                    accuracy                           0.60        10
                   macro avg       0.58      0.59      0.58        10
                weighted avg       0.64      0.60      0.61        10
                """;
        assertEquals(
                expected,
                ClassificationReport.of(ConfusionMatrix.of(ACTUAL, PREDICTED, 3))
                        .toString());
        String named = ClassificationReport.of(
                        ConfusionMatrix.of(ACTUAL, PREDICTED, 3), List.of("T-shirt/top", "Trouser", "Pullover"))
                .toString();
        assertTrue(named.contains("\n T-shirt/top       0.67      0.67      0.67         3\n"), named);
        assertEquals(
                "expected 3 class names, got 2",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> ClassificationReport.of(
                                        ConfusionMatrix.of(ACTUAL, PREDICTED, 3), List.of("a", "b")))
                        .getMessage());
    }

    @Test
    void aClassNeverPredictedOrNeverPresentScoresZeroNotNaN() {
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 0, 1}, new int[] {0, 0, 0}, 3);
        assertEquals(0, cm.precision(1));
        assertEquals(0, cm.recall(2));
        assertEquals(0, cm.f1(1));
        assertEquals(2.0 / 3, cm.precision(0), 1e-15);
        assertEquals((0.8 + 0 + 0) / 3, cm.f1(Average.MACRO), 1e-15);
    }

    @Test
    void badLabelsSayWhatWasExpected() {
        assertEquals(
                "predicted class 3 is outside [0, 3)",
                assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new int[] {0}, new int[] {3}, 3))
                        .getMessage());
        assertEquals(
                "expected as many predicted labels as true ones (2), got 1",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> ConfusionMatrix.of(new int[] {0, 1}, new int[] {0}, 3))
                        .getMessage());
        assertEquals(
                "a confusion matrix needs at least 2 classes, got 1",
                assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(1))
                        .getMessage());
    }

    @Test
    void outputsAreTurnedIntoClassesByArgmaxOrThreshold() {
        assertArrayEquals(new int[] {1, 0, 2}, ConfusionMatrix.predictedClasses(new float[][] {
            {0.1f, 0.8f, 0.1f}, {0.5f, 0.5f, 0f}, {0, 0, 1}
        }));
        assertArrayEquals(
                new int[] {1, 0, 0}, ConfusionMatrix.predictedClasses(new float[][] {{0.7f}, {0.5f}, {0.2f}}));
    }

    private static MemorySegment segment(Arena arena, float... v) {
        MemorySegment s = arena.allocate((long) v.length * Float.BYTES);
        for (int i = 0; i < v.length; i++) s.setAtIndex(JAVA_FLOAT, i, v[i]);
        return s;
    }

    @Test
    void streamingMetricsOverBatchesEqualTheWholePass() {
        try (Arena arena = Arena.ofConfined()) {
            // binary: outputs > 0.5 -> predicted [1,1,1,0,0]; targets [1,0,0,1,0]: TP 1, FP 2, FN 1
            Metric p = Metrics.precision(), r = Metrics.recall(), f = Metrics.f1();
            MemorySegment out1 = segment(arena, 0.9f, 0.8f, 0.7f), t1 = segment(arena, 1, 0, 0);
            MemorySegment out2 = segment(arena, 0.2f, 0.1f), t2 = segment(arena, 1, 0);
            for (Metric m : List.of(p, r, f)) {
                m.reset();
                m.update(out1, t1, 3, 1, 1);
                m.update(out2, t2, 2, 1, 1);
            }
            assertEquals(1.0 / 3, p.result(), 1e-15);
            assertEquals(0.5, r.result(), 1e-15);
            assertEquals(0.4, f.result(), 1e-15);
            p.reset();
            assertEquals(0, p.result(), "reset empties it");

            // 3 classes, one-hot targets in one batch and class indices in another: the hand-computed case
            Metric macro = Metrics.f1(), weighted = Metrics.precision(Average.WEIGHTED);
            assertEquals("precision_weighted", weighted.name());
            float[] outputs = new float[10 * 3];
            float[] oneHot = new float[5 * 3];
            float[] indices = new float[5];
            for (int i = 0; i < 10; i++) outputs[i * 3 + PREDICTED[i]] = 1;
            for (int i = 0; i < 5; i++) oneHot[i * 3 + ACTUAL[i]] = 1;
            for (int i = 0; i < 5; i++) indices[i] = ACTUAL[5 + i];
            float[] firstOut = java.util.Arrays.copyOfRange(outputs, 0, 15),
                    secondOut = java.util.Arrays.copyOfRange(outputs, 15, 30);
            for (Metric m : List.of(macro, weighted)) {
                m.reset();
                m.update(segment(arena, firstOut), segment(arena, oneHot), 5, 3, 3);
                m.update(segment(arena, secondOut), segment(arena, indices), 5, 3, 1);
            }
            assertEquals((2.0 / 3 + 0.4 + 2.0 / 3) / 3, macro.result(), 1e-15);
            assertEquals((3 * 2.0 / 3 + 2 * 1.0 / 3 + 5 * 0.75) / 10, weighted.result(), 1e-15);
            assertEquals(
                    "f1: the target of row 0 is 3.0, but it must be an integer class index in [0, 3)",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> macro.update(segment(arena, 1, 0, 0), segment(arena, 3), 1, 3, 1))
                            .getMessage());
        }
    }
}
