package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.optim.Optimizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link io.nerva.runtime.Model#save} and {@code load} through the predictions of a trained model. */
class ModelSaveLoadTest {
    @TempDir
    Path dir;

    private static float[][] samples(int n, long seed) {
        Rng rng = new Rng(seed);
        float[][] x = new float[n][2];
        for (float[] row : x) {
            row[0] = (float) (4 * rng.nextGaussian());
            row[1] = (float) (4 * rng.nextGaussian());
        }
        return x;
    }

    @Test
    void aFreshModelLoadedFromTheFilePredictsExactlyAsTheTrainedOne() throws Exception {
        Path file = dir.resolve("trained.safetensors");
        float[][] x = samples(2000, 11);
        float[][] expected = new float[x.length][];
        try (LinearModel trained = new LinearModel(2, 3, ActivationType.SOFTMAX, 5)) {
            Trainer.fit(
                    trained,
                    TestData.blobs(50, 1, true),
                    Fit.epochs(5)
                            .verbose(false)
                            .batch(16)
                            .optimizer(Optimizers.adam(0.05))
                            .loss(TestLosses.CCE));
            for (int i = 0; i < x.length; i++) expected[i] = trained.predict(x[i]);
            trained.save(file);
        }
        try (LinearModel loaded = new LinearModel(2, 3, ActivationType.SOFTMAX, 99)) {
            assertNotEquals(expected[0][0], loaded.predict(x[0])[0], "a fresh model predicts otherwise");
            loaded.load(file);
            float[][] single = new float[x.length][];
            for (int i = 0; i < x.length; i++) {
                single[i] = loaded.predict(x[i]);
                assertArrayEquals(expected[i], single[i], "sample " + i); // bitwise
            }
            assertArrayEquals(expected, loaded.predict(x), "as one batch");

            int threads = 8;
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<float[][]>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int offset = t * (x.length / threads); // every thread starts elsewhere, so calls interleave
                    boolean batches = t % 2 == 1;
                    results.add(pool.submit(() -> {
                        start.await();
                        float[][] got = new float[x.length][];
                        for (int k = 0; k < x.length; k++) {
                            int i = (k + offset) % x.length;
                            if (batches && i + 7 <= x.length && k % 7 == 0) {
                                float[][] out = loaded.predict(java.util.Arrays.copyOfRange(x, i, i + 7));
                                System.arraycopy(out, 0, got, i, 7);
                            } else if (got[i] == null) {
                                got[i] = loaded.predict(x[i]);
                            }
                            assertEquals(argmax(single[i]), loaded.predictClass(x[i]));
                        }
                        for (int i = 0; i < x.length; i++) if (got[i] == null) got[i] = loaded.predict(x[i]);
                        return got;
                    }));
                }
                start.countDown();
                for (int t = 0; t < threads; t++) {
                    float[][] got = results.get(t).get();
                    for (int i = 0; i < x.length; i++)
                        assertArrayEquals(single[i], got[i], "thread " + t + ", sample " + i);
                }
            }
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
        return best;
    }
}
