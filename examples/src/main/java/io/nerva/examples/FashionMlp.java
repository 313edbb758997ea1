package io.nerva.examples;

import io.nerva.runtime.callback.CSVLogger;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.metric.ClassificationReport;
import io.nerva.runtime.metric.ConfusionMatrix;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.plot.Plots;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.History;
import io.nerva.runtime.train.Trainer;
import io.nerva.tensorboard.TensorBoard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fashion-MNIST with the 784-128-10 MLP, Adam 1e-3, batch 64. Reads the IDX files of the Debian
 * package {@code dataset-fashion-mnist} (or a directory given as the first argument).
 * Arguments: {@code [dir] [epochs] [weights.safetensors to save] [output dir, default fashion-mlp-out]}.
 *
 * <p>Shows a progress line per epoch and writes, into the output directory: a TensorBoard log
 * ({@code tensorboard --logdir fashion-mlp-out/logs}), the history as CSV and JSON, the training
 * curves, the confusion matrix and sample predictions as PNGs; prints the classification report.
 */
public final class FashionMlp {
    private FashionMlp() {}

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : FashionMnist.DEFAULT_DIR;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path out = Path.of(args.length > 3 ? args[3] : "fashion-mlp-out");
        Dataset.Split data = FashionMnist.load(dir, false);
        Dataset test = data.test().withClassNames(FashionMnist.CLASS_NAMES);
        try (FashionMlpNetModel net = FashionMlpNetModel.create(42)) {
            System.out.println(net.summary());
            Fit fit = Fit.epochs(epochs)
                    .batch(64)
                    .optimizer(Optimizers.adam(1e-3))
                    .metrics(Metrics.accuracy())
                    .validation(test)
                    .seed(42)
                    .callback(new TensorBoard(out.resolve("logs")).histogramFreq(1))
                    .callback(new CSVLogger(out.resolve("training.csv")));
            History history = net.fit(data.train(), fit);
            Map<String, Double> result = net.evaluate(test, fit);
            System.out.printf("test accuracy %.2f%% on %d images%n", 100 * result.get("accuracy"), test.size());

            float[][] outputs = Trainer.predict(net, test, fit);
            int[] predicted = ConfusionMatrix.predictedClasses(outputs);
            ConfusionMatrix cm = ConfusionMatrix.of(test.labels(), predicted, 10);
            System.out.println();
            System.out.println(ClassificationReport.of(cm, FashionMnist.CLASS_NAMES));

            history.writeJson(out.resolve("history.json"));
            Plots.writeHistory(history, out.resolve("curves.png"));
            Plots.writeConfusionMatrix(cm, FashionMnist.CLASS_NAMES, out.resolve("confusion.png"));
            Plots.writeSamples(test, predicted, 16, out.resolve("samples.png"));
            System.out.println(
                    "wrote " + out.toAbsolutePath() + ": curves.png, confusion.png, samples.png, history.json, "
                            + "training.csv, logs/ (tensorboard --logdir " + out.resolve("logs") + ")");
            if (args.length > 2 && !args[2].isEmpty()) {
                net.save(Path.of(args[2]));
                System.out.println("saved weights to " + args[2]);
            }
        }
    }
}
