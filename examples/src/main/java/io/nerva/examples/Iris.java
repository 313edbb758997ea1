package io.nerva.examples;

import io.nerva.runtime.data.CsvReader;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.Standardizer;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.History;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The main example: Fisher's Iris flowers (shipped in the repository), a 4-16-3 MLP trained with
 * Adam on 80% of the samples and evaluated on the other 20%.
 */
public final class Iris {
    private Iris() {}

    /** The 150 Iris samples, species one-hot, in file order. */
    public static Dataset load() {
        try (Reader csv = new InputStreamReader(Iris.class.getResourceAsStream("iris.csv"), StandardCharsets.UTF_8)) {
            return CsvReader.csv().target("species").read(csv, "iris.csv");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Trains on a seeded 80/20 split; returns the test-set loss and accuracy. */
    public static Map<String, Double> run(long seed, boolean verbose) {
        Dataset.Split split = load().split(0.2, seed);
        Standardizer scale = Standardizer.fit(split.train()); // statistics of the training part only
        Dataset train = scale.apply(split.train()), test = scale.apply(split.test());
        try (IrisNetModel net = IrisNetModel.create(seed)) {
            if (verbose) System.out.println(net.summary());
            Fit fit = Fit.epochs(60)
                    .batch(16)
                    .optimizer(Optimizers.adam(0.01))
                    .metrics(Metrics.accuracy())
                    .validation(test)
                    .seed(seed)
                    .verbose(verbose);
            History history = net.fit(train, fit);
            Map<String, Double> result = net.evaluate(test, fit);
            if (verbose) {
                System.out.printf(
                        "%ntest loss %.4f, test accuracy %.1f%% (%d samples)%n",
                        result.get("loss"), 100 * result.get("accuracy"), test.size());
                float[] sample = test.features(0);
                System.out.printf(
                        "first test flower: predicted %s, actually %s; probabilities %s%n",
                        train.classNames().get(net.predictClass(sample)),
                        train.classNames().get(test.labels()[0]),
                        java.util.Arrays.toString(net.predict(sample)));
                System.out.println("final training loss " + history.last("loss"));
            }
            return result;
        }
    }

    public static void main(String[] args) {
        run(args.length > 0 ? Long.parseLong(args[0]) : 42, true);
    }
}
