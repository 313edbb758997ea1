package io.nerva.examples;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A time-series regression with a sequence output. Each sample is a window of 24 steps of
 * {@code sin(ω·t + φ) + noise} (random frequency ω in [0.15, 0.45] rad/step, phase φ, Gaussian
 * noise σ = 0.1); the target at each step is the clean value one step ahead. Repeating the current
 * input ({@link #naiveMse}) scores about 0.06; the GRU learns the wave. Arguments: {@code [epochs]}.
 */
public final class SineForecast {
    static final int STEPS = 24;

    private SineForecast() {}

    /** {@code n} windows from {@code seed}: inputs {@code [n, 24, 1]}, targets {@code [n, 24]}. */
    static Dataset windows(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * STEPS], y = new float[n * STEPS];
        for (int i = 0; i < n; i++) {
            double omega = 0.15 + 0.3 * r.nextDouble(), phase = 2 * Math.PI * r.nextDouble();
            for (int t = 0; t < STEPS; t++) {
                double noise = 0.1 * gaussian(r);
                x[i * STEPS + t] = (float) (Math.sin(omega * t + phase) + noise);
                y[i * STEPS + t] = (float) Math.sin(omega * (t + 1) + phase);
            }
        }
        return Dataset.of(x, new int[] {STEPS, 1}, y, STEPS);
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** The MSE of predicting each next value as the current noisy input: the bar a model must clear. */
    static double naiveMse(Dataset d) {
        double sum = 0;
        for (int i = 0; i < d.size(); i++) {
            float[] x = d.features(i), y = d.target(i);
            for (int t = 0; t < STEPS; t++) sum += (x[t] - y[t]) * (x[t] - y[t]);
        }
        return sum / ((double) d.size() * STEPS);
    }

    /** Trains on 4,000 windows and returns the test metrics on 1,000 others. */
    static Map<String, Double> run(int epochs, boolean verbose) {
        Dataset train = windows(4000, 1), test = windows(1000, 2);
        try (SineForecastNetModel net = SineForecastNetModel.create(7)) {
            if (verbose) System.out.println(net.summary());
            Fit fit = Fit.epochs(epochs)
                    .batch(32)
                    .optimizer(Optimizers.adam(3e-3))
                    .metrics(Metrics.mae())
                    .validation(test)
                    .seed(3)
                    .verbose(verbose);
            net.fit(train, fit);
            return net.evaluate(test, fit);
        }
    }

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        Map<String, Double> test = run(epochs, true);
        System.out.printf(
                "test MSE %.4f, MAE %.4f (repeating the current input: MSE %.4f)%n",
                test.get("loss"), test.get("mae"), naiveMse(windows(1000, 2)));
    }
}
