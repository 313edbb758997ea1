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
 * Fashion-MNIST read row by row: an LSTM(128) over 28 steps of 28 pixels, then a softmax over the
 * 10 classes; Adam 1e-3, batch 64. The images are the same 784 floats as for the MLP: a
 * {@code {28, 28}} input reads them as 28 steps of 28 features. Arguments: {@code [dir] [epochs]}.
 */
public final class FashionLstm {
    private FashionLstm() {}

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : FashionMnist.DEFAULT_DIR;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Dataset.Split data = FashionMnist.load(dir, false);
        try (FashionLstmNetModel net = FashionLstmNetModel.create(42)) {
            System.out.println(net.summary());
            Fit fit = Fit.epochs(epochs)
                    .batch(64)
                    .optimizer(Optimizers.adam(1e-3))
                    .metrics(Metrics.accuracy())
                    .validation(data.test())
                    .seed(42);
            long start = System.nanoTime();
            net.fit(data.train(), fit);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> test = net.evaluate(data.test(), fit);
            System.out.printf(
                    "test accuracy %.2f%% on %d images after %d epochs (%.1f s per epoch incl. validation)%n",
                    100 * test.get("accuracy"), data.test().size(), epochs, seconds / epochs);
        }
    }
}
