package io.nerva.spark;

import io.nerva.examples.FashionCnnNetModel;
import io.nerva.examples.FashionLstmNetModel;
import io.nerva.examples.FashionMlpNetModel;
import io.nerva.runtime.Model;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.GradientStep;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * What a data-parallel step costs, in parts, for the example networks: the gradient computed on
 * the whole global batch and on a worker's share of it, the optimizer step, and the exchange of
 * one gradient between 2 barrier tasks over TCP and through allGather; then a whole run on 2
 * local workers against fit in one process. Run it with spark/run (under flock /tmp/bench.lock).
 * Arguments: {@code [global batch, default 64] [samples for the end-to-end run, default 8192]}.
 */
public final class DataParallelBench {
    private DataParallelBench() {}

    private static final int WORKERS = 2;

    private record Net(String name, Supplier<Model> make, ModelSource.Factory factory) {}

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 8192;
        System.out.println(BenchSupport.machine());
        Dataset train = FashionMnist.train(FashionMnist.DEFAULT_DIR, false);
        List<Net> nets = List.of(
                new Net("FashionMlpNet", () -> FashionMlpNetModel.create(42), () -> FashionMlpNetModel.create(42)),
                new Net("FashionCnnNet", () -> FashionCnnNetModel.create(42), () -> FashionCnnNetModel.create(42)),
                new Net("FashionLstmNet", () -> FashionLstmNetModel.create(42), () -> FashionLstmNetModel.create(42)));

