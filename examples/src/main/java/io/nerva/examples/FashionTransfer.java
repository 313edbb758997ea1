package io.nerva.examples;

import io.nerva.examples.embedded.FashionClassifierNetModel;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the trained Fashion MLP (the weights embedded with {@code embedded.FashionClassifierNet}), puts its
 * hidden layer, frozen, under a new 4-way head and trains only the head on the footwear-and-bag classes;
 * then unfreezes the hidden layer at run time and fine-tunes everything for an epoch with a small rate.
 * Arguments: {@code [dir] [head epochs, default 3] [training samples per class, default all]}.
 */
public final class FashionTransfer {
    private FashionTransfer() {}

    /** The classes of the new task, in the order of the head's outputs. */
    public static final int[] CLASSES = {5, 7, 8, 9};

    public static final List<String> NAMES = List.of("Sandal", "Sneaker", "Bag", "Ankle boot");

    /** The samples of {@link #CLASSES} (at most {@code perClass} of each), relabelled 0..3. */
    public static Dataset subset(Dataset data, int perClass) {
        int[] labels = data.labels();
        int[] taken = new int[CLASSES.length];
        int[] index = new int[labels.length];
        int[] relabelled = new int[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            for (int c = 0; c < CLASSES.length; c++) {
                if (labels[i] == CLASSES[c] && taken[c] < perClass) {
                    taken[c]++;
                    index[n] = i;
                    relabelled[n++] = c;
                }
            }
        }
        int size = data.sampleSize();
        float[] x = new float[n * size];
        for (int k = 0; k < n; k++) System.arraycopy(data.features(index[k]), 0, x, k * size, size);
        return Dataset.labeled(x, data.sampleShape(), Arrays.copyOf(relabelled, n), CLASSES.length, false)
                .withClassNames(NAMES);
    }

    /**
     * Runs the whole transfer; returns the test accuracy after the head alone ({@code head_accuracy}), after
     * fine-tuning ({@code tuned_accuracy}) and whether the frozen hidden layer came through the head's
     * training bit for bit ({@code hidden_unchanged}, 1 or 0).
     */
    public static Map<String, Double> run(Path dir, int epochs, int perClass, boolean verbose) throws IOException {
        Dataset train = subset(FashionMnist.train(dir, false), perClass);
        Dataset test = subset(FashionMnist.test(dir, false), Integer.MAX_VALUE);
        Map<String, Double> result = new LinkedHashMap<>();
        try (var trained = FashionClassifierNetModel.pretrained();
                var net = FashionTransferNetModel.create(7)) {
            net.hidden.kernel().set(trained.layer("hidden").kernel().get());
            net.hidden.bias().set(trained.layer("hidden").bias().get());
            if (verbose) System.out.println(net.summary());
            float[] hidden = net.hidden.kernel().get();
            Fit fit = Fit.epochs(epochs)
                    .batch(64)
                    .optimizer(Optimizers.adam(3e-3))
                    .metrics(Metrics.accuracy())
                    .seed(7)
                    .verbose(verbose ? 2 : 0);
            net.fit(train, fit);
            result.put("head_accuracy", net.evaluate(test, fit).get("accuracy"));
            result.put(
                    "hidden_unchanged",
                    Arrays.equals(hidden, net.hidden.kernel().get()) ? 1.0 : 0.0);

            net.hidden.setTrainable(true); // fine-tune everything, gently
            if (verbose) System.out.println(net.summary());
            net.fit(
                    train,
                    Fit.epochs(1)
                            .batch(64)
                            .optimizer(Optimizers.adam(1e-4))
                            .seed(8)
                            .verbose(verbose ? 2 : 0));
            result.put("tuned_accuracy", net.evaluate(test, fit).get("accuracy"));
        }
        return result;
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : FashionMnist.DEFAULT_DIR;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int perClass = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
        Map<String, Double> r = run(dir, epochs, perClass, true);
        System.out.printf(
                "%s: head on the frozen hidden layer %.2f%% test accuracy (hidden layer %s), "
                        + "after fine-tuning %.2f%%%n",
                NAMES,
                100 * r.get("head_accuracy"),
                r.get("hidden_unchanged") == 1 ? "bit-identical" : "CHANGED",
                100 * r.get("tuned_accuracy"));
    }
}
