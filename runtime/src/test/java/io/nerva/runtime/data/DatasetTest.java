package io.nerva.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetTest {

    private static Dataset numbered(int n) {
        float[][] x = new float[n][];
        float[][] y = new float[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new float[] {i, -i};
            y[i] = new float[] {10 * i};
        }
        return Dataset.of(x, y);
    }

    @Test
    void factoriesCopyAndDescribe() {
        float[][] x = {{1, 2}, {3, 4}, {5, 6}};
        Dataset d = Dataset.classification(x, new int[] {2, 0, 1}, 3);
        x[0][0] = 99; // the dataset keeps its own copy
        assertEquals(3, d.size());
        assertEquals(2, d.sampleSize());
        assertEquals(3, d.targetColumns());
        assertArrayEquals(new float[] {1, 2}, d.features(0));
        assertArrayEquals(new float[] {0, 0, 1}, d.target(0));
        assertArrayEquals(new int[] {2, 0, 1}, d.labels());
        assertEquals("Dataset[3 samples of shape [2], 3 classes, one-hot]", d.toString());

        Dataset sparse = Dataset.withSparseLabels(x, new int[] {2, 0, 1}, 3);
        assertEquals(1, sparse.targetColumns());
        assertArrayEquals(new float[] {2}, sparse.target(0));
        assertArrayEquals(new int[] {2, 0, 1}, sparse.labels());

        Dataset flat =
                Dataset.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {2, 2, 1}, new float[] {0.25f, 1.5f}, 1);
        assertEquals(2, flat.size());
        assertArrayEquals(new int[] {2, 2, 1}, flat.sampleShape());
        assertArrayEquals(new float[] {5, 6, 7, 8}, flat.features(1));
        assertArrayEquals(new int[] {0, 1}, flat.labels()); // one non-sparse column: binary, threshold 0.5
    }

    @Test
    void validationMessagesNameTheProblem() {
        float[][] ragged = new float[20][4];
        ragged[17] = new float[3];
        assertEquals(
                "row 17 has 3 features, expected 4",
                assertThrows(IllegalArgumentException.class, () -> Dataset.of(ragged, new float[20][1]))
                        .getMessage());
        float[][] x = new float[5][3];
        x[4][2] = Float.NaN;
        assertEquals(
                "row 4, column 2 of the features is NaN",
                assertThrows(IllegalArgumentException.class, () -> Dataset.of(x, new float[5][1]))
                        .getMessage());
        x[4][2] = Float.NEGATIVE_INFINITY;
        assertEquals(
                "row 4, column 2 of the features is -Infinity",
                assertThrows(IllegalArgumentException.class, () -> Dataset.classification(x, new int[5], 2))
                        .getMessage());
        float[][] y = new float[5][2];
        y[1][1] = Float.POSITIVE_INFINITY;
        assertEquals(
                "row 1, column 1 of the targets is Infinity",
                assertThrows(IllegalArgumentException.class, () -> Dataset.of(new float[5][3], y))
                        .getMessage());
        assertEquals(
                "x has 5 rows but y has 4",
                assertThrows(IllegalArgumentException.class, () -> Dataset.of(new float[5][3], new float[4][1]))
                        .getMessage());
        assertEquals(
                "label 3 at row 2 is out of range for 3 classes (0..2)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Dataset.classification(new float[3][1], new int[] {0, 1, 3}, 3))
                        .getMessage());
        assertEquals(
                "label -1 at row 0 is out of range for 2 classes (0..1)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Dataset.withSparseLabels(new float[1][1], new int[] {-1}, 2))
                        .getMessage());
        assertEquals(
                "there are 3 samples but 2 labels",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Dataset.classification(new float[3][1], new int[2], 2))
                        .getMessage());
        assertEquals(
                "flatX has 10 floats, not a multiple of the sample size 4 (shape [2, 2])",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Dataset.of(new float[10], new int[] {2, 2}, new float[2], 1))
                        .getMessage());
        assertEquals(
                "flatY has 5 floats for 3 samples, expected 3 × 2 = 6",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Dataset.of(new float[6], new int[] {2}, new float[5], 2))
                        .getMessage());
        float[] flat = new float[6];
        flat[5] = Float.NaN;
        assertEquals(
                "row 2, column 1 of the features is NaN",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Dataset.labeled(flat, new int[] {2}, new int[3], 2, true))
                        .getMessage());
    }

    @Test
    void sliceAndTakeKeepRowsTogether() {
        Dataset d = numbered(10);
        Dataset s = d.slice(3, 6);
        assertEquals(3, s.size());
        assertArrayEquals(new float[] {4, -4}, s.features(1));
        assertArrayEquals(new float[] {40}, s.target(1));
        assertEquals(4, d.take(4).size());
        assertEquals(10, d.take(40).size());
        assertEquals(0, d.slice(5, 5).size());
        assertThrows(IndexOutOfBoundsException.class, () -> d.slice(4, 11));
    }

    @Test
    void splitIsDeterministicDisjointAndComplete() {
        Dataset d = numbered(100);
        Dataset.Split a = d.split(0.2, 7);
        Dataset.Split b = d.split(0.2, 7);
        assertEquals(80, a.train().size());
        assertEquals(20, a.test().size());
        assertArrayEquals(a.test().features(), b.test().features());
        assertArrayEquals(a.train().targets(), b.train().targets());
        assertFalse(Arrays.equals(a.test().features(), d.split(0.2, 8).test().features()));
        Set<Float> ids = new HashSet<>();
        for (Dataset part : List.of(a.train(), a.test())) {
            for (int i = 0; i < part.size(); i++) {
                float id = part.features(i)[0];
                assertEquals(10 * id, part.target(i)[0], "features and targets stay paired");
                assertTrue(ids.add(id), "sample " + id + " in both parts");
            }
        }
        assertEquals(100, ids.size());
        assertEquals(
                "testFraction 0.001 of 100 samples leaves no test sample",
                assertThrows(IllegalArgumentException.class, () -> d.split(0.001, 1))
                        .getMessage());
        assertEquals(
                "testFraction must be in (0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> d.split(1.0, 1))
                        .getMessage());
    }

    @Test
    void copiesRowsIntoMemorySegments() {
        Dataset d = numbered(5);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(6 * Float.BYTES);
            d.copyFeatures(2, 2, seg, Float.BYTES);
            assertArrayEquals(new float[] {0, 2, -2, 3, -3, 0}, seg.toArray(ValueLayout.JAVA_FLOAT));
            d.copyTargets(4, 1, seg, 0);
            assertEquals(40f, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> d.copyFeatures(4, 2, seg, 0));
        }
    }

    @Test
    void oneHotRoundTrip() {
        int[] labels = {0, 3, 1, 3, 2};
        float[][] encoded = OneHot.encode(labels, 4);
        assertArrayEquals(new float[] {0, 0, 0, 1}, encoded[1]);
        assertArrayEquals(labels, OneHot.decode(encoded));
        assertArrayEquals(labels, OneHot.decodeFlat(OneHot.encodeFlat(labels, 4), 4));
        assertArrayEquals(new int[] {1}, OneHot.decode(new float[][] {{0.2f, 0.4f, 0.4f}}), "first maximum wins");
        assertEquals(
                "label 4 at row 1 is out of range for 4 classes (0..3)",
                assertThrows(IllegalArgumentException.class, () -> OneHot.encode(new int[] {0, 4}, 4))
                        .getMessage());
    }

    @Test
    void standardizerRoundTrip() {
        float[][] x = {{1, 5, 10}, {3, 5, 20}, {5, 5, 30}, {7, 5, 40}};
        Dataset d = Dataset.of(x, new float[4][1]);
        Standardizer s = Standardizer.fit(d);
        assertArrayEquals(new float[] {4, 5, 25}, s.mean());
        assertArrayEquals(
                new float[] {(float) Math.sqrt(5), 1, (float) Math.sqrt(125)},
                s.std(),
                1e-6f); // constant column: std 1
        Dataset t = s.apply(d);
        Standardizer again = Standardizer.fit(t);
        for (int j = 0; j < 3; j++) assertEquals(0f, again.mean()[j], 1e-6f);
        assertArrayEquals(new float[] {1, 1, 1}, new float[] {again.std()[0], 1, again.std()[2]}, 1e-6f);
        assertArrayEquals(t.features(2), s.apply(x[2]));
        assertArrayEquals(x[3], s.invert(s.apply(x[3])), 1e-5f);
        assertArrayEquals(d.targets(), t.targets());
        assertEquals(
                "this Standardizer was fitted on 3 features, got 2",
                assertThrows(IllegalArgumentException.class, () -> s.apply(new float[2]))
                        .getMessage());
    }
}
