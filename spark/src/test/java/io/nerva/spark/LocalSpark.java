package io.nerva.spark;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.sql.SparkSession;

/** One local[2] Spark session and the Fashion-MNIST files for every test class in the surefire JVM. */
final class LocalSpark {
    private LocalSpark() {}

    private static SparkSession session;
    private static Dataset.Split fashion;

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("nerva-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    // Spark's SerializationDebugger reads a JDK class JDK 25 no longer has: without this, a
                    // task that does not serialize fails with ExceptionInInitializerError instead of the reason.
                    .config("spark.serializer.extraDebugInfo", "false")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }

    /** The installed Fashion-MNIST (dataset-fashion-mnist, dev/setup); sparse labels. */
    static synchronized Dataset.Split fashion() {
        if (fashion == null) {
            try {
                fashion = FashionMnist.load(FashionMnist.DEFAULT_DIR, false);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "the Spark tests read Fashion-MNIST from " + FashionMnist.DEFAULT_DIR
                                + " (dev/setup installs it): " + e.getMessage(),
                        e);
            }
        }
        return fashion;
    }
}
