package io.nerva.spark;

import io.nerva.blas.Blas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/** What the benchmark mains share: the machine line and a local Spark session. */
final class BenchSupport {
    private BenchSupport() {}

    /** CPU model and flags, cores, BLAS backend and threads: the context every table needs. */
    static String machine() {
        String model = "?";
        boolean avx2 = false, avx512 = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && model.equals("?"))
                    model = line.substring(line.indexOf(':') + 1).trim();
                if (line.startsWith("flags")) {
                    avx2 |= line.contains(" avx2");
                    avx512 |= line.contains(" avx512f");
                }
            }
        } catch (IOException e) {
            model = "unknown (" + e.getMessage() + ")";
        }
        return String.format(
                Locale.ROOT,
                "%s; avx2 %s, avx512f %s; %d cores; %s, %d thread(s) per call; java %s; load %s",
                model,
                avx2 ? "yes" : "no",
                avx512 ? "yes" : "no",
                Runtime.getRuntime().availableProcessors(),
                Blas.get().name(),
                Blas.get().threads(),
                Runtime.version(),
                loadAverage());
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    static SparkSession localSpark(int cores) {
        return SparkSession.builder()
                .master("local[" + cores + "]")
                .appName("nerva-spark-bench")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", Integer.toString(cores))
                .config("spark.serializer.extraDebugInfo", "false")
                .getOrCreate();
    }
}
