package io.nerva.examples;

import io.nerva.blas.Blas;
import io.nerva.runtime.callback.TerminateOnNaN;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What watching a run costs: seconds per Fashion-MNIST MLP training epoch (784-128-10, Adam 1e-3,
 * batch 64, accuracy metric, 1 thread) with verbose 0, verbose 2 (a line per epoch), verbose 1 on a
 * "terminal" (the bar redrawn every 0.1 s with running loss and accuracy, into a discarded stream)
 * and verbose 1 plus a batch callback ({@link TerminateOnNaN}). The modes take turns, one epoch
 * each, for {@code rounds} rounds after a warm-up, so that machine noise hits them alike; prints
 * the median and minimum of each. Run it alone: {@code flock /tmp/bench.lock java ...}.
 * Arguments: {@code [rounds, default 5]}.
 */
public final class ProgressOverheadBench {
    private ProgressOverheadBench() {}

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Dataset train = FashionMnist.load(FashionMnist.DEFAULT_DIR, false).train();
        Blas.get().setThreads(1);
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        Map<String, Fit> modes = new LinkedHashMap<>();
        Fit base = Fit.epochs(1)
                .batch(64)
                .optimizer(Optimizers.adam(1e-3))
                .metrics(Metrics.accuracy())
                .seed(42)
                .log(discard);
        modes.put("verbose 0", base.verbose(0));
        modes.put("verbose 2 (line per epoch)", base.verbose(2));
        modes.put("verbose 1, terminal bar", base.verbose(1).terminal(true));
        modes.put(
                "verbose 1, terminal bar + batch callback",
                base.verbose(1).terminal(true).callback(new TerminateOnNaN(discard)));
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (String m : modes.keySet()) seconds.put(m, new ArrayList<>());
        try (FashionMlpNetModel net = FashionMlpNetModel.create(42)) {
            for (Fit fit : modes.values()) net.fit(train, fit); // warm-up: one epoch in every mode
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, Fit> m : modes.entrySet()) {
                    long s = System.nanoTime();
                    net.fit(train, m.getValue());
                    seconds.get(m.getKey()).add((System.nanoTime() - s) / 1e9);
                }
            }
        }
        // The bar's own cost per step, apart from training: 938-step epochs drawn into the discarded stream.
        double[] running = {0.5};
        io.nerva.runtime.progress.ProgressBar.Values values = () -> Map.of("loss", running[0], "accuracy", running[0]);
        long calls = 0, start = System.nanoTime();
        while (System.nanoTime() - start < 2_000_000_000L) {
            io.nerva.runtime.progress.ProgressBar bar = new io.nerva.runtime.progress.ProgressBar(discard, 938, true);
            for (int step = 1; step <= 938; step++) bar.update(step, values);
            bar.finish(Map.of("loss", 0.5));
            calls += 938;
        }
        double nsPerStep = (System.nanoTime() - start) / (double) calls;
        System.out.printf(
                "progress bar alone: %.0f ns per step (%,d steps in 2 s, redrawn every 0.1 s), i.e. %.4f%% of a %.2f ms training step%n",
                nsPerStep,
                calls,
                100 * nsPerStep / (median(seconds.get("verbose 0")) / train.size() * 64 * 1e9),
                median(seconds.get("verbose 0")) / Math.ceil(train.size() / 64.0) * 1e3);
        System.out.println("| mode (" + rounds
                + " epochs each, interleaved, 1 thread) | median s/epoch | min s/epoch | median vs verbose 0 |");
        System.out.println("| --- | --- | --- | --- |");
        double ref = 0;
        for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
            double[] v = e.getValue().stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            double median = median(e.getValue());
            if (ref == 0) ref = median;
            System.out.printf("| %s | %.3f | %.3f | %+.1f%% |%n", e.getKey(), median, v[0], 100 * (median / ref - 1));
            System.out.println("|   all: " + Arrays.toString(v) + " | | | |");
        }
    }
}
