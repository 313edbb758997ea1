package io.nerva.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Save and load times of the Fashion-MNIST CNN's weights (315,146 floats, 1.2 MB) as safetensors:
 * atomic save (temp file, fsync, rename) and fully checked load. Prints medians of 20 runs each.
 */
public final class WeightsIoBench {
    private WeightsIoBench() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("nerva-weights-bench");
        Path file = dir.resolve("fashion_cnn.safetensors");
        int runs = 20;
        double[] save = new double[runs], load = new double[runs];
        try (FashionCnnNetModel net = FashionCnnNetModel.create(1);
                FashionCnnNetModel copy = FashionCnnNetModel.create(2)) {
            for (int warm = 0; warm < 5; warm++) {
                net.save(file);
                copy.load(file);
            }
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                net.save(file);
                long t1 = System.nanoTime();
                copy.load(file);
                long t2 = System.nanoTime();
                save[i] = (t1 - t0) / 1e6;
                load[i] = (t2 - t1) / 1e6;
            }
            if (!Arrays.equals(net.parameters().toArray(), copy.parameters().toArray())) {
                throw new AssertionError("loaded weights differ from the saved ones");
            }
            Arrays.sort(save);
            Arrays.sort(load);
            System.out.printf(
                    "| CNN weights, %,d floats, %,d bytes on disk | save median %.2f ms (atomic, fsync) | load median %.2f ms (checked) |%n",
                    net.parameters().count(), Files.size(file), save[runs / 2], load[runs / 2]);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