        SparkSession spark = BenchSupport.localSpark(WORKERS);
        spark.sparkContext().setLogLevel("WARN");
        System.out.printf(
                Locale.ROOT,
                "%nglobal batch %d, %d workers; ms per step, median of the timed steps%n%n",
                batch,
                WORKERS);
        System.out.println(
                "| network | parameters | bytes sent per task per step | gradient, whole batch | gradient, 1/" + WORKERS
                        + " batch | Adam step | exchange over TCP | exchange via allGather | step, 1 process | step, "
                        + WORKERS
                        + " workers (TCP) | speed-up |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Net net : nets) {
            try (Model model = net.make().get()) {
                long params = model.parameters().count();
                int messageBytes = Integer.BYTES + Double.BYTES + (int) params * Float.BYTES;
                double whole = gradientMillis(model, train, batch, 50);
                double share = gradientMillis(model, train, batch / WORKERS, 50);
                double apply = applyMillis(model, 50);
                double tcp = exchangeMillis(spark, messageBytes, GradientExchange.Transport.SOCKETS, 30);
                double gather = exchangeMillis(spark, messageBytes, GradientExchange.Transport.ALL_GATHER, 5);
                double one = whole + apply;
                double parallel = share + tcp + apply;
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %,d | %,d | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f | %.2f | %.2f× |%n",
                        net.name(),
                        params,
                        (long) messageBytes * (WORKERS - 1),
                        whole,
                        share,
                        apply,
                        tcp,
                        gather,
                        one,
                        parallel,
                        one / parallel);
            }
        }

        System.out.printf(
                Locale.ROOT,
                "%nend to end: FashionMlpNet, %d samples, 1 epoch of batch %d, Adam 1e-3%n%n",
                samples,
                batch);
        Dataset subset = train.slice(0, samples);
        var frame = SampleFrames.of(spark, train, samples, WORKERS).cache();
        frame.count();
        int b = batch;
        DataParallel.FitFactory fit = () ->
                Fit.epochs(1).batch(b).optimizer(Optimizers.adam(1e-3)).seed(7).verbose(false);
        DataParallel.fit(frame, WORKERS, () -> FashionMlpNetModel.create(42), fit); // warm-up: JIT and Spark
        long t0 = System.nanoTime();
        DataParallel.Result r = DataParallel.fit(frame, WORKERS, () -> FashionMlpNetModel.create(42), fit);
        double spark2 = (System.nanoTime() - t0) / 1e9;
        double local = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            try (var m = FashionMlpNetModel.create(42)) {
                long t = System.nanoTime();
                m.fit(subset, fit.create());
                local = Math.min(local, (System.nanoTime() - t) / 1e9);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "| run | seconds | steps/s | per step: gradient | exchange | Adam |%n| --- | ---: | ---: | ---: | ---: | ---: |%n");
        System.out.printf(Locale.ROOT, "| fit, 1 process | %.2f | %.0f | | | |%n", local, r.steps() / local);
        System.out.printf(
                Locale.ROOT,
                "| DataParallel, %d workers (TCP), whole job | %.2f | %.0f | %.2f ms | %.2f ms | %.2f ms |%n",
                WORKERS,
                spark2,
                r.steps() / spark2,
                r.computeMillisPerStep(),
                r.reduceMillisPerStep(),
                r.applyMillisPerStep());
        System.out.println("\nload after: " + BenchSupport.loadAverage());
        spark.stop();
    }

    /** Median ms of computeGradients on {@code rows} training rows, after warm-up. */
    private static double gradientMillis(Model model, Dataset train, int rows, int reps) {
        Fit fit = Fit.epochs(1).batch(rows).optimizer(Optimizers.adam(1e-3));
        float[] x = train.slice(0, rows).features();
        float[] y = train.slice(0, rows).targets();
        try (GradientStep step = GradientStep.of(model, fit, rows, 1)) {
            double[] t = new double[reps];
            warmUp(() -> step.computeGradients(x, y, rows));
            for (int i = 0; i < reps; i++) {
                long s = System.nanoTime();
                step.computeGradients(x, y, rows);
                t[i] = (System.nanoTime() - s) / 1e6;
            }
            return median(t);
        }
    }

    /** Median ms of one Adam step over all parameters (with a tiny gradient, so the weights stay sane). */
    private static double applyMillis(Model model, int reps) {
        float[] g = new float[(int) model.parameters().count()];
        Arrays.fill(g, 1e-6f);
        try (GradientStep step = GradientStep.of(model, Fit.epochs(1).optimizer(Optimizers.adam(1e-6)), 1, 1)) {
            double[] t = new double[reps];
            warmUp(() -> step.applyGradients(g, 0));
            for (int i = 0; i < reps; i++) {
                long s = System.nanoTime();
                step.applyGradients(g, 0);
                t[i] = (System.nanoTime() - s) / 1e6;
            }
            return median(t);
        }
    }

    /** Median ms task 0 spends per exchange of {@code bytes}-byte messages among WORKERS barrier tasks. */
    private static double exchangeMillis(
            SparkSession spark, int bytes, GradientExchange.Transport transport, int reps) {
        var jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<double[]>> task =
                (Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<double[]>> & Serializable)
                        it -> {
                            BarrierTaskContext ctx = BarrierTaskContext.get();
                            byte[] mine = new byte[bytes];
                            Arrays.fill(mine, (byte) ctx.partitionId());
                            byte[][] all = new byte[ctx.getTaskInfos().length][bytes];
                            double[] t = new double[reps];
                            try (GradientExchange exchange = transport.open(ctx, bytes)) {
                                for (int i = 0; i < (transport == GradientExchange.Transport.SOCKETS ? 200 : 2); i++) {
                                    exchange.exchange(mine, all);
                                }
                                for (int i = 0; i < reps; i++) {
                                    long s = System.nanoTime();
                                    exchange.exchange(mine, all);
                                    t[i] = (System.nanoTime() - s) / 1e6;
                                }
                            }
                            for (int k = 0; k < all.length; k++) {
                                if (all[k][bytes - 1] != (byte) k)
                                    throw new IllegalStateException("task " + k + "'s bytes did not arrive");
                            }
                            return CollectionConverters.asScala(List.of(t).iterator());
                        };
        Object collected = jsc.parallelize(List.of(0, 1), WORKERS)
                .rdd()
                .barrier()
                .mapPartitions(task, false, ClassTag$.MODULE$.apply(double[].class))
                .collect();
        return median(((double[][]) collected)[0]);
    }

    /** Runs {@code r} for 3 s, so that the JIT has compiled the step before it is timed. */
    private static void warmUp(Runnable r) {
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) r.run();
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
