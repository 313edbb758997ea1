package io.nerva.spark;

import io.nerva.runtime.Model;
import io.nerva.runtime.predict.Predictor;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import scala.collection.Seq;

/**
 * Scoring a DataFrame with a generated model, two ways.
 *
 * <ul>
 *   <li>{@link #score}: {@code mapPartitions}. Each partition copies its rows into one preallocated
 *       {@code batchRows × inputSize} float buffer and runs the model on the whole batch through the
 *       executor's shared, thread-safe {@link Predictor} (one model per executor JVM, see
 *       {@link ModelSource#model()}), writing into one preallocated output buffer. The only
 *       allocations per row are the result row and its output array; per partition, the buffers and,
 *       for a last partial batch, one buffer of its exact size.</li>
 *   <li>{@link #udf}: a UDF over an {@code array<float>} column, one prediction per row into
 *       per-thread buffers. Simpler to drop into SQL, but one forward pass per row and Spark boxes
 *       every element of the array it hands to a Java UDF.</li>
 * </ul>
 * <p><b>Bits.</b> OpenBLAS' sgemm result for a row depends on where the row sits in the batch and
 * on the batch's size (measured: shifting the batch boundaries by one row changes the last bit of
 * a few percent of the outputs), and a batch of one row takes sgemv. So {@link #score} gives each
 * row the bits single-process {@code predictBatch} gives it in the same batch;
 * {@link #scoreReproducibly} fixes the batches by {@code id} (block {@code id / batchRows}, in id
 * order), whatever the partitioning, at the price of a shuffle; and the UDF gives the bits of
 * single-process {@link Model#predict(float[])}.
 */
public final class BatchScorer {
    /** Rows per forward pass unless told otherwise: the predictor's workspace capacity. */
    public static final int DEFAULT_BATCH = Predictor.DEFAULT_CAPACITY;

    private BatchScorer() {}

    /**
     * Scores the {@code id} and {@code features} columns of {@code samples} ({@code long},
     * {@code array<float>} of the model's input size); returns {@code id, predicted, outputs}.
     */
    public static Dataset<Scored> score(Dataset<Row> samples, ModelSource source, int batchRows) {
        if (batchRows < 1) throw new IllegalArgumentException("batchRows must be at least 1, got " + batchRows);
        Dataset<Sample> typed = samples.withColumn("label", functions.lit(0))
                .select("id", "features", "label")
                .as(Encoders.bean(Sample.class));
        return typed.mapPartitions(
                (MapPartitionsFunction<Sample, Scored>) rows -> new Batches(rows, source.model(), batchRows, false),
                Encoders.bean(Scored.class));
    }

    /**
     * As {@link #score}, with every batch made of the rows whose {@code id / batchRows} is the same,
     * in id order: each row gets exactly the outputs single-process {@code predictBatch} gives it
     * over all rows in id order in chunks of {@code batchRows} (ids 0 to n−1), however Spark
     * partitioned the input. Costs a shuffle of the rows by block and a sort within partitions.
     */
    public static Dataset<Scored> scoreReproducibly(Dataset<Row> samples, ModelSource source, int batchRows) {
        if (batchRows < 1) throw new IllegalArgumentException("batchRows must be at least 1, got " + batchRows);
        Dataset<Sample> typed = samples.withColumn("label", functions.lit(0))
                .select("id", "features", "label")
                .repartition(functions.floor(functions.col("id").divide(batchRows)))
                .sortWithinPartitions("id")
                .as(Encoders.bean(Sample.class));
        return typed.mapPartitions(
                (MapPartitionsFunction<Sample, Scored>) rows -> new Batches(rows, source.model(), batchRows, true),
                Encoders.bean(Scored.class));
    }

    /**
     * A UDF from an {@code array<float>} of the model's input size to the model's outputs
     * ({@code array<float>}): {@code samples.withColumn("outputs", BatchScorer.udf(source).apply(col("features")))}.
     */
    public static UserDefinedFunction udf(ModelSource source) {
        return functions.udf(new PredictUdf(source), DataTypes.createArrayType(DataTypes.FloatType, false));
    }

    /** The rows of one partition, scored a batch at a time as the consumer pulls them. */
    static final class Batches implements Iterator<Scored> {
        private final Iterator<Sample> rows;
        private final Predictor predictor;
        private final int inputSize;
        private final int outputSize;
        private final float[] in;
        private final float[] out;
        private final long[] ids;
        /** Cut batches where {@code id / capacity} changes (rows arrive sorted by id). */
        private final boolean byIdBlock;
        /** A row read but not yet batched: the first of the next id block. */
        private Sample pending;

        private int filled;
        private int next;

        Batches(Iterator<Sample> rows, Model model, int batchRows, boolean byIdBlock) {
            this.rows = rows;
            this.byIdBlock = byIdBlock;
            this.predictor = model.predictor();
            this.inputSize = model.inputSize();
            this.outputSize = model.outputSize();
            this.in = new float[batchRows * inputSize];
            this.out = new float[batchRows * outputSize];
            this.ids = new long[batchRows];
        }

        @Override
        public boolean hasNext() {
            if (next < filled) return true;
            fill();
            return next < filled;
        }

        @Override
        public Scored next() {
            if (!hasNext()) throw new NoSuchElementException();
            int r = next++;
            float[] o = new float[outputSize];
            System.arraycopy(out, r * outputSize, o, 0, outputSize);
            return new Scored(ids[r], argMax(o), o);
        }

        private void fill() {
            filled = 0;
            next = 0;
            int capacity = ids.length;
            long block = -1;
            while (filled < capacity && (pending != null || rows.hasNext())) {
                Sample s = pending != null ? pending : rows.next();
                pending = null;
                if (byIdBlock) {
                    long b = Math.floorDiv(s.getId(), (long) capacity);
                    if (filled > 0 && b != block) {
                        pending = s;
                        break;
                    }
                    block = b;
                }
                float[] f = s.getFeatures();
                if (f == null || f.length != inputSize) {
                    throw new IllegalArgumentException("row id " + s.getId() + ": expected " + inputSize
                            + " features, got " + (f == null ? "null" : f.length));
                }
                System.arraycopy(f, 0, in, filled * inputSize, inputSize);
                ids[filled++] = s.getId();
            }
            if (filled == 0) return;
            if (filled == capacity) {
                predictor.predictBatch(in, filled, out);
            } else {
                // The last, partial batch of the partition: predictBatch takes exactly rows × inputSize floats.
                float[] tail = new float[filled * inputSize];
                System.arraycopy(in, 0, tail, 0, tail.length);
                predictor.predictBatch(tail, filled, out);
            }
        }
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
        return best;
    }

    /** The per-row UDF; its buffers are per thread, as Spark may run one instance on several. */
    static final class PredictUdf implements UDF1<Seq<Object>, float[]> {
        private static final long serialVersionUID = 1L;
        private final ModelSource source;
        private transient ThreadLocal<float[]> buffer;

        PredictUdf(ModelSource source) {
            this.source = source;
        }

        @Override
        public float[] call(Seq<Object> features) {
            if (features == null) return null;
            Model model = source.model();
            int n = model.inputSize();
            if (features.size() != n) {
                throw new IllegalArgumentException("expected " + n + " features, got " + features.size());
            }
            float[] in = buffer(n);
            for (int i = 0; i < n; i++) in[i] = (Float) features.apply(i);
            return model.predictor().predict(in, new float[model.outputSize()]);
        }

        private float[] buffer(int n) {
            ThreadLocal<float[]> b = buffer;
            if (b == null) buffer = b = ThreadLocal.withInitial(() -> new float[n]);
            return b.get();
        }
    }
}
