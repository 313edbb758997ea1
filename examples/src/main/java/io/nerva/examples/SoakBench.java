package io.nerva.examples;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Soak test of issue 16 (a main, not part of the test run): {@code 10^6} predictions of the
 * Fashion MLP from 8 threads, printing resident set size and heap in use every {@code 10^5}, then
 * 1,000 save/load cycles, printing the same every 100. Both must stay flat (no native or heap
 * leak per call). Arguments: {@code [predictions, default 1000000] [cycles, default 1000]}.
 * Run alone: {@code flock /tmp/bench.lock java ... io.nerva.examples.SoakBench}.
 */
public final class SoakBench {
    private SoakBench() {}

    public static void main(String[] args) throws Exception {
        long predictions = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int threads = 8;
        long every = Math.max(1, predictions / 10);
        try (FashionMlpNetModel net = FashionMlpNetModel.create(42)) {
            float[][] samples = new float[64][784];
            for (int s = 0; s < samples.length; s++) {
                for (int i = 0; i < 784; i++) samples[s][i] = (float) ((Math.sin(s * 7 + i) + 1) / 2);
            }
            System.out.printf("%-28s %12s %12s%n", "phase", "RSS MiB", "heap MiB");
            print("start");
            AtomicLong done = new AtomicLong();
            AtomicLong nextReport = new AtomicLong(every);
            List<Thread> workers = new ArrayList<>();
            long started = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                final int id = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    float[] out = new float[10];
                    for (int k = 0; ; k++) {
                        long n = done.incrementAndGet();
                        if (n > predictions) return;
                        net.predictor().predict(samples[(id * 8 + k) & 63], out);
                        long r = nextReport.get();
                        if (n >= r && nextReport.compareAndSet(r, r + every))
                            print(String.format("%,d predictions", r));
                    }
                }));
            }
            for (Thread w : workers) w.join();
            System.out.printf(
                    "%,d predictions from %d threads in %.1f s%n",
                    predictions, threads, (System.nanoTime() - started) / 1e9);

            Path dir = Files.createTempDirectory("nerva-soak");
            Path file = dir.resolve("mlp.safetensors");
            try (FashionMlpNetModel copy = FashionMlpNetModel.forInference()) {
                started = System.nanoTime();
                for (int c = 1; c <= cycles; c++) {
                    net.save(file);
                    copy.load(file);
                    if (c % Math.max(1, cycles / 10) == 0) print(String.format("%,d save/load cycles", c));
                }
                System.out.printf("%,d save/load cycles in %.1f s%n", cycles, (System.nanoTime() - started) / 1e9);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        }
    }

    private static synchronized void print(String phase) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf("%-28s %12.1f %12.1f%n", phase, rssBytes() / 1048576.0, heap / 1048576.0);
    }

    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux
        }
        return -1;
    }
}
