package io.nerva.examples;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.blas.Blas;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.kernels.Activations;
import io.nerva.runtime.kernels.ConvKernels;
import io.nerva.runtime.kernels.ConvKernels.Geometry;
import io.nerva.runtime.kernels.DenseKernels;
import io.nerva.runtime.kernels.Dropout;
import io.nerva.runtime.kernels.PoolKernels;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.predict.Predictor;
import io.nerva.runtime.train.AllocationProbe;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of one training step of {@link FashionCnnNet} goes (batch 64), and its headline
 * figures. Run it alone ({@code flock /tmp/bench.lock}).
 *
 * <ol>
 *   <li>Per layer and direction, the kernels the generated {@code FashionCnnNetModel} calls, run in
 *       the same order on buffers of the same shapes, each timed on its own and filed under
 *       sgemm/conv (the convolutions' {@code ConvKernels.forward}/{@code backward}: oneDNN's
 *       convolutions, or im2col + sgemm + col2im with {@code -Dnerva.conv=im2col}), im2col/col2im
 *       (none left: kept for the table's shape), pooling, bias+activation (forward bias+activation, backward
 *       activation derivative and bias gradient), other (dropout) or optimizer (Adam); at 1 and 2
 *       BLAS threads. The step's remainder (loss, batch copy, checks) is the real step time minus their sum.</li>
 *   <li>Seconds per 10k training samples as the peers measure it (shared/peers: warm up 32
 *       batches, then time windows of 157 batches of 64), real Fashion-MNIST, Adam 1e-3.</li>
 *   <li>Batch-1 inference latency (median of 20k predictions, 1 thread).</li>
 * </ol>
 * This class mirrors the generated calls: when the emitters change, change {@link #steps} with them.
 * Arguments: {@code [timed repetitions of the kernel sequence, default 40] [windows, default 5]}.
 *
 * <p>{@code --peers}: instead, the figures of the peers' protocol on their network
 * ({@link FashionCnnPeerNet}, VALID convolutions, no dropout) through the public {@code fit}: one
 * epoch of batch 64 with Adam 1e-3, batches 1–32 warm-up, then windows of 157 batches, seconds per
 * 10k samples (median of the windows) at 1 and 2 BLAS threads; batch-64 prediction throughput (1
 * thread). Lines starting with {@code RESULT} are for benchmarks/train-vs-pytorch.sh. With
 * {@code -Dcnn.maxBatches=N}, as the peers' {@code CNN_MAX_BATCHES}, the epoch is the first N batches.
 */
public final class FashionCnnBench {
    private static final int B = 64;
    private static final String[] CATS = {"sgemm/conv", "im2col/col2im", "pool", "bias+act", "other", "optimizer"};

    private FashionCnnBench() {}

    /** One kernel call of the step. */
    private record Op(String layer, String dir, int cat, Runnable body) {}

    private static final Geometry C1 = new Geometry(28, 28, 1, 3, 3, 1, 1, 1, 1, 1, 1, 28, 28);
    private static final Geometry P1 = new Geometry(28, 28, 32, 2, 2, 2, 2, 1, 1, 0, 0, 14, 14);
    private static final Geometry C2 = new Geometry(14, 14, 32, 3, 3, 1, 1, 1, 1, 0, 0, 12, 12);
    private static final Geometry P2 = new Geometry(12, 12, 64, 2, 2, 2, 2, 1, 1, 0, 0, 6, 6);

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--peers")) {
            peers();
            return;
        }
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int windows = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println("BLAS: " + Blas.get().name());
        Dataset train = FashionMnist.train(FashionMnist.DEFAULT_DIR, false);

        Map<Integer, Double> stepMs = new LinkedHashMap<>();
        for (int threads : new int[] {1, 2}) {
            Blas.get().setThreads(threads);
            // Real step time and the peers' figure.
            double[] secsPer10k = new double[windows];
            double first = 0;
            try (FashionCnnNetModel net = FashionCnnNetModel.create(42)) {
                Loss loss = Loss.of(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY);
                for (int w = 0; w < windows; w++) {
                    AllocationProbe.Result r =
                            AllocationProbe.measure(net, train, loss, Optimizers.adam(1e-3), B, w == 0 ? 32 : 0, 157);
                    secsPer10k[w] = r.nanos() / 1e9 * 10_000 / (157.0 * B);
                    if (w == 0) first = secsPer10k[w];
                    if (w == windows - 1) {
                        System.out.printf(Locale.ROOT, "%d thread(s): heap %s%n", threads, r);
                    }
                }
            }
            double[] sorted = secsPer10k.clone();
            Arrays.sort(sorted);
            stepMs.put(threads, sorted[windows / 2] * 1000 * B / 10_000); // ms per batch of 64
            System.out.printf(
                    Locale.ROOT,
                    "%d thread(s): s per 10k samples: first window (after 32 warm-up batches) %.3f, "
                            + "median of %d windows %.3f, min %.3f  (all: %s)%n",
                    threads,
                    first,
                    windows,
                    sorted[windows / 2],
                    sorted[0],
                    fmt(secsPer10k));
        }

        for (int threads : new int[] {1, 2}) {
            Blas.get().setThreads(threads);
            breakdown(threads, reps, stepMs.get(threads));
        }

        Blas.get().setThreads(1);
        try (FashionCnnNetModel net = FashionCnnNetModel.create(42)) {
            Dataset test = FashionMnist.test(FashionMnist.DEFAULT_DIR, false);
            float[][] samples = new float[500][];
            for (int i = 0; i < samples.length; i++) samples[i] = test.features(i);
            float[] out = new float[10];
            Predictor predictor = net.predictor();
            for (int i = 0; i < 5_000; i++) predictor.predict(samples[i % samples.length], out);
            long[] t = new long[20_000];
            for (int i = 0; i < t.length; i++) {
                long s = System.nanoTime();
                predictor.predict(samples[i % samples.length], out);
                t[i] = System.nanoTime() - s;
            }
            Arrays.sort(t);
            System.out.printf(
                    Locale.ROOT,
                    "batch-1 predict latency, 1 thread (20k calls): median %.1f µs, p99 %.1f µs%n",
                    t[t.length / 2] / 1e3,
                    t[t.length * 99 / 100] / 1e3);
        }
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) sb.append(String.format(Locale.ROOT, "%.3f ", d));
        return sb.toString().trim();
    }

    /** Times each kernel of the step (median over {@code reps} runs of the whole sequence) and prints the table. */
    private static void breakdown(int threads, int reps, double realStepMs) {
        // shared: Nerva's worker threads may not touch a confined arena's segments (nothing would be split)
        try (Arena arena = Arena.ofShared()) {
            List<Op> ops = steps(arena);
            for (int i = 0; i < 15; i++) for (Op op : ops) op.body().run();
            long[][] t = new long[ops.size()][reps];
            for (int r = 0; r < reps; r++) {
                for (int i = 0; i < ops.size(); i++) {
                    long s = System.nanoTime();
                    ops.get(i).body().run();
                    t[i][r] = System.nanoTime() - s;
                }
            }
            // Per layer/direction and category: sum of per-op medians.
            Map<String, double[]> rows = new LinkedHashMap<>();
            double[] total = new double[CATS.length];
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                long[] v = t[i].clone();
                Arrays.sort(v);
                double ms = v[reps / 2] / 1e6;
                rows.computeIfAbsent(op.layer() + " " + op.dir(), k -> new double[CATS.length])[op.cat()] += ms;
                total[op.cat()] += ms;
            }
            System.out.printf(
                    Locale.ROOT, "%n%d BLAS thread(s), batch %d, ms per step (median of %d):%n", threads, B, reps);
            System.out.print("| layer | dir |");
            for (String c : CATS) System.out.print(" " + c + " |");
            System.out.println(" total | sgemm share |");
            System.out.println("| --- | --- |" + " ---: |".repeat(CATS.length) + " ---: | ---: |");
            for (var e : rows.entrySet()) {
                String[] ld = e.getKey().split(" ");
                printRow(ld[0], ld[1], e.getValue());
            }
            printRow("**layers**", "both", total);
            double kernels = Arrays.stream(total).sum();
            System.out.printf(
                    Locale.ROOT, "| loss+copy+checks (step − kernels) | | | | | | | %.2f | |%n", realStepMs - kernels);
            System.out.printf(
                    Locale.ROOT,
                    "| **step (measured)** | | | | | | | %.2f | %.0f%% |%n",
                    realStepMs,
                    100 * total[0] / realStepMs);
        }
    }

    private static void printRow(String layer, String dir, double[] v) {
        double sum = Arrays.stream(v).sum();
        System.out.printf(Locale.ROOT, "| %s | %s |", layer, dir);
        for (double d : v) System.out.printf(Locale.ROOT, " %s |", d == 0 ? "" : String.format(Locale.ROOT, "%.2f", d));
        System.out.printf(Locale.ROOT, " %.2f | %.0f%% |%n", sum, 100 * v[0] / sum);
    }

    private static MemorySegment buf(Arena arena, long floats, Rng rng) {
        MemorySegment s = arena.allocate(floats * Float.BYTES, 64);
        for (long i = 0; i < floats; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rng.nextGaussian());
        return s;
    }

    /** The kernel calls of FashionCnnNetModel's forward and backward at batch 64, in order. */
    private static List<Op> steps(Arena arena) {
        Rng rng = new Rng(1);
        MemorySegment w = buf(arena, 315_146, rng), g = buf(arena, 315_146, rng);
        for (long i = 0; i < 315_146; i++)
            w.setAtIndex(ValueLayout.JAVA_FLOAT, i, 0.05f * w.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        MemorySegment input = buf(arena, B * 784L, rng);
        MemorySegment c1Cols = buf(arena, B * 7056L, rng),
                c1Out = buf(arena, B * 25088L, rng),
                c1Grad = buf(arena, B * 25088L, rng);
        MemorySegment p1Out = buf(arena, B * 6272L, rng),
                p1Arg = arena.allocate(B * 6272L * 4, 64),
                p1Grad = buf(arena, B * 6272L, rng);
        MemorySegment c2Cols = buf(arena, B * 41472L, rng),
                c2Out = buf(arena, B * 9216L, rng),
                c2Grad = buf(arena, B * 9216L, rng);
        MemorySegment p2Out = buf(arena, B * 2304L, rng),
                p2Arg = arena.allocate(B * 2304L * 4, 64),
                p2Grad = buf(arena, B * 2304L, rng);
        MemorySegment dOut = buf(arena, B * 2304L, rng), dMask = buf(arena, B * 2304L, rng);
        MemorySegment hZ = buf(arena, B * 128L, rng),
                hOut = buf(arena, B * 128L, rng),
                hGrad = buf(arena, B * 128L, rng);
        MemorySegment oZ = buf(arena, B * 10L, rng), oOut = buf(arena, B * 10L, rng), oGrad = buf(arena, B * 10L, rng);
        Rng dropRng = new Rng(7);
        final long c1K = 0, c1B = 288, c2K = 320, c2B = 18752, hK = 18816, hB = 313728, oK = 313856, oB = 315136;
        final int sg = 0, pl = 2, ba = 3, ot = 4; // category 1, im2col/col2im, is inside the convolutions now
        List<Op> ops = new ArrayList<>();
        // forward
        ops.add(new Op("conv1", "fwd", sg, () -> ConvKernels.forward(C1, 32, input, c1Cols, w, c1K, c1Out, B)));
        ops.add(new Op("conv1", "fwd", ba, () -> ConvKernels.biasRelu(c1Out, w, c1B, B * 784, 32)));
        ops.add(new Op("pool1", "fwd", pl, () -> PoolKernels.maxForward(P1, c1Out, p1Out, p1Arg, B)));
        ops.add(new Op("conv2", "fwd", sg, () -> ConvKernels.forward(C2, 64, p1Out, c2Cols, w, c2K, c2Out, B)));
        ops.add(new Op("conv2", "fwd", ba, () -> ConvKernels.biasRelu(c2Out, w, c2B, B * 144, 64)));
        ops.add(new Op("pool2", "fwd", pl, () -> PoolKernels.maxForward(P2, c2Out, p2Out, p2Arg, B)));
        ops.add(new Op("drop", "fwd", ot, () -> Dropout.forward(p2Out, dOut, dMask, B * 2304L, 0.25f, dropRng, true)));
        ops.add(new Op(
                "hidden", "fwd", sg, () -> DenseKernels.matmul(false, false, B, 128, 2304, dOut, 0, w, hK, hZ, 0, 0f)));
        ops.add(new Op(
                "hidden",
                "fwd",
                ba,
                () -> DenseKernels.biasActivation(hZ, w, hB, hOut, B, 128, ActivationType.RELU, Float.NaN)));
        ops.add(new Op(
                "out", "fwd", sg, () -> DenseKernels.matmul(false, false, B, 10, 128, hOut, 0, w, oK, oZ, 0, 0f)));
        ops.add(new Op(
                "out",
                "fwd",
                ba,
                () -> DenseKernels.biasActivation(oZ, w, oB, oOut, B, 10, ActivationType.SOFTMAX, Float.NaN)));
        // backward (the loss gives dLoss/dlogits: no softmax derivative)
        ops.add(new Op(
                "out", "bwd", sg, () -> DenseKernels.matmul(true, false, 128, 10, B, hOut, 0, oGrad, 0, g, oK, 0f)));
        ops.add(new Op("out", "bwd", ba, () -> DenseKernels.biasGradient(oGrad, B, 10, g, oB)));
        ops.add(new Op(
                "out", "bwd", sg, () -> DenseKernels.matmul(false, true, B, 128, 10, oGrad, 0, w, oK, hGrad, 0, 0f)));
        ops.add(new Op(
                "hidden",
                "bwd",
                ba,
                () -> Activations.backward(ActivationType.RELU, Float.NaN, hZ, hOut, hGrad, hGrad, B, 128)));
        ops.add(new Op(
                "hidden",
                "bwd",
                sg,
                () -> DenseKernels.matmul(true, false, 2304, 128, B, dOut, 0, hGrad, 0, g, hK, 0f)));
        ops.add(new Op("hidden", "bwd", ba, () -> DenseKernels.biasGradient(hGrad, B, 128, g, hB)));
        ops.add(new Op(
                "hidden",
                "bwd",
                sg,
                () -> DenseKernels.matmul(false, true, B, 2304, 128, hGrad, 0, w, hK, p2Grad, 0, 0f)));
        ops.add(new Op("drop", "bwd", ot, () -> Dropout.backward(p2Grad, p2Grad, dMask, B * 2304L)));
        ops.add(new Op("pool2", "bwd", pl, () -> PoolKernels.maxBackward(P2, p2Grad, p2Arg, c2Grad, B)));
        ops.add(new Op("conv2", "bwd", ba, () -> ConvKernels.reluBackward(c2Out, c2Grad, B * 144, 64, g, c2B)));
        ops.add(new Op(
                "conv2",
                "bwd",
                sg,
                () -> ConvKernels.backward(C2, 64, p1Out, c2Cols, w, c2K, c2Grad, g, c2K, p1Grad, B)));
        ops.add(new Op("pool1", "bwd", pl, () -> PoolKernels.maxBackward(P1, p1Grad, p1Arg, c1Grad, B)));
        ops.add(new Op("conv1", "bwd", ba, () -> ConvKernels.reluBackward(c1Out, c1Grad, B * 784, 32, g, c1B)));
        ops.add(new Op(
                "conv1",
                "bwd",
                sg,
                () -> ConvKernels.backward(C1, 32, input, c1Cols, w, c1K, c1Grad, g, c1K, MemorySegment.NULL, B)));
        // the Adam update of all 315,146 parameters
        MemorySegment state = arena.allocate(2 * 315_146L * Float.BYTES, 64);
        Optimizers.Guarded adam = (Optimizers.Guarded) Optimizers.adam(1e-3);
        long[] step = {0};
        ops.add(new Op("adam", "step", 5, () -> adam.updateGuarded(w, g, state, 315_146, ++step[0], 1e-3)));
        return ops;
    }

    /** The peers' CNN figures through {@code fit} and {@code predictBatch}; see the class comment. */
    private static void peers() throws IOException {
        Dataset.Split data = FashionMnist.load(FashionMnist.DEFAULT_DIR, false);
        Dataset test = data.test();
        // As the peers' CNN_MAX_BATCHES: train on the first batches' worth of samples only (0: all)
        int maxBatches = Integer.getInteger("cnn.maxBatches", 0);
        Dataset train =
                maxBatches > 0 ? data.train().take(Math.min(data.train().size(), maxBatches * B)) : data.train();
        System.out.println("BLAS: " + Blas.get().name());
        final int warm = 32, window = 157;
        for (int threads : new int[] {1, 2}) {
            Blas.get().setThreads(threads);
            try (FashionCnnPeerNetModel net = FashionCnnPeerNetModel.create(42)) {
                double[] windowSecs = new double[train.size() / (window * B) + 1];
                int[] windows = {0};
                long[] start = {0};
                io.nerva.runtime.train.Callback timer = new io.nerva.runtime.train.Callback() {
                    @Override
                    public boolean wantsBatches() {
                        return true;
                    }

                    @Override
                    public void onBatchEnd(
                            int epoch, int batch, double loss, io.nerva.runtime.train.TrainingControl control) {
                        int done = batch + 1; // batches finished
                        if (done == warm || (done > warm && (done - warm) % window == 0)) {
                            long now = System.nanoTime();
                            if (done > warm)
                                windowSecs[windows[0]++] = (now - start[0]) / 1e9 * 10_000 / (window * (double) B);
                            start[0] = System.nanoTime();
                        }
                    }
                };
                long t0 = System.nanoTime();
                io.nerva.runtime.train.History h = net.fit(
                        train,
                        io.nerva.runtime.train.Fit.epochs(1)
                                .batch(B)
                                .optimizer(Optimizers.adam(1e-3))
                                .verbose(false)
                                .seed(42)
                                .callback(timer));
                double epochSecs = (System.nanoTime() - t0) / 1e9;
                if (windows[0] == 0)
                    throw new IllegalStateException(
                            "no full window of " + window + " batches after " + warm + " warm-up batches");
                double[] w = Arrays.copyOf(windowSecs, windows[0]);
                double[] sorted = w.clone();
                Arrays.sort(sorted);
                double accuracy = net.evaluate(
                                test,
                                io.nerva.runtime.train.Fit.epochs(1)
                                        .batch(256)
                                        .metrics(io.nerva.runtime.metric.Metrics.accuracy()))
                        .get("accuracy");
                System.out.printf(
                        Locale.ROOT,
                        "peers' CNN, %d thread(s): s per 10k samples, windows %s; epoch %.2f s; loss %.4f; test accuracy %.2f%%%n",
                        threads,
                        fmt(w),
                        epochSecs,
                        h.last("loss"),
                        100 * accuracy);
                System.out.printf(
                        Locale.ROOT, "RESULT cnn_train_t%d_s_per_10k=%.3f%n", threads, sorted[sorted.length / 2]);
            }
        }
        Blas.get().setThreads(1);
        try (FashionCnnPeerNetModel net = FashionCnnPeerNetModel.create(42)) {
            Predictor predictor = net.predictor();
            float[] flat = new float[B * 784];
            System.arraycopy(test.features(), 0, flat, 0, flat.length);
            float[] outs = new float[B * 10];
            for (int i = 0; i < 200; i++) predictor.predictBatch(flat, B, outs);
            int reps = 1000;
            long s = System.nanoTime();
            for (int i = 0; i < reps; i++) predictor.predictBatch(flat, B, outs);
            double perSec = (double) reps * B / ((System.nanoTime() - s) / 1e9);
            System.out.printf(
                    Locale.ROOT, "peers' CNN batch-64 predict throughput, 1 thread: %,.0f samples/s%n", perSec);
            System.out.printf(Locale.ROOT, "RESULT cnn_infer_b64_per_s=%.0f%n", perSec);
        }
    }
}
