package io.nerva.examples;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fashion-MNIST with the 784-128-10 MLP, Adam 1e-3, batch 64. Reads the IDX files of the Debian
 * package {@code dataset-fashion-mnist} (or a directory given as the first argument).
 * Arguments: {@code [dir] [epochs] [weights.safetensors to save]}.
 */
public final class FashionMlp {
    private FashionMlp() {}

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : FashionMnist.DEFAULT_DIR;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Dataset.Split data = FashionMnist.load(dir, false);
        try (FashionMlpNetModel net = FashionMlpNetModel.create(42)) {
            System.out.println(net.summary());
            Fit fit = Fit.epochs(epochs).batch(64).optimizer(Optimizers.adam(1e-3))
                    .metrics(Metrics.accuracy()).validation(data.test()).seed(42);
            net.fit(data.train(), fit);
            Map<String, Double> test = net.evaluate(data.test(), fit);
            System.out.printf("test accuracy %.2f%% on %d images%n", 100 * test.get("accuracy"), data.test().size());
            float[] image = data.test().features(0);
            System.out.println("first test image: " + FashionMnist.CLASS_NAMES.get(net.predictClass(image))
                    + " (label: " + FashionMnist.CLASS_NAMES.get(data.test().labels()[0]) + ")");
            if (args.length > 2) {
                net.save(Path.of(args[2]));
                System.out.println("saved weights to " + args[2]);
            }
        }
    }
}
