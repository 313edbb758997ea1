package io.nerva.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The embedded, trained Fashion-MNIST MLP: loaded from the class path, checked by javac. */
class EmbeddedModelTest {

    @Test
    void pretrainedWeightsClassifyTheTestSetAt88Percent() throws Exception {
        Dataset test = FashionMnist.test(FashionMnist.DEFAULT_DIR, false);
        try (FashionClassifierNetModel net = FashionClassifierNetModel.pretrained()) {
            assertFalse(net.trainable(), "an embedded inference model keeps no gradients");
            int[] labels = test.labels();
            int right = 0;
            for (int i = 0; i < test.size(); i++) {
                if (net.predictClass(test.features(i)) == labels[i]) right++;
            }
            double accuracy = right / (double) test.size();
            assertTrue(accuracy >= 0.88, "accuracy of the embedded weights: " + accuracy);
        }
    }

    @Test
    void predictFromEightThreadsEqualsSingleThreaded() throws Exception {
        Dataset test = FashionMnist.test(FashionMnist.DEFAULT_DIR, false);
        int n = 2000;
        try (FashionClassifierNetModel net = FashionClassifierNetModel.pretrained()) {
            float[][] expected = new float[n][];
            for (int i = 0; i < n; i++) expected[i] = net.predict(test.features(i));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<float[][]>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int offset = t * 250;
                    results.add(pool.submit(() -> {
                        float[][] got = new float[n][];
                        for (int k = 0; k < n; k++) {
                            int i = (k + offset) % n; // every thread walks the samples from a different start
                            got[i] = net.predict(test.features(i));
                        }
                        return got;
                    }));
                }
                for (Future<float[][]> f : results) {
                    float[][] got = f.get();
                    for (int i = 0; i < n; i++) assertArrayEquals(expected[i], got[i], "sample " + i);
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
