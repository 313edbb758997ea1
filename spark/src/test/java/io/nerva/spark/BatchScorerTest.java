package io.nerva.spark;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.*;

import io.nerva.examples.FashionCnnNetModel;
import io.nerva.examples.FashionMlpNetModel;
import io.nerva.runtime.Model;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.predict.Predictor;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class BatchScorerTest {

    /**
     * Scores {@code n} test images (ids 0 to n−1) spread over 3 partitions: with fixed batches by id, each
     * row's outputs are those of single-process batched predict over the images in order, bit for
     * bit; in the UDF, those of single-process predict of the one image.
     */
    private static void scoresEqualSingleProcessPredict(Model model, ModelSource.Factory factory, int n, int batch) {
        SparkSession spark = LocalSpark.session();
        Dataset test = LocalSpark.fashion().test();
        ModelSource source = ModelSource.of(model, factory);
        try {
            var frame = SampleFrames.of(spark, test, n, 3);
            int out = model.outputSize();
            float[] batched =
                    new Predictor(model, batch).predictBatch(test.slice(0, n).features(), n);
            List<Scored> scored =
                    BatchScorer.scoreReproducibly(frame, source, batch).collectAsList();
            assertEquals(n, scored.size());
            boolean[] seen = new boolean[n];
            for (Scored s : scored) {
                int id = (int) s.getId();
                assertFalse(seen[id], "id " + id + " scored twice");
                seen[id] = true;
                float[] expected = Arrays.copyOfRange(batched, id * out, (id + 1) * out);
                assertArrayEquals(expected, s.getOutputs(), 0f, "outputs of image " + id);
                assertEquals(BatchScorer.argMax(expected), s.getPredicted(), "class of image " + id);
            }

            // Batches as the rows come: one partition in id order gives single-process batches too.
            List<Scored> inOrder = BatchScorer.score(frame.sort("id").coalesce(1), source, batch)
                    .collectAsList();
            assertEquals(n, inOrder.size());
            for (int i = 0; i < n; i++) {
                assertEquals(i, inOrder.get(i).getId());
                assertArrayEquals(
                        Arrays.copyOfRange(batched, i * out, (i + 1) * out),
                        inOrder.get(i).getOutputs(),
                        0f,
                        "outputs of image " + i + " scored in order");
            }

            List<Row> udf = frame.withColumn("outputs", BatchScorer.udf(source).apply(col("features")))
                    .select("id", "outputs")
                    .collectAsList();
            assertEquals(n, udf.size());
            for (Row r : udf) {
                int id = (int) r.getLong(0);
                List<Float> got = r.getList(1);
                float[] expected = model.predict(test.features(id));
                assertEquals(expected.length, got.size());
                for (int j = 0; j < expected.length; j++) {
                    assertEquals(
                            Float.floatToIntBits(expected[j]),
                            Float.floatToIntBits(got.get(j)),
                            "UDF output " + j + " of image " + id);
                }
            }
        } finally {
            source.release();
        }
    }

    @Test
    void mlpScoresOnPartitionsAndInTheUdfEqualPredictBitForBit() {
        try (var net = FashionMlpNetModel.create(42)) {
            // 1500 = 23 batches of 64 and a partial one
            scoresEqualSingleProcessPredict(net, FashionMlpNetModel::forInference, 1500, 64);
        }
    }

    @Test
    void cnnScoresOnPartitionsAndInTheUdfEqualPredictBitForBit() {
        try (var net = FashionCnnNetModel.create(7)) {
            scoresEqualSingleProcessPredict(net, FashionCnnNetModel::forInference, 300, 32);
        }
    }

    @Test
    void aRowOfTheWrongSizeIsReportedWithItsId() {
        SparkSession spark = LocalSpark.session();
        try (var net = FashionMlpNetModel.create(42)) {
            ModelSource source = ModelSource.of(net, FashionMlpNetModel::forInference);
            var frame = spark.createDataset(
                            List.of(new Sample(5, new float[783], 0)), org.apache.spark.sql.Encoders.bean(Sample.class))
                    .toDF();
            SparkException e = assertThrows(
                    SparkException.class,
                    () -> BatchScorer.score(frame, source, 16).collectAsList());
            assertTrue(e.getMessage().contains("row id 5: expected 784 features, got 783"), e.getMessage());
            source.release();
        }
    }

    @Test
    void weightsForAnotherNetworkAreRefused() {
        try (var net = FashionMlpNetModel.create(42)) {
            ModelSource wrong = ModelSource.of(net, FashionCnnNetModel::forInference);
            var e = assertThrows(IllegalArgumentException.class, wrong::build);
            assertTrue(e.getMessage().startsWith("the factory makes FashionCnnNet"), e.getMessage());
        }
    }
}
