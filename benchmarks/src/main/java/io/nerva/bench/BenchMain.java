package io.nerva.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark (1 fork, 3 × 1 s warm-up, 5 × 1 s measurement each) and prints one
 * Markdown table: time per call, GFLOP/s and the share of this CPU's FP32 peak, then the
 * size under which a plain Java loop beats a BLAS downcall.
 *
 * <p>Arguments: {@code [jmh-log-file [table-file]]}. {@code -Dbench.quick=true} runs a few
 * sizes with 0.2 s iterations, to check the harness.
 */
public final class BenchMain {
    private static final boolean QUICK = Boolean.getBoolean("bench.quick");

    record Row(String bench, String backend, String size, int threads, double ns, double err, double flops) {}

    public static void main(String[] args) throws RunnerException, IOException {
        Path log = Path.of(args.length > 0 ? args[0] : "target/jmh.log");
        Path tableFile = Path.of(args.length > 1 ? args[1] : "target/results.md");
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<Row> rows = new ArrayList<>();

        String[] shapes = QUICK
                ? new String[] {"64x64x64", "1x128x784"}
                : new String[] {
                    "64x64x64",
                    "128x128x128",
                    "256x256x256",
                    "512x512x512",
                    "1024x1024x1024",
                    "64x128x784",
                    "256x128x784",
                    "1x128x784",
                    "64x10x128"
                };
        for (RunResult r : run(opts(log, SgemmBench.class)
                .param("backend", "openblas")
                .param("threads", "1", "2")
                .param("shape", shapes))) {
            rows.add(row(r, "sgemm", "OpenBLAS", r.getParams().getParam("shape")));
        }
        for (RunResult r : run(opts(log, SgemmBench.class)
                .param("backend", "java")
                .param("threads", "1")
                .param("shape", shapes))) {
            rows.add(row(r, "sgemm", "pure Java", r.getParams().getParam("shape")));
        }
        for (RunResult r : run(opts(log, SgemvBench.class).param("threads", "1", "2"))) {
            rows.add(row(r, "sgemv", "OpenBLAS", r.getParams().getParam("shape")));
        }
        String[] tiny =
                QUICK ? new String[] {"1", "8", "32"} : new String[] {"1", "2", "4", "8", "16", "24", "32", "48", "64"};
        Map<Integer, Map<String, Double>> tinyNs = new TreeMap<>();
        for (RunResult r : run(opts(log, TinyBench.class).param("size", tiny))) {
            int s = Integer.parseInt(r.getParams().getParam("size"));
            String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String label = switch (method) {
                case "openblasOffHeap" -> "OpenBLAS off-heap";
                case "openblasArray" -> "OpenBLAS float[] (critical)";
                default -> "Java loop";
            };
            Row row = row(r, "tiny sgemm", label, s + "x" + s + "x" + s);
            rows.add(new Row(row.bench(), row.backend(), row.size(), 1, row.ns(), row.err(), row.flops()));
            tinyNs.computeIfAbsent(s, x -> new TreeMap<>()).put(method, row.ns());
        }

        String table = table(rows, tinyNs);
        Files.writeString(tableFile, table);
        System.out.print(table);
    }

    private static ChainedOptionsBuilder opts(Path log, Class<?> bench) {
        return new OptionsBuilder()
                .include(bench.getName() + "\\.")
                .forks(1)
                .warmupIterations(QUICK ? 1 : 3)
                .warmupTime(TimeValue.milliseconds(QUICK ? 200 : 1000))
                .measurementIterations(QUICK ? 2 : 5)
                .measurementTime(TimeValue.milliseconds(QUICK ? 200 : 1000))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
                .output(log.toString() + "." + bench.getSimpleName());
    }

    private static java.util.Collection<RunResult> run(ChainedOptionsBuilder o) throws RunnerException {
        return new Runner(o.build()).run();
    }

    private static Row row(RunResult r, String bench, String backend, String shape) {
        String threads = r.getParams().getParam("threads");
        double ns = r.getPrimaryResult().getScore(), err = r.getPrimaryResult().getScoreError();
        return new Row(
                bench,
                backend,
                shape,
                threads == null ? 1 : Integer.parseInt(threads),
                ns,
                err,
                Shapes.parse(shape).flops());
    }

    static String table(List<Row> rows, Map<Integer, Map<String, Double>> tiny) {
        double ghz = Cpu.clockGhz();
        double corePeak = Cpu.FLOPS_PER_CYCLE * ghz;
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT, "CPU: %s, %d cores, %.3f GHz (%s)%n", Cpu.model(), Cpu.cores(), ghz, Cpu.clockSource()));
        out.append(String.format(
                Locale.ROOT,
                "FP32 peak (AVX2: 2 FMA units × 8 lanes × 2 flops × clock): %.1f GFLOP/s per core, %.1f GFLOP/s for %d cores%n%n",
                corePeak,
                corePeak * Cpu.cores(),
                Cpu.cores()));
        out.append("| benchmark | backend | M×N×K | threads | time/call | GFLOP/s | % of peak |\n");
        out.append("|---|---|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            double gflops = r.flops() / r.ns();
            double peak = corePeak * Math.min(r.threads(), Cpu.cores());
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %d | %s%s | %.2f | %.1f%% |%n",
                    r.bench(),
                    r.backend(),
                    r.size().replace('x', '×'),
                    r.threads(),
                    time(r.ns()),
                    Double.isNaN(r.err()) ? "" : " ± " + time(r.err()),
                    gflops,
                    100 * gflops / peak));
        }
        out.append('\n').append(crossover(tiny));
        return out.toString();
    }

    /** The product size (in flops, 2·s³) from which a downcall beats the plain Java loop. */
    static String crossover(Map<Integer, Map<String, Double>> tiny) {
        Integer lastJavaWin = null, firstBlasWin = null;
        for (var e : tiny.entrySet()) {
            Double loop = e.getValue().get("javaLoop"), blas = e.getValue().get("openblasOffHeap");
            if (loop == null || blas == null) continue;
            if (loop <= blas) {
                lastJavaWin = e.getKey();
                firstBlasWin = null; // must hold for every larger size
            } else if (firstBlasWin == null) {
                firstBlasWin = e.getKey();
            }
        }
        if (firstBlasWin == null) {
            return "Crossover: the Java loop won at every size measured (up to "
                    + flops(tiny.keySet().stream().mapToInt(i -> i).max().orElse(0)) + "); use BLAS only above that.\n";
        }
        return String.format(
                Locale.ROOT,
                "Crossover (off-heap OpenBLAS vs plain Java loop, square s×s×s): the Java loop wins up to %s, "
                        + "OpenBLAS wins from %s on.%n**Threshold: call BLAS when 2·M·N·K ≥ %d flops**, "
                        + "use a Java loop below.%n",
                lastJavaWin == null ? "no size measured" : "s = " + lastJavaWin + " (" + flops(lastJavaWin) + ")",
                "s = " + firstBlasWin + " (" + flops(firstBlasWin) + ")",
                2L * firstBlasWin * firstBlasWin * firstBlasWin);
    }

    private static String flops(int s) {
        return 2L * s * s * s + " flops";
    }

    private static String time(double ns) {
        if (ns >= 1e6) return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
        if (ns >= 1e3) return String.format(Locale.ROOT, "%.2f µs", ns / 1e3);
        return String.format(Locale.ROOT, "%.1f ns", ns);
    }
}
