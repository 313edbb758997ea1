package io.nerva.examples;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import java.util.Map;

/** XOR with a 2-4-1 MLP: all four cases right after a few hundred epochs. */
public final class Xor {
    private Xor() {}

    public static final Dataset DATA =
            Dataset.of(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, new float[][] {{0}, {1}, {1}, {0}});

    /** Trains from {@code seed}; returns the final loss and accuracy on the four cases. */
    public static Map<String, Double> run(long seed, boolean verbose) {
        try (XorNetModel net = XorNetModel.create(seed)) {
            Fit fit = Fit.epochs(500)
                    .batch(4)
                    .optimizer(Optimizers.adam(0.05))
                    .metrics(Metrics.accuracy())
                    .seed(seed)
                    .verbose(false);
            net.fit(DATA, fit);
            if (verbose) {
                for (int i = 0; i < DATA.size(); i++) {
                    float[] x = DATA.features(i);
                    System.out.printf(
                            "%s xor %s -> %.3f (expected %s)%n",
                            (int) x[0], (int) x[1], net.predict(x)[0], (int) DATA.target(i)[0]);
                }
            }
            return net.evaluate(DATA, fit);
        }
    }

    public static void main(String[] args) {
        Map<String, Double> result = run(args.length > 0 ? Long.parseLong(args[0]) : 1, true);
        System.out.printf("loss %.4f, accuracy %.0f%%%n", result.get("loss"), 100 * result.get("accuracy"));
    }
}
