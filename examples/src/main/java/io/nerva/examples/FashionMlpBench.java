package io.nerva.examples;

import io.nerva.annotations.LossFunction;
import io.nerva.blas.Blas;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.AllocationProbe;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.History;
import io.nerva.runtime.predict.Predictor;

import java.io.IOException;
import java.util.Arrays;

/**
 * The figures of the Fashion-MNIST MLP (784-128-10, Adam 1e-3, batch 64), printed as a table:
 * seconds per training epoch at 1 and 2 threads, batch-1 prediction latency, batch-64 and
 * batch-256 prediction throughput, heap bytes per training step. Run it alone on the machine
 * ({@code flock /tmp/bench.lock}); the same work in PyTorch and Keras is in shared/peers.
 * Arguments: {@code [epochs per thread count, default 3]}.
 */
public final class FashionMlpBench {
    private FashionMlpBench() {}

    public static void main(String[] args) throws IOException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Dataset.Split data = FashionMnist.load(FashionMnist.DEFAULT_DIR, false);
        Dataset train = data.train(), test = data.test();
        System.out.println("| figure | value |");
        System.out.println("| --- | --- |");
        System.out.println("| BLAS | " + Blas.get().name() + " |");

        for (int threads : new int[] {1, 2}) {
            Blas.get().setThreads(threads);
            try (FashionMlpNetModel net = FashionMlpNetModel.create(42)) {
                Fit fit = Fit.epochs(epochs + 1).batch(64).optimizer(Optimizers.adam(1e-3)).verbose(false).seed(42);
                long[] ends = new long[epochs + 2];
                ends[0] = System.nanoTime();
                int[] epoch = {0};
                History h = net.fit(train, fit.callback((e, logs, control) -> ends[++epoch[0]] = System.nanoTime()));
                double[] secs = new double[epochs];
                for (int e = 0; e < epochs; e++) secs[e] = (ends[e + 2] - ends[e + 1]) / 1e9; // epoch 1 is warm-up
                Arrays.sort(secs);
                double accuracy = net.evaluate(test, Fit.epochs(1).batch(256).metrics(io.nerva.runtime.metric.Metrics.accuracy())).get("accuracy");
                System.out.printf("| training s/epoch, %d thread%s (median of %d after a warm-up epoch) | %.3f (min %.3f; test accuracy %.2f%% after %d epochs, loss %.4f) |%n",
                        threads, threads == 1 ? "" : "s", epochs, secs[epochs / 2], secs[0], 100 * accuracy, epochs + 1, h.last("loss"));
            }
        }

        Blas.get().setThreads(1);
        try (FashionMlpNetModel net = FashionMlpNetModel.create(42)) {
            net.fit(train, Fit.epochs(1).batch(64).optimizer(Optimizers.adam(1e-3)).verbose(false));
            float[][] samples = new float[1000][];
            for (int i = 0; i < samples.length; i++) samples[i] = test.features(i);
            float[] out = new float[10];
            Predictor predictor = net.predictor();
            for (int i = 0; i < 20_000; i++) predictor.predict(samples[i % 1000], out);
            long[] t = new long[50_000];
            for (int i = 0; i < t.length; i++) {
                long s = System.nanoTime();
                predictor.predict(samples[i % 1000], out);
                t[i] = System.nanoTime() - s;
            }
            Arrays.sort(t);
            System.out.printf("| batch-1 predict latency, 1 thread (50k calls) | median %.1f µs, p99 %.1f µs |%n",
                    t[t.length / 2] / 1e3, t[t.length * 99 / 100] / 1e3);
            for (int batch : new int[] {64, 256}) {
                float[] flat = new float[batch * 784];
                System.arraycopy(test.features(), 0, flat, 0, flat.length);
                float[] outs = new float[batch * 10];
                for (int i = 0; i < 500; i++) predictor.predictBatch(flat, batch, outs);
                int reps = 3000;
                long s = System.nanoTime();
                for (int i = 0; i < reps; i++) predictor.predictBatch(flat, batch, outs);
                double perSec = (double) reps * batch / ((System.nanoTime() - s) / 1e9);
                System.out.printf("| batch-%d predict throughput, 1 thread | %,.0f samples/s |%n", batch, perSec);
            }
            AllocationProbe.Result alloc = AllocationProbe.measure(net, train, Loss.of(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY),
                    Optimizers.adam(1e-3), 64, 500, 2000);
            System.out.printf("| heap bytes per training step (batch 64, ThreadMXBean) | %s |%n", alloc);
        }
    }
}
