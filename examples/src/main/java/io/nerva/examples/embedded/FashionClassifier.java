package io.nerva.examples.embedded;

import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.data.IdxReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A tiny application with an embedded, trained network: classifies 28×28 images from an IDX
 * file given on the command line and prints how long the JVM took from start to the first
 * prediction. Arguments: {@code [images-idx3-ubyte[.gz]] [index ...]} (default: the first five
 * Fashion-MNIST test images).
 */
public final class FashionClassifier {
    private FashionClassifier() {}

    public static void main(String[] args) throws IOException {
        Path images =
                args.length > 0 ? Path.of(args[0]) : FashionMnist.DEFAULT_DIR.resolve("t10k-images-idx3-ubyte.gz");
        int[] indices = args.length > 1 ? parse(args) : new int[] {0, 1, 2, 3, 4};
        int first = Arrays.stream(indices).min().orElseThrow(),
                last = Arrays.stream(indices).max().orElseThrow();
        // only the images asked for are read, as the peers read one image
        IdxReader.Images idx = IdxReader.readImages(images, first, last - first + 1);
        try (FashionClassifierNetModel net = FashionClassifierNetModel.pretrained()) {
            float[] pixels = idx.pixels();
            int size = idx.rows() * idx.cols();
            for (int n = 0; n < indices.length; n++) {
                int i = indices[n];
                float[] image = new float[size];
                System.arraycopy(pixels, (i - first) * size, image, 0, size);
                float[] p = net.predict(image);
                int best = net.predictClass(image);
                if (n == 0) {
                    long ms = System.currentTimeMillis()
                            - ManagementFactory.getRuntimeMXBean().getStartTime();
                    System.out.printf("JVM start → first prediction: %d ms%n", ms);
                }
                System.out.printf("image %d: %s (%.1f%%)%n", i, FashionMnist.CLASS_NAMES.get(best), 100 * p[best]);
            }
        }
    }

    private static int[] parse(String[] args) {
        int[] out = new int[args.length - 1];
        for (int i = 1; i < args.length; i++) out[i - 1] = Integer.parseInt(args[i]);
        return out;
    }
}
