package io.nerva.examples;

import io.nerva.blas.Blas;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.predict.Predictor;
import io.nerva.runtime.train.Fit;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * LSTM(128) on Fashion-MNIST rows (28 steps × 28 pixels) → Dense(10) softmax, Adam 1e-3, batch 64,
 * through the public {@code fit} and {@code predict}: seconds per training epoch at 1 and 2 threads
 * and batch-1 latency per sequence, printed as a table with the CPU's vector flags. The same work in
 * PyTorch is {@code benchmarks/peers/lstm_torch.py}. Run alone ({@code flock /tmp/bench.lock}).
 * Arguments: {@code [timed epochs per thread count, default 1]}, {@code latency} (only the batch-1
 * latency), or {@code cold [epochs, default 2]}:
 * from a fresh JVM, no warm-up, the seconds of each epoch at the BLAS's default threads (the
 * first one includes the JIT's warm-up).
 */
public final class FashionLstmBench {
    private FashionLstmBench() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("cold")) {
            cold(args.length > 1 ? Integer.parseInt(args[1]) : 2);
            return;
        }
        boolean latencyOnly = args.length > 0 && args[0].equals("latency");
        int epochs = args.length > 0 && !latencyOnly ? Integer.parseInt(args[0]) : 1;
        Dataset.Split data = FashionMnist.load(FashionMnist.DEFAULT_DIR, false);
        System.out.println("| figure | value |");
        System.out.println("| --- | --- |");
        System.out.println("| CPU flags | " + cpuFlags() + " |");
        System.out.println("| BLAS | " + Blas.get().name() + " |");
        StringBuilder results = new StringBuilder();
        for (int threads : latencyOnly ? new int[0] : new int[] {1, 2}) {
            Blas.get().setThreads(threads);
            try (FashionLstmNetModel net = FashionLstmNetModel.create(42)) {
                Fit fit = Fit.epochs(epochs)
                        .batch(64)
                        .optimizer(Optimizers.adam(1e-3))
                        .verbose(false)
                        .seed(42);
                // warm-up: 100 batches, so the timed epochs run compiled code
                net.fit(
                        data.train().take(6400),
                        Fit.epochs(1).batch(64).optimizer(Optimizers.adam(1e-3)).verbose(false));
                long start = System.nanoTime();
                net.fit(data.train(), fit);
                double perEpoch = (System.nanoTime() - start) / 1e9 / epochs;
                double accuracy = net.evaluate(
                                data.test(), Fit.epochs(1).batch(256).metrics(Metrics.accuracy()))
                        .get("accuracy");
                System.out.printf(
                        "| training s/epoch, %d thread%s (%d epoch%s after a warm-up) | %.2f (test accuracy %.2f%%) |%n",
                        threads, threads == 1 ? "" : "s", epochs, epochs == 1 ? "" : "s", perEpoch, 100 * accuracy);
                results.append(String.format(
                        java.util.Locale.ROOT, "RESULT lstm_train_t%d_s_per_epoch=%.2f%n", threads, perEpoch));
            }
        }
        for (int threads : new int[] {1, 2}) results.append(latency(data, threads));
        results.append(recurrentProducts());
        System.out.print(results); // machine-readable lines for benchmarks/train-vs-pytorch.sh
    }

    /** Prints the batch-1 latency per sequence at {@code threads} threads; returns its RESULT line. */
    static String latency(Dataset.Split data, int threads) {
        Blas.get().setThreads(threads);
        try (FashionLstmNetModel net = FashionLstmNetModel.create(42)) {
            Predictor predictor = net.predictor();
            float[] out = new float[10];
            float[][] samples = new float[200][];
            for (int i = 0; i < samples.length; i++) samples[i] = data.test().features(i);
            for (int i = 0; i < 3000; i++) predictor.predict(samples[i % 200], out);
            long[] t = new long[5000];
            for (int i = 0; i < t.length; i++) {
                long s = System.nanoTime();
                predictor.predict(samples[i % 200], out);
                t[i] = System.nanoTime() - s;
            }
            Arrays.sort(t);
            System.out.printf(
                    "| batch-1 predict latency per sequence, %d thread%s | median %.1f µs, p99 %.1f µs |%n",
                    threads, threads == 1 ? "" : "s", t[t.length / 2] / 1e3, t[t.length * 99 / 100] / 1e3);
            String key = threads == 1 ? "" : "_t" + threads;
            return String.format(
                    java.util.Locale.ROOT, "RESULT lstm_latency_b1%s_median_us=%.1f%n", key, t[t.length / 2] / 1e3);
        }
    }

    /**
     * The floor under the batch-1 latency: the 27 recurrent products {@code h·U} (128 × 512, the
     * whole recurrent kernel, 256 KB read per step) of a 28-step sequence alone, through the BLAS on
     * one thread, with nothing else; prints it and returns its RESULT line.
     */
    static String recurrentProducts() {
        Blas blas = Blas.get();
        blas.setThreads(1);
        int u = 128, g = 4 * u, steps = 27;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment kernel = arena.allocate(4L * u * g, 64),
                    h = arena.allocate(4L * u, 64),
                    z = arena.allocate(4L * g, 64);
            for (long i = 0; i < (long) u * g; i++) kernel.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 97) / 97f - 0.5f);
            long[] t = new long[3000];
            for (int rep = -1000; rep < t.length; rep++) {
                long s = System.nanoTime();
                for (int step = 0; step < steps; step++) blas.sgemv(true, u, g, 1f, kernel, 0, g, h, 0, 1f, z, 0);
                if (rep >= 0) t[rep] = System.nanoTime() - s;
            }
            Arrays.sort(t);
            System.out.printf(
                    "| the %d recurrent products alone (h·U, %d×%d, sgemv), 1 thread | median %.1f µs |%n",
                    steps, u, g, t[t.length / 2] / 1e3);
            return String.format(
                    java.util.Locale.ROOT, "RESULT lstm_recurrent_products_us=%.1f%n", t[t.length / 2] / 1e3);
        }
    }

    /** Each epoch's seconds from a cold JVM: the first includes the JIT's warm-up. */
    static void cold(int epochs) throws IOException {
        Dataset.Split data = FashionMnist.load(FashionMnist.DEFAULT_DIR, false);
        System.out.println("| figure | value |");
        System.out.println("| --- | --- |");
        System.out.println("| CPU flags | " + cpuFlags() + " |");
        System.out.println("| BLAS | " + Blas.get().name() + ", " + Blas.get().threads() + " threads |");
        try (FashionLstmNetModel net = FashionLstmNetModel.create(42)) {
            for (int e = 1; e <= epochs; e++) {
                long start = System.nanoTime();
                net.fit(
                        data.train(),
                        Fit.epochs(1)
                                .batch(64)
                                .optimizer(Optimizers.adam(1e-3))
                                .verbose(false)
                                .seed(42 + e));
                System.out.printf(
                        "| training epoch %d from a cold JVM, s | %.2f |%n", e, (System.nanoTime() - start) / 1e9);
            }
        }
    }

    /** The AVX flags of this CPU (ratios against peers shift with them). */
    static String cpuFlags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> Arrays.stream(l.split("\\s+"))
                            .filter(f -> f.startsWith("avx") || f.equals("fma"))
                            .distinct()
                            .reduce((a, b) -> a + " " + b)
                            .orElse("no AVX"))
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
