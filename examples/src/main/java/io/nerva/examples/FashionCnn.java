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
 * The CNN on 28×28×1 images, Adam 1e-3, batch 64. Reads {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
 * from the Debian package's directory, or from any directory given as the first argument (MNIST
 * works the same way). Arguments: {@code [dir] [epochs, default 5]}.
 */
public final class FashionCnn {
    private FashionCnn() {}

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : FashionMnist.DEFAULT_DIR;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Dataset.Split data = FashionMnist.load(dir, false);
        try (FashionCnnNetModel net = FashionCnnNetModel.create(42)) {
            System.out.println(net.summary());
            Fit fit = Fit.epochs(epochs)
                    .batch(64)
                    .optimizer(Optimizers.adam(1e-3))
                    .metrics(Metrics.accuracy())
                    .validation(data.test())
                    .seed(42);
            net.fit(data.train(), fit);
            Map<String, Double> test = net.evaluate(data.test(), fit);
            System.out.printf(
                    "test accuracy %.2f%% on %d images%n",
                    100 * test.get("accuracy"), data.test().size());
        }
    }
}
