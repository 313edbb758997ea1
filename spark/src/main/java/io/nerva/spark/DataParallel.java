package io.nerva.spark;

import io.nerva.runtime.Model;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.train.Checkpoint;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.GradientStep;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel training over one Spark barrier stage: {@code workers} tasks, all
 * launched together, each holding a partition of the samples. Every task draws the same sample
 * order that {@code fit} draws (the identity shuffled by {@code Rng(fit.seed())} every epoch), so
 * every step has the same global batch as {@code fit}. Each task computes the gradient of the rows
 * of that batch it holds ({@link GradientStep#computeGradients}); the tasks swap their messages
 * (row count, mean loss and the gradient's floats, little-endian) through a {@link GradientExchange}
 * (TCP between the tasks by default, or {@link BarrierTaskContext#allGather}); every task sums them
 * in partition order, weighted by rows, and applies the same optimizer step
 * ({@link GradientStep#applyGradients}).
 * So all tasks hold identical weights after every step, and the run is {@code fit}'s up to the
 * order of the float additions: the same loss curve within float tolerance.
 *
 * <p>The {@link Fit}'s epochs, batch, seed, shuffle, optimizer, loss, {@link Fit#checkpoint} (written
 * by task 0 after every epoch, in {@code fit}'s format) and {@link Fit#resumeFrom} apply; validation,
 * callbacks, early stopping and saveBest are refused, and metrics are not computed. When Spark
 * retries the barrier stage after a failure (it restarts all its tasks, see {@link #fit}), the
 * tasks resume from the checkpoint if there is one.
 */
public final class DataParallel {
    private DataParallel() {}

    /**
     * Tests only (local mode, where the tasks run in the test's JVM): when positive, task 1 of the
     * first stage attempt fails right after this many epochs, to exercise the stage retry.
     */
    static volatile int failFirstAttemptAfterEpochForTest;

    /** A serializable way to make the {@link Fit} on every task (a Fit holds optimizers and streams). */
    @FunctionalInterface
    public interface FitFactory extends Serializable {
        Fit create();
    }

    /**
     * What a run produced. {@code stepLosses}: the global batch's mean loss per step, as fit's
     * batch callbacks see it; {@code epochLosses}: per epoch, as fit's History reports it.
     * Times are task 0's, in nanoseconds summed over the steps: computing the local gradient,
     * the all-reduce (encode, allGather, decode and sum) and the optimizer step.
     */
    public record Result(
            int rank,
            int workers,
            long steps,
            double[] stepLosses,
            double[] epochLosses,
            float[] weights,
            boolean weightsIdenticalOnAllTasks,
            long messageBytes,
            long computeNanos,
            long reduceNanos,
            long applyNanos,
            int maxRowsPerTask,
            int stageAttempt)
            implements Serializable {
        public double reduceMillisPerStep() {
            return steps == 0 ? 0 : reduceNanos / 1e6 / steps;
        }

        public double computeMillisPerStep() {
            return steps == 0 ? 0 : computeNanos / 1e6 / steps;
        }

        public double applyMillisPerStep() {
            return steps == 0 ? 0 : applyNanos / 1e6 / steps;
        }
    }

    /**
     * Trains a model made by {@code model} (the same initial weights on every task: e.g.
     * {@code () -> FashionMlpNetModel.create(42)}) on {@code samples} ({@code id} 0 to n−1 each once,
     * {@code features}, {@code label}) over {@code workers} barrier tasks. Returns the losses and
     * task 0's final weights (every task's are checked to be identical).
     */
    public static Result fit(Dataset<Row> samples, int workers, ModelSource.Factory model, FitFactory fit) {
        return fit(samples, workers, model, fit, GradientExchange.Transport.SOCKETS);
    }

    /** As {@link #fit(Dataset, int, ModelSource.Factory, FitFactory)}, exchanging gradients by {@code transport}. */
    public static Result fit(
            Dataset<Row> samples,
            int workers,
            ModelSource.Factory model,
            FitFactory fit,
            GradientExchange.Transport transport) {
        Objects.requireNonNull(samples, "samples");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(fit, "fit");
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        checkSupported(fit.create());
        long count = samples.count();
        if (count < 1 || count > Integer.MAX_VALUE)
            throw new IllegalArgumentException("expected 1 to 2^31-1 samples, got " + count);
        int n = (int) count;
        JavaRDD<Sample> rows = samples.select("id", "features", "label")
                .as(Encoders.bean(Sample.class))
                .javaRDD()
                .repartition(workers);
        Function1<scala.collection.Iterator<Sample>, scala.collection.Iterator<Result>> task =
                (Function1<scala.collection.Iterator<Sample>, scala.collection.Iterator<Result>> & Serializable)
                        it -> CollectionConverters.asScala(
                                List.of(runTask(CollectionConverters.asJava(it), n, model, fit, transport))
                                        .iterator());
        ClassTag<Result> tag = ClassTag$.MODULE$.apply(Result.class);
        // A shuffle after the barrier stage makes it a map stage: Spark retries a failed barrier map stage
        // (all its tasks, up to spark.stage.maxConsecutiveAttempts), but aborts a failed barrier result stage.
        List<Result> collected = JavaRDD.fromRDD(rows.rdd().barrier().mapPartitions(task, false, tag), tag)
                .repartition(1)
                .collect();
        Result[] results =
                collected.stream().sorted(Comparator.comparingInt(Result::rank)).toArray(Result[]::new);
        Result first = results[0];
        boolean identical = true;
        for (Result r : results) identical &= Arrays.equals(r.weights(), first.weights());
        return new Result(
                0,
                first.workers(),
                first.steps(),
                first.stepLosses(),
                first.epochLosses(),
                first.weights(),
                identical,
                first.messageBytes(),
                first.computeNanos(),
                first.reduceNanos(),
                first.applyNanos(),
                Arrays.stream(results).mapToInt(Result::maxRowsPerTask).max().orElse(0),
                first.stageAttempt());
    }

    static void checkSupported(Fit fit) {
        List<String> refused = new ArrayList<>();
        if (fit.validation() != null || fit.validationSplit() > 0) refused.add("validation");
        if (!fit.callbacks().isEmpty()) refused.add("callbacks");
        if (fit.bestFile() != null) refused.add("saveBest");
        if (fit.stopMonitor() != null) refused.add("earlyStopping");
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException(
                    "data-parallel training supports the Fit's epochs, batch, seed, shuffle, "
                            + "optimizer, loss, checkpoint and resumeFrom; this Fit also sets "
                            + String.join(", ", refused)
                            + ": evaluate or monitor on the driver with the returned weights instead");
        }
    }

    /** One barrier task: its rows, then every step of every epoch in lockstep with the others. */
    private static Result runTask(
            java.util.Iterator<Sample> it,
            int n,
            ModelSource.Factory factory,
            FitFactory fitFactory,
            GradientExchange.Transport transport) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int workers = ctx.getTaskInfos().length;
        Fit fit = fitFactory.create();
        try (Model model = factory.create()) {
            int in = model.inputSize();
            // This task's rows, and where each global sample id sits among them (-1: another task's).
            int[] localOf = new int[n];
            Arrays.fill(localOf, -1);
            List<Sample> mine = new ArrayList<>();
            while (it.hasNext()) {
                Sample s = it.next();
                long id = s.getId();
                if (id < 0 || id >= n || localOf[(int) id] >= 0) {
                    throw new IllegalArgumentException("sample ids must be 0 to " + (n - 1) + ", each once; got " + id
                            + (id >= 0 && id < n ? " twice" : ""));
                }
                if (s.getFeatures() == null || s.getFeatures().length != in) {
                    throw new IllegalArgumentException("sample " + id + ": expected " + in + " features, got "
                            + (s.getFeatures() == null ? "null" : s.getFeatures().length));
                }
                localOf[(int) id] = mine.size();
                mine.add(s);
            }
            int batch = Math.min(fit.batchSize(), n);
            float[] x = new float[batch * in];
            float[] y = new float[batch];
            int count = (int) model.parameters().count();
            float[] grads = new float[count];
            float[] reduced = new float[count];
            // Message: rows (int), mean loss (double), gradient floats, little-endian.
            ByteBuffer message = ByteBuffer.allocate(Integer.BYTES + Double.BYTES + count * Float.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN);
            byte[][] all = new byte[workers][message.capacity()];
            ByteBuffer[] received = new ByteBuffer[workers];
            for (int k = 0; k < workers; k++)
                received[k] = ByteBuffer.wrap(all[k]).order(ByteOrder.LITTLE_ENDIAN);

            try (GradientStep step = GradientStep.of(model, fit, batch, 1);
                    GradientExchange exchange = transport.open(ctx, message.capacity())) {
                Rng orderRng = new Rng(fit.seed());
                int firstEpoch = 0;
                Path resume = fit.resumeFile();
                Path checkpoint = fit.checkpointFile();
                if (ctx.stageAttemptNumber() > 0 && checkpoint != null && Files.exists(checkpoint)) {
                    resume = checkpoint; // Spark restarted the barrier stage: continue from the last epoch written
                }
                if (resume != null) {
                    Checkpoint.Info info = Checkpoint.restore(resume, model, step);
                    orderRng.setState(info.shuffleRngState());
                    firstEpoch = info.epoch();
                }
                int epochs = fit.epochCount();
                int stepsPerEpoch = (n + batch - 1) / batch;
                double[] stepLosses = new double[Math.max(0, epochs - firstEpoch) * stepsPerEpoch];
                double[] epochLosses = new double[Math.max(0, epochs - firstEpoch)];
                int[] order = new int[n];
                long computeNanos = 0, reduceNanos = 0, applyNanos = 0, steps = 0;
                int maxRows = 0;
                for (int epoch = firstEpoch; epoch < epochs; epoch++) {
                    for (int i = 0; i < n; i++) order[i] = i;
                    if (fit.shuffle()) orderRng.shuffle(order, n);
                    double sum = 0;
                    for (int start = 0; start < n; start += batch) {
                        long t0 = System.nanoTime();
                        int rows = Math.min(batch, n - start);
                        int r = 0;
                        for (int j = start; j < start + rows; j++) {
                            int local = localOf[order[j]];
                            if (local < 0) continue;
                            Sample s = mine.get(local);
                            System.arraycopy(s.getFeatures(), 0, x, r * in, in);
                            y[r++] = s.getLabel();
                        }
                        maxRows = Math.max(maxRows, r);
                        double loss = 0;
                        if (r > 0) {
                            loss = step.computeGradients(x, y, r);
                            step.copyGradients(grads);
                        }
                        long t1 = System.nanoTime();

                        message.clear();
                        message.putInt(r).putDouble(loss);
                        if (r > 0) message.asFloatBuffer().put(grads);
                        exchange.exchange(message.array(), all);
                        // Sum in partition order, weighted by each task's share of the batch: the same
                        // float additions on every task, so every task applies the same step.
                        Arrays.fill(reduced, 0f);
                        double batchLoss = 0;
                        for (ByteBuffer b : received) {
                            int rk = b.getInt(0);
                            double lk = b.getDouble(Integer.BYTES);
                            if (rk == 0) continue;
                            float weight = (float) rk / rows;
                            batchLoss += lk * rk;
                            int at = Integer.BYTES + Double.BYTES;
                            for (int i = 0; i < count; i++) reduced[i] += weight * b.getFloat(at + i * Float.BYTES);
                        }
                        batchLoss /= rows;
                        long t2 = System.nanoTime();

                        step.applyGradients(reduced, epoch);
                        long t3 = System.nanoTime();
                        computeNanos += t1 - t0;
                        reduceNanos += t2 - t1;
                        applyNanos += t3 - t2;
                        stepLosses[(int) steps++] = batchLoss;
                        sum += batchLoss * rows;
                    }
                    epochLosses[epoch - firstEpoch] = sum / n;
                    if (checkpoint != null && rank == 0) {
                        Checkpoint.write(checkpoint, model, step, epoch + 1, epochs, batch, n, orderRng.state());
                    }
                    // Every task waits for the checkpoint of this epoch before the next one starts, so
                    // that a restarted stage finds it whichever task failed.
                    if (checkpoint != null) ctx.barrier();
                    if (rank == 1 && ctx.stageAttemptNumber() == 0 && failFirstAttemptAfterEpochForTest == epoch + 1) {
                        throw new IllegalStateException("failure injected by the test after epoch " + (epoch + 1));
                    }
                }
                return new Result(
                        rank,
                        workers,
                        steps,
                        stepLosses,
                        epochLosses,
                        model.parameters().toArray(),
                        true,
                        message.capacity(),
                        computeNanos,
                        reduceNanos,
                        applyNanos,
                        maxRows,
                        ctx.stageAttemptNumber());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
