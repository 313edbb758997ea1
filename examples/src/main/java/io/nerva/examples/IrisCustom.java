package io.nerva.examples;

import io.nerva.examples.custom.BentIdentity;
import io.nerva.examples.custom.ConfidentAccuracy;
import io.nerva.examples.custom.LabelSmoothing;
import io.nerva.examples.custom.Rbf;
import io.nerva.runtime.custom.GradientChecker;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.Standardizer;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import java.util.Map;

/**
 * Every custom piece at once on Iris: the {@link Rbf} layer and {@link BentIdentity} activation of
 * {@link IrisCustomNet}, trained with the {@link LabelSmoothing} loss and reporting the {@link ConfidentAccuracy}
 * metric, after {@link GradientChecker} has checked the layer, the activation and the loss by finite differences.
 */
public final class IrisCustom {
    private IrisCustom() {}

    /** The finite-difference checks of the three pieces with gradients; each throws when its derivative is wrong. */
    public static void checkPieces(boolean verbose) {
        GradientChecker.Report layer =
                GradientChecker.check(new Rbf(), new int[] {4}, 5).assertPasses();
        GradientChecker.Report act =
                GradientChecker.checkActivation(new BentIdentity(), -4, 4, 33).assertPasses();
        GradientChecker.Report loss = GradientChecker.checkLoss(
                        new LabelSmoothing(0.1),
                        new float[] {0.7f, 0.2f, 0.1f, 0.3f, 0.3f, 0.4f},
                        new float[] {1, 0, 0, 0, 0, 1},
                        2,
                        3)
                .assertPasses();
        if (verbose) {
            System.out.println(layer);
            System.out.println(act);
            System.out.println(loss);
        }
    }

    /** Trains on a seeded 80/20 split; returns the test loss, accuracy and confident accuracy. */
    public static Map<String, Double> run(long seed, boolean verbose) {
        Dataset.Split split = Iris.load().split(0.2, seed);
        Standardizer scale = Standardizer.fit(split.train());
        Dataset train = scale.apply(split.train()), test = scale.apply(split.test());
        try (IrisCustomNetModel net = IrisCustomNetModel.create(seed)) {
            if (verbose) System.out.println(net.summary());
            Fit fit = Fit.epochs(80)
                    .batch(16)
                    .optimizer(Optimizers.adam(0.02))
                    .loss(new LabelSmoothing(0.1))
                    .metricFactories(Metrics::accuracy, ConfidentAccuracy::new)
                    .validation(test)
                    .seed(seed)
                    .verbose(verbose);
            net.fit(train, fit);
            Map<String, Double> result = net.evaluate(test, fit);
            if (verbose) {
                System.out.printf(
                        "%ntest loss %.4f, accuracy %.1f%%, confident accuracy %.1f%% (%d samples)%n",
                        result.get("loss"),
                        100 * result.get("accuracy"),
                        100 * result.get("confident_accuracy"),
                        test.size());
            }
            return result;
        }
    }

    public static void main(String[] args) {
        checkPieces(true);
        run(args.length > 0 ? Long.parseLong(args[0]) : 42, true);
    }
}
