package io.nerva.examples;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.Standardizer;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.GradientClipping;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import java.util.Map;

/**
 * {@link IrisRegularizedNet}: L2 penalties (in the reported loss), Maxout, PReLU and cross-entropy from logits,
 * with Adam behind a global gradient-norm clip, on the same 80/20 splits as {@link Iris}.
 */
public final class IrisRegularized {
    private IrisRegularized() {}

    /** Trains on a seeded 80/20 split; returns the test loss (penalty included) and accuracy. */
    public static Map<String, Double> run(long seed, boolean verbose) {
        Dataset.Split split = Iris.load().split(0.2, seed);
        Standardizer scale = Standardizer.fit(split.train());
        Dataset train = scale.apply(split.train()), test = scale.apply(split.test());
        try (IrisRegularizedNetModel net = IrisRegularizedNetModel.create(seed)) {
            if (verbose) System.out.println(net.summary());
            Fit fit = Fit.epochs(60)
                    .batch(16)
                    .optimizer(GradientClipping.globalNorm(Optimizers.adam(0.01), 1.0))
                    .metrics(Metrics.accuracy())
                    .validation(test)
                    .seed(seed)
                    .verbose(verbose);
            net.fit(train, fit);
            Map<String, Double> result = net.evaluate(test, fit);
            if (verbose) {
                System.out.printf(
                        "%ntest loss %.4f (L2 penalty included), test accuracy %.1f%% (%d samples)%n",
                        result.get("loss"), 100 * result.get("accuracy"), test.size());
                System.out.println("trained PReLU slopes: "
                        + java.util.Arrays.toString(net.slopes.kernel().get()));
            }
            return result;
        }
    }

    public static void main(String[] args) {
        run(args.length > 0 ? Long.parseLong(args[0]) : 42, true);
    }
}
