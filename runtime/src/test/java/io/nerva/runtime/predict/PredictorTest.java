package io.nerva.runtime.predict;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.train.LinearModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PredictorTest {

    private static float[][] samples(int n, int width, long seed) {
        Rng rng = new Rng(seed);
        float[][] x = new float[n][width];
        for (float[] row : x) for (int j = 0; j < width; j++) row[j] = (float) rng.nextGaussian();
        return x;
    }

    @Test
    void eightThreadsGiveTheSingleThreadedResults() throws Exception {
        float[][] x = samples(1000, 5, 1);
        try (LinearModel model = new LinearModel(5, 4, ActivationType.SOFTMAX, 3);
                Predictor predictor = new Predictor(model, 16)) {
            float[][] expected = new float[x.length][];
            for (int i = 0; i < x.length; i++) expected[i] = predictor.predict(x[i]);
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<float[][]>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int offset = t * 125; // each thread starts elsewhere so calls interleave
                    results.add(pool.submit(() -> {
                        float[][] got = new float[x.length][];
                        float[] out = new float[4];
                        for (int k = 0; k < x.length; k++) {
                            int i = (k + offset) % x.length;
                            got[i] = k % 2 == 0
                                    ? predictor.predict(x[i])
                                    : predictor.predict(x[i], out).clone();
                            assertEquals(argmax(got[i]), predictor.predictClass(x[i]));
                        }
                        return got;
                    }));
                }
                for (Future<float[][]> f : results) {
                    float[][] got = f.get();
                    for (int i = 0; i < x.length; i++) assertArrayEquals(expected[i], got[i], "sample " + i);
                }
            }
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
        return best;
    }

    @Test
    void batchesGoInChunksOfTheCapacity() {
        float[][] x = samples(50, 3, 2);
        try (LinearModel model = new LinearModel(3, 2, ActivationType.LINEAR, 3);
                Predictor predictor = new Predictor(model, 7)) {
            float[][] batch = predictor.predict(x);
            float[] flat = new float[50 * 3];
            for (int i = 0; i < 50; i++) System.arraycopy(x[i], 0, flat, i * 3, 3);
            float[] flatOut = predictor.predictBatch(flat, 50);
            for (int i = 0; i < 50; i++) {
                float[] single = predictor.predict(x[i]);
                assertArrayEquals(single, batch[i]);
                assertArrayEquals(single, java.util.Arrays.copyOfRange(flatOut, i * 2, i * 2 + 2));
            }
        }
    }

    @Test
    void tiesGoToTheFirstClass() {
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 3);
                Predictor predictor = new Predictor(model)) {
            model.parameters().copyFrom(new float[9]); // all outputs equal
            assertEquals(0, predictor.predictClass(new float[] {1, 2}));
        }
    }

    @Test
    void inputsAreChecked() {
        try (LinearModel model = new LinearModel(new int[] {28, 28, 1}, 10, ActivationType.SOFTMAX, 3, true);
                Predictor predictor = new Predictor(model)) {
            assertEquals(
                    "expected 784 floats (shape 28x28x1), got 783",
                    assertThrows(IllegalArgumentException.class, () -> predictor.predict(new float[783]))
                            .getMessage());
            float[] nan = new float[784];
            nan[17] = Float.NaN;
            assertEquals(
                    "sample[17] is NaN",
                    assertThrows(IllegalArgumentException.class, () -> predictor.predictClass(nan))
                            .getMessage());
            float[] flat = new float[2 * 784];
            flat[784 + 5] = Float.POSITIVE_INFINITY;
            assertEquals(
                    "row 1, feature 5 is Infinity",
                    assertThrows(IllegalArgumentException.class, () -> predictor.predictBatch(flat, 2))
                            .getMessage());
            assertEquals(
                    "expected 3 rows × 784 floats (shape 28x28x1) = 2352, got 1568",
                    assertThrows(IllegalArgumentException.class, () -> predictor.predictBatch(flat, 3))
                            .getMessage());
            assertEquals(
                    "row 1: expected 784 floats (shape 28x28x1), got 2",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> predictor.predict(new float[][] {new float[784], new float[2]}))
                            .getMessage());
            assertEquals(
                    "out has 3 floats, needs 10",
                    assertThrows(IllegalArgumentException.class, () -> predictor.predict(new float[784], new float[3]))
                            .getMessage());
        }
    }

    @Test
    void closedPredictorRefusesWork() {
        try (LinearModel model = new LinearModel(2, 1, ActivationType.LINEAR, 3)) {
            Predictor predictor = new Predictor(model);
            predictor.predict(new float[] {1, 2});
            predictor.close();
            assertEquals(
                    "model Linear2x1 is closed; create or load a new model to use it again",
                    assertThrows(IllegalStateException.class, () -> predictor.predict(new float[] {1, 2}))
                            .getMessage());
        }
    }

    @Test
    void singlePredictionsAllocateOnlyTheResultOnceWarm() {
        try (LinearModel model = new LinearModel(8, 4, ActivationType.SOFTMAX, 3);
                Predictor predictor = new Predictor(model)) {
            float[] x = samples(1, 8, 5)[0];
            float[] out = new float[4];
            var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            int sink = 0;
            for (int i = 0; i < 20_000; i++)
                sink += predictor.predictClass(x) + (int) predictor.predict(x, out)[0];
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++)
                sink += predictor.predictClass(x) + (int) predictor.predict(x, out)[0];
            long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / 20_000;
            assertTrue(perCall < 8, perCall + " bytes per prediction (sink " + sink + ")");
        }
    }
}
