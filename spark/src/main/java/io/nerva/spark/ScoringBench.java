package io.nerva.spark;

import static org.apache.spark.sql.functions.col;

import io.nerva.examples.FashionCnnNetModel;
import io.nerva.examples.FashionMlpNetModel;
import io.nerva.runtime.Model;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.predict.Predictor;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Rows per second per core: Fashion-MNIST test images scored by a generated model in one process
 * (batched predict, one core) and on Spark local[2] (mapPartitions as rows come, the same with
 * batches fixed by id, and the UDF), in the same run. Run it with spark/run (under flock /tmp/bench.lock).
 * Arguments: {@code [rows, default 10000] [repetitions, default 3]}.
 */
public final class ScoringBench {
    private ScoringBench() {}

    private static final int CORES = 2;
    private static final int BATCH = 256;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.println(BenchSupport.machine());
        Dataset test = FashionMnist.test(FashionMnist.DEFAULT_DIR, false);
        SparkSession spark = BenchSupport.localSpark(CORES);
        spark.sparkContext().setLogLevel("WARN");
        var frame = SampleFrames.of(spark, test, n, CORES).cache();
        frame.count();
        float[] flat = test.slice(0, n).features();
        System.out.printf(
                Locale.ROOT,
                "%d images, batches of %d, best of %d; Spark local[%d] (%d partitions, cached)%n%n",
                n,
                BATCH,
                reps,
                CORES,
                CORES);
        System.out.printf(
                Locale.ROOT,
                "| network | single process, 1 core | Spark mapPartitions | per core | by-id batches (shuffle) | per core | UDF, per row | per core |%n");
        System.out.printf(Locale.ROOT, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |%n");
        row(
                spark,
                frame,
                flat,
                n,
                reps,
                "FashionMlpNet",
                FashionMlpNetModel.create(42),
                FashionMlpNetModel::forInference);
        row(
                spark,
                frame,
                flat,
                n,
                reps,
                "FashionCnnNet",
                FashionCnnNetModel.create(7),
                FashionCnnNetModel::forInference);
        System.out.println("\nrows/s; 'per core' divides by the " + CORES
                + " cores Spark used, to compare with the single process on one.");
        System.out.println("load after: " + BenchSupport.loadAverage());
        spark.stop();
    }

    private static void row(
            SparkSession spark,
            org.apache.spark.sql.Dataset<Row> frame,
            float[] flat,
            int n,
            int reps,
            String name,
            Model model,
            ModelSource.Factory factory) {
        try (model) {
            Predictor single = new Predictor(model, BATCH);
            float[] out = new float[n * model.outputSize()];
            double local = best(reps, () -> single.predictBatch(flat, n, out));
            ModelSource source = ModelSource.of(model, factory);
            double partitions = best(
                    reps,
                    () -> BatchScorer.score(frame, source, BATCH)
                            .write()
                            .format("noop")
                            .mode("overwrite")
                            .save());
            double byId = best(
                    reps,
                    () -> BatchScorer.scoreReproducibly(frame, source, BATCH)
                            .write()
                            .format("noop")
                            .mode("overwrite")
                            .save());
            double udf = best(
                    reps,
                    () -> frame.withColumn("outputs", BatchScorer.udf(source).apply(col("features")))
                            .select("id", "outputs")
                            .write()
                            .format("noop")
                            .mode("overwrite")
                            .save());
            source.release();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f |%n",
                    name,
                    n / local,
                    n / partitions,
                    n / partitions / CORES,
                    n / byId,
                    n / byId / CORES,
                    n / udf,
                    n / udf / CORES);
            single.close();
        }
    }

    /** Best wall time in seconds over {@code reps} runs after one warm-up. */
    static double best(int reps, Runnable r) {
        r.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }
}
