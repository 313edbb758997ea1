package io.nerva.examples;

import io.nerva.annotations.LossFunction;
import io.nerva.blas.Blas;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.kernels.Activations;
import io.nerva.runtime.kernels.DenseKernels;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.optim.LearningRate;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.predict.Predictor;
import io.nerva.runtime.train.AllocationProbe;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.History;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 *
 * <p>{@code --split [repetitions, default 300]}: where the time of one training step goes (batch 64,
 * 1 and 2 BLAS threads): each kernel call of the generated {@code FashionMlpNetModel}'s forward and
 * backward, the loss and the Adam update, run in order on buffers of the same shapes and timed one by
 * one (medians), beside the real step time through {@link AllocationProbe}. When the emitters
 * change, change {@link #splitOps} with them.
 */
public final class FashionMlpBench {
    private FashionMlpBench() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--split")) {
            split(args.length > 1 ? Integer.parseInt(args[1]) : 300);
            return;
        }
        if (args.length > 0 && args[0].equals("--deep")) {
            deep(
                    args.length > 1 ? Integer.parseInt(args[1]) : 20,
                    Arrays.asList(args).contains("--unflushed"));
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
                Fit fit = Fit.epochs(epochs + 1)
                        .batch(64)
                        .optimizer(Optimizers.adam(1e-3))
                        .verbose(false)
                        .seed(42);
                long[] ends = new long[epochs + 2];
                ends[0] = System.nanoTime();
                int[] epoch = {0};
                History h = net.fit(train, fit.callback((e, logs, control) -> ends[++epoch[0]] = System.nanoTime()));
                double[] secs = new double[epochs];
                for (int e = 0; e < epochs; e++) secs[e] = (ends[e + 2] - ends[e + 1]) / 1e9; // epoch 1 is warm-up
                Arrays.sort(secs);
                double accuracy = net.evaluate(
                                test, Fit.epochs(1).batch(256).metrics(io.nerva.runtime.metric.Metrics.accuracy()))
                        .get("accuracy");
                System.out.printf(
                        "| training s/epoch, %d thread%s (median of %d after a warm-up epoch) | %.3f (min %.3f; test accuracy %.2f%% after %d epochs, loss %.4f) |%n",
                        threads,
                        threads == 1 ? "" : "s",
                        epochs,
                        secs[epochs / 2],
                        secs[0],
                        100 * accuracy,
                        epochs + 1,
                        h.last("loss"));
                results.append(String.format(
                        Locale.ROOT, "RESULT mlp_train_t%d_s_per_epoch=%.3f%n", threads, secs[epochs / 2]));
            }
        }

        Blas.get().setThreads(1);
        try (FashionMlpNetModel net = FashionMlpNetModel.create(42)) {
            net.fit(
                    train,
                    Fit.epochs(1).batch(64).optimizer(Optimizers.adam(1e-3)).verbose(false));
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
            System.out.printf(
                    "| batch-1 predict latency, 1 thread (50k calls) | median %.1f µs, p99 %.1f µs |%n",
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
            AllocationProbe.Result alloc = probe(net, train, 500, 2000);
            System.out.printf("| heap bytes per training step (batch 64, ThreadMXBean) | %s |%n", alloc);
            results.append(String.format(Locale.ROOT, "RESULT mlp_heap_bytes_per_step=%.1f%n", alloc.bytesPerStep()));
        }
        // The step alone, long after warm-up: the epochs above follow the peers' protocol (one
        // warm-up epoch), while the 2-thread code keeps speeding up for a few epochs more.
        for (int threads : new int[] {1, 2}) {
            Blas.get().setThreads(threads);
            try (FashionMlpNetModel net = FashionMlpNetModel.create(42)) {
                AllocationProbe.Result step = probe(net, train, 4000, 3000);
                System.out.printf(
                        "| training step, batch 64, %d thread%s, after 4000 warm-up steps (in data order) | %.1f µs |%n",
                        threads, threads == 1 ? "" : "s", step.microsPerStep());
                results.append(
                        String.format(Locale.ROOT, "RESULT mlp_step_t%d_us=%.1f%n", threads, step.microsPerStep()));
            }
        }
        System.out.print(results);
    }

    /** {@code steps} training steps of batch 64 with Adam 1e-3 after {@code warmup}, through {@link AllocationProbe}. */
    private static AllocationProbe.Result probe(FashionMlpNetModel net, Dataset train, int warmup, int steps) {
        return AllocationProbe.measure(
                net,
                train,
                Loss.of(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY),
                Optimizers.adam(1e-3),
                64,
                warmup,
                steps);
    }

    /** Epoch times of the deep ReLU MLP with subnormal-moment and zero-gradient shares per epoch. */
    private static void deep(int epochs, boolean unflushed) throws IOException {
        Dataset train = FashionMnist.train(FashionMnist.DEFAULT_DIR, false);
        Blas.get().setThreads(1);
        Optimizers.Guarded adam = unflushed ? new UnflushedAdam(1e-3) : (Optimizers.Guarded) Optimizers.adam(1e-3);
        CountingOptimizer counting = new CountingOptimizer(adam, (long) Math.ceil(train.size() / 64.0));
        System.out.printf(
                "FashionDeepMlpNet 784-512-512-512-10 relu, Adam 1e-3%s, batch 64, 1 BLAS thread (%s)%n",
                unflushed ? " WITHOUT the moment flush" : "", Blas.get().name());
        System.out.println("| epoch | seconds | subnormal m | subnormal v | zero gradients (last batch) | loss |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
        try (FashionDeepMlpNetModel net = FashionDeepMlpNetModel.create(42)) {
            long[] last = {System.nanoTime()};
            Fit fit = Fit.epochs(epochs)
                    .batch(64)
                    .optimizer(counting)
                    .verbose(false)
                    .seed(42)
                    .callback((e, logs, control) -> {
                        long now = System.nanoTime();
                        System.out.printf(
                                Locale.ROOT,
                                "| %d | %.2f | %.1f%% | %.1f%% | %.1f%% | %.4f |%n",
                                e + 1,
                                (now - last[0]) / 1e9,
                                100.0 * counting.subnormalM / counting.count,
                                100.0 * counting.subnormalV / counting.count,
                                100.0 * counting.zeroGrads / counting.count,
                                logs.get("loss"));
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
        public long updateGuarded(
                MemorySegment params, MemorySegment grads, MemorySegment state, long n, long step, double lr) {
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
        public long updateGuarded(
                MemorySegment params, MemorySegment grads, MemorySegment state, long count, long step, double lr) {
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

    /** One timed call of the step: layer, direction, category, body. */
    private record Op(String layer, String dir, String cat, Runnable body) {}

    private static final String[] CATS = {"sgemm", "bias+act", "loss", "optimizer"};

    /** The per-kernel split of the MLP's training step; see the class comment. */
    private static void split(int reps) throws IOException {
        Dataset train = FashionMnist.train(FashionMnist.DEFAULT_DIR, false);
        for (int threads : new int[] {1, 2}) {
            Blas.get().setThreads(threads);
            double stepMs;
            try (FashionMlpNetModel net = FashionMlpNetModel.create(42)) {
                AllocationProbe.Result r = probe(net, train, 500, 2000);
                stepMs = r.nanos() / 1e6 / r.steps();
            }
            // shared: Nerva's worker threads may not touch a confined arena's segments (nothing would be split)
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
                List<Op> ops = splitOps(arena);
                for (int i = 0; i < 200; i++) for (Op op : ops) op.body().run();
                long[][] t = new long[ops.size()][reps];
                for (int r = 0; r < reps; r++) {
                    for (int i = 0; i < ops.size(); i++) {
                        long s0 = System.nanoTime();
                        ops.get(i).body().run();
                        t[i][r] = System.nanoTime() - s0;
                    }
                }
                Map<String, double[]> rows = new LinkedHashMap<>();
                double[] total = new double[CATS.length];
                for (int i = 0; i < ops.size(); i++) {
                    long[] v = t[i].clone();
                    Arrays.sort(v);
                    double ms = v[reps / 2] / 1e6;
                    int cat = Arrays.asList(CATS).indexOf(ops.get(i).cat());
                    rows.computeIfAbsent(ops.get(i).layer() + " " + ops.get(i).dir(), k -> new double[CATS.length])[
                            cat] += ms;
                    total[cat] += ms;
                }
                System.out.printf(
                        Locale.ROOT, "%n%d BLAS thread(s), batch 64, ms per step (median of %d):%n", threads, reps);
                System.out.println("| layer | dir | sgemm | bias+act | loss | optimizer | total |");
                System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
                for (var e : rows.entrySet()) {
                    String[] ld = e.getKey().split(" ", -1); // "loss " and "adam ": no direction
                    splitRow(ld[0], ld[1], e.getValue());
                }
                splitRow("**kernels**", "", total);
                double kernels = Arrays.stream(total).sum();
                System.out.printf(
                        Locale.ROOT,
                        "| rest (batch copy, gradient check, metrics: step − kernels) | | | | | | %.3f |%n",
                        stepMs - kernels);
                System.out.printf(Locale.ROOT, "| **step (measured, AllocationProbe)** | | | | | | %.3f |%n", stepMs);
            }
        }
    }

    private static void splitRow(String layer, String dir, double[] v) {
        System.out.printf(Locale.ROOT, "| %s | %s |", layer, dir);
        for (double d : v) System.out.printf(Locale.ROOT, " %s |", d == 0 ? "" : String.format(Locale.ROOT, "%.3f", d));
        System.out.printf(Locale.ROOT, " %.3f |%n", Arrays.stream(v).sum());
    }

    /** The kernel calls of FashionMlpNetModel's training step at batch 64, in order, then the loss and Adam. */
    private static List<Op> splitOps(java.lang.foreign.Arena arena) {
        final int b = 64;
        final long hK = 0, hB = 100_352, oK = 100_480, oB = 101_760, count = 101_770;
        io.nerva.runtime.core.Rng rng = new io.nerva.runtime.core.Rng(1);
        MemorySegment w = gaussian(arena, count, rng, 0.05f), g = gaussian(arena, count, rng, 0.01f);
        MemorySegment state = arena.allocate(2 * count * Float.BYTES, 64);
        MemorySegment input = gaussian(arena, b * 784L, rng, 1f);
        MemorySegment hZ = gaussian(arena, b * 128L, rng, 1f),
                hOut = gaussian(arena, b * 128L, rng, 1f),
                hGrad = gaussian(arena, b * 128L, rng, 1f);
        MemorySegment oZ = gaussian(arena, b * 10L, rng, 1f),
                oOut = gaussian(arena, b * 10L, rng, 1f),
                oGrad = gaussian(arena, b * 10L, rng, 1f);
        MemorySegment targets = arena.allocate(b * 4L, 64);
        for (int r = 0; r < b; r++) targets.setAtIndex(ValueLayout.JAVA_FLOAT, r, r % 10);
        Loss loss = Loss.of(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY);
        Optimizers.Guarded adam = (Optimizers.Guarded) Optimizers.adam(1e-3);
        long[] step = {0};
        io.nerva.annotations.ActivationType relu = io.nerva.annotations.ActivationType.RELU,
                softmax = io.nerva.annotations.ActivationType.SOFTMAX;
        List<Op> ops = new ArrayList<>();
        ops.add(new Op(
                "hidden",
                "fwd",
                "sgemm",
                () -> DenseKernels.matmul(false, false, b, 128, 784, input, 0, w, hK, hZ, 0, 0f)));
        ops.add(new Op(
                "hidden", "fwd", "bias+act", () -> DenseKernels.biasActivation(hZ, w, hB, hOut, b, 128, relu, 0f)));
        ops.add(new Op(
                "clothing",
                "fwd",
                "sgemm",
                () -> DenseKernels.matmul(false, false, b, 10, 128, hOut, 0, w, oK, oZ, 0, 0f)));
        ops.add(new Op(
                "clothing", "fwd", "bias+act", () -> DenseKernels.biasActivation(oZ, w, oB, oOut, b, 10, softmax, 0f)));
        ops.add(new Op("loss", "", "loss", () -> loss.compute(oZ, oOut, targets, b, 10, softmax, oGrad)));
        ops.add(new Op(
                "clothing",
                "bwd",
                "sgemm",
                () -> DenseKernels.matmul(true, false, 128, 10, b, hOut, 0, oGrad, 0, g, oK, 0f)));
        ops.add(new Op("clothing", "bwd", "bias+act", () -> DenseKernels.biasGradient(oGrad, b, 10, g, oB)));
        ops.add(new Op(
                "clothing",
                "bwd",
                "sgemm",
                () -> DenseKernels.matmul(false, true, b, 128, 10, oGrad, 0, w, oK, hGrad, 0, 0f)));
        ops.add(new Op(
                "hidden", "bwd", "bias+act", () -> Activations.backward(relu, 0f, hZ, hOut, hGrad, hGrad, b, 128)));
        ops.add(new Op(
                "hidden",
                "bwd",
                "sgemm",
                () -> DenseKernels.matmul(true, false, 784, 128, b, input, 0, hGrad, 0, g, hK, 0f)));
        ops.add(new Op("hidden", "bwd", "bias+act", () -> DenseKernels.biasGradient(hGrad, b, 128, g, hB)));
        ops.add(new Op("adam", "", "optimizer", () -> adam.updateGuarded(w, g, state, count, ++step[0], 1e-3)));
        return ops;
    }

    private static MemorySegment gaussian(
            java.lang.foreign.Arena arena, long n, io.nerva.runtime.core.Rng rng, float scale) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, scale * (float) rng.nextGaussian());
        return s;
    }
}
