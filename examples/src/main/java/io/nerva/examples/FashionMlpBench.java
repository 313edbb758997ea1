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
import io.nerva.runtime.train.Predictor;

import io.nerva.runtime.optim.LearningRate;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;

/**
 * The figures of the Fashion-MNIST MLP (784-128-10, Adam 1e-3, batch 64), printed as a table:
 * seconds per training epoch at 1 and 2 threads, batch-1 prediction latency, batch-64 and
 * batch-256 prediction throughput, heap bytes per training step. Run it alone on the machine
 * ({@code flock /tmp/bench.lock}); the same work in PyTorch and Keras is in shared/peers.
 * Arguments: {@code [epochs per thread count, default 3]}. Lines starting with {@code RESULT}, after
 * the table, are for benchmarks/train-vs-pytorch.sh.
 *
 * <p>{@code --deep [epochs, default 20] [--unflushed]}: instead, seconds per epoch of
 * {@link FashionDeepMlpNet} (784-512-512-512-10 ReLU, Adam 1e-3, batch 64, 1 BLAS thread) over
 * {@code epochs}, with, after each epoch, the share of Adam's moments that are subnormal and of the
 * last batch's gradients that are exactly 0 (dead units). Epoch time must stay flat. With
 * {@code --unflushed} the update is Adam's plain formula without the moment flush (as before it),
 * written here, to show the slowdown it had.
 */
public final class FashionMlpBench {
    private FashionMlpBench() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--deep")) {
            deep(args.length > 1 ? Integer.parseInt(args[1]) : 20, Arrays.asList(args).contains("--unflushed"));
            return;
        }
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Dataset.Split data = FashionMnist.load(FashionMnist.DEFAULT_DIR, false);
        Dataset train = data.train(), test = data.test();
        System.out.println("| figure | value |");
        System.out.println("| --- | --- |");
        System.out.println("| BLAS | " + Blas.get().name() + " |");
        StringBuilder results = new StringBuilder(); // machine-readable lines, printed after the table

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
                results.append(String.format(Locale.ROOT, "RESULT mlp_train_t%d_s_per_epoch=%.3f%n", threads, secs[epochs / 2]));
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
            results.append(String.format(Locale.ROOT, "RESULT mlp_latency_b1_median_us=%.2f%n", t[t.length / 2] / 1e3));
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
                results.append(String.format(Locale.ROOT, "RESULT mlp_infer_b%d_per_s=%.0f%n", batch, perSec));
            }
            AllocationProbe.Result alloc = AllocationProbe.measure(net, train, Loss.of(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY),
                    Optimizers.adam(1e-3), 64, 500, 2000);
            System.out.printf("| heap bytes per training step (batch 64, ThreadMXBean) | %s |%n", alloc);
            results.append(String.format(Locale.ROOT, "RESULT mlp_heap_bytes_per_step=%.1f%n", alloc.bytesPerStep()));
            System.out.print(results);
        }
    }

    /** Epoch times of the deep ReLU MLP with subnormal-moment and zero-gradient shares per epoch. */
    private static void deep(int epochs, boolean unflushed) throws IOException {
        Dataset train = FashionMnist.train(FashionMnist.DEFAULT_DIR, false);
        Blas.get().setThreads(1);
        Optimizers.Guarded adam = unflushed ? new UnflushedAdam(1e-3) : (Optimizers.Guarded) Optimizers.adam(1e-3);
        CountingOptimizer counting = new CountingOptimizer(adam, (long) Math.ceil(train.size() / 64.0));
        System.out.printf("FashionDeepMlpNet 784-512-512-512-10 relu, Adam 1e-3%s, batch 64, 1 BLAS thread (%s)%n",
                unflushed ? " WITHOUT the moment flush" : "", Blas.get().name());
        System.out.println("| epoch | seconds | subnormal m | subnormal v | zero gradients (last batch) | loss |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
        try (FashionDeepMlpNetModel net = FashionDeepMlpNetModel.create(42)) {
            long[] last = {System.nanoTime()};
            Fit fit = Fit.epochs(epochs).batch(64).optimizer(counting).verbose(false).seed(42)
                    .callback((e, logs, control) -> {
                        long now = System.nanoTime();
                        System.out.printf(Locale.ROOT, "| %d | %.2f | %.1f%% | %.1f%% | %.1f%% | %.4f |%n", e + 1, (now - last[0]) / 1e9,
                                100.0 * counting.subnormalM / counting.count, 100.0 * counting.subnormalV / counting.count,
                                100.0 * counting.zeroGrads / counting.count, logs.get("loss"));
                        last[0] = System.nanoTime();
                    });
            net.fit(train, fit);
        }
    }

    /**
     * Delegates to an optimizer and, at the last step of every epoch, counts the subnormal entries
     * of its two state slots and the exactly-zero gradients (outside the timed work of the other steps).
     */
    private static final class CountingOptimizer implements Optimizers.Guarded {
        private final Optimizers.Guarded inner;
        private final long stepsPerEpoch;
        long count = 1, subnormalM, subnormalV, zeroGrads;

        CountingOptimizer(Optimizers.Guarded inner, long stepsPerEpoch) {
            this.inner = inner;
            this.stepsPerEpoch = stepsPerEpoch;
        }

        @Override
        public int stateSlots() {
            return inner.stateSlots();
        }

        @Override
        public LearningRate learningRate() {
            return inner.learningRate();
        }

        @Override
        public long updateGuarded(MemorySegment params, MemorySegment grads, MemorySegment state, long n, long step, double lr) {
            long bad = inner.updateGuarded(params, grads, state, n, step, lr);
            if (step % stepsPerEpoch == 0) {
                long sm = 0, sv = 0, z = 0;
                for (long i = 0; i < n; i++) {
                    if (subnormal(state.getAtIndex(ValueLayout.JAVA_FLOAT, i))) sm++;
                    if (subnormal(state.getAtIndex(ValueLayout.JAVA_FLOAT, n + i))) sv++;
                    if (grads.getAtIndex(ValueLayout.JAVA_FLOAT, i) == 0f) z++;
                }
                count = n;
                subnormalM = sm;
                subnormalV = sv;
                zeroGrads = z;
            }
            return bad;
        }

        private static boolean subnormal(float x) {
            return x != 0f && Math.abs(x) < Float.MIN_NORMAL;
        }
    }

    /** Keras' Adam exactly as Nerva ran it before the moment flush: a scalar loop over the segments. */
    private record UnflushedAdam(LearningRate learningRate) implements Optimizers.Guarded {
        UnflushedAdam(double lr) {
            this(LearningRate.constant(lr));
        }

        @Override
        public int stateSlots() {
            return 2;
        }

        @Override
        public long updateGuarded(MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
            final ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
            final float alpha = (float) (lr * Math.sqrt(1.0 - Math.pow(0.999, step)) / (1.0 - Math.pow(0.9, step)));
            final float c1 = 0.1f, c2 = (float) (1.0 - 0.999), eps = 1e-7f;
            long first = -1;
            for (long i = 0; i < count; i++) {
                float g = grads.getAtIndex(f, i);
                float m = state.getAtIndex(f, i);
                float v = state.getAtIndex(f, count + i);
                m += (g - m) * c1;
                v += (g * g - v) * c2;
                state.setAtIndex(f, i, m);
                state.setAtIndex(f, count + i, v);
                float w = params.getAtIndex(f, i);
                float nw = w - alpha * m / ((float) Math.sqrt(v) + eps);
                if (!Float.isFinite(nw)) {
                    nw = w;
                    if (first < 0) first = i;
                }
                params.setAtIndex(f, i, nw);
            }
            return first;
        }
    }
}
