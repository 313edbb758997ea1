package com.example.xor;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.History;

import java.nio.file.Path;
import java.util.Arrays;

/** Trains XOR, saves the weights, loads them into a fresh model and predicts the four cases. */
public final class App {
    private App() {}

    public static void main(String[] args) throws Exception {
        Path weights = Path.of(args.length > 0 ? args[0] : "xor.safetensors");
        Dataset data = Dataset.of(
                new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}},
                new float[][] {{0}, {1}, {1}, {0}});

        float[][] trained = new float[4][];
        try (XorNetModel net = XorNetModel.create(42)) {
            Fit fit = Fit.epochs(300).batch(4).optimizer(Optimizers.adam(0.05))
                    .metrics(Metrics.accuracy()).seed(42).verbose(0);
            History history = net.fit(data, fit);
            System.out.printf("after %d epochs: loss %.4f%n", history.epochs(), history.last("loss"));
            for (int i = 0; i < 4; i++) trained[i] = net.predict(data.features(i));
            net.save(weights);
        }

        try (XorNetModel loaded = XorNetModel.forInference()) {
            loaded.load(weights);
            int right = 0;
            for (int i = 0; i < 4; i++) {
                float[] x = data.features(i);
                float p = loaded.predict(x)[0];
                if (p != trained[i][0]) {
                    throw new AssertionError("loaded model predicts " + p + " for " + Arrays.toString(x)
                            + ", the trained one " + trained[i][0]);
                }
                boolean ok = (p > 0.5f) == (data.target(i)[0] > 0.5f);
                if (ok) right++;
                System.out.printf("%d xor %d -> %.3f%s%n", (int) x[0], (int) x[1], p, ok ? "" : "  WRONG");
            }
            if (right != 4) throw new AssertionError(right + " of 4 cases right after loading " + weights);
            System.out.println("4 of 4 right from " + weights);
        }
    }
}
