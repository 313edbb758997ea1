package io.nerva.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Nerva data sets as Spark DataFrames of {@link Sample} rows ({@code id, features, label}). */
public final class SampleFrames {
    private SampleFrames() {}

    /**
     * Rows {@code [0, n)} of a Nerva data set with sparse labels, {@code id} = row index, spread
     * over {@code partitions} partitions. Built on the driver: meant for data sets that fit in its
     * memory (Fashion-MNIST's test set is 31 MB of floats); a real job reads its rows from storage.
     */
    public static Dataset<Row> of(SparkSession spark, io.nerva.runtime.data.Dataset data, int n, int partitions) {
        if (n < 1 || n > data.size())
            throw new IllegalArgumentException("n must be in [1, " + data.size() + "], got " + n);
        if (data.targetColumns() != 1) {
            throw new IllegalArgumentException("expected a data set with sparse labels (1 target column), got "
                    + data.targetColumns() + " target columns");
        }
        List<Sample> rows = new ArrayList<>(n);
        int[] labels = data.labels();
        for (int i = 0; i < n; i++) rows.add(new Sample(i, data.features(i), labels[i]));
        return spark.createDataset(rows, Encoders.bean(Sample.class)).toDF().repartition(partitions);
    }
}
