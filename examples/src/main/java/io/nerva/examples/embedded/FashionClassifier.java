package io.nerva.examples.embedded;

import io.nerva.runtime.data.FashionMnist;
import io.nerva.runtime.data.IdxReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Locale.Category;

/**
 * A tiny application with an embedded, trained network: classifies 28×28 images from an IDX
 * file given on the command line and prints how long the process took from its start to the
 * first prediction. Arguments: {@code [images-idx3-ubyte[.gz]] [index ...]} (default: the first
 * five Fashion-MNIST test images).
 *
 * <p>Written for start-up time, which is what it demonstrates: everything before the first
 * prediction is plain loops (no streams or lambdas, whose first use costs bootstrap work), one
 * forward pass per image (the class is the arg-max of the probabilities it prints), and the start
 * time comes from {@code /proc} rather than from the management beans, which load some hundred
 * classes after the prediction but before the process can exit.
 */
public final class FashionClassifier {
    private FashionClassifier() {}

    public static void main(String[] args) throws IOException {
        Path images =
                args.length > 0 ? Path.of(args[0]) : FashionMnist.DEFAULT_DIR.resolve("t10k-images-idx3-ubyte.gz");
        int[] indices = args.length > 1 ? parse(args) : new int[] {0, 1, 2, 3, 4};
        int first = indices[0], last = indices[0];
        for (int i : indices) {
            first = Math.min(first, i);
            last = Math.max(last, i);
        }
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
                int best = argMax(p);
                if (n == 0) {
                    System.out.println(new StringBuilder("process start → first prediction: ")
                            .append(millisSinceStart())
                            .append(" ms"));
                }
                System.out.println(
                        line(i, FashionMnist.CLASS_NAMES.get(best), 100 * p[best], Locale.getDefault(Category.FORMAT)));
            }
        }
    }

    /**
     * {@code String.format(locale, "image %d: %s (%.1f%%)", image, label, percent)}, built by hand
     * where that is plain ASCII (English and root locales, a percentage below 10^7 printed
     * without exponent): {@link java.util.Formatter} loads the locale providers, CLDR data and
     * regular expressions, some 50 ms of a process that only classifies one image.
     */
    static String line(int image, String label, float percent, Locale locale) {
        String digits = Double.toString(percent); // Formatter widens a float to double, and rounds its shortest decimal
        boolean plain = locale.equals(Locale.ROOT) || locale.equals(Locale.ENGLISH) || locale.equals(Locale.US);
        if (!plain || !Float.isFinite(percent) || digits.charAt(0) == '-' || digits.indexOf('E') >= 0) {
            return String.format(locale, "image %d: %s (%.1f%%)", image, label, percent);
        }
        int dot = digits.indexOf('.');
        long tenths = Long.parseLong(digits, 0, dot, 10) * 10 + (digits.charAt(dot + 1) - '0');
        if (dot + 2 < digits.length() && digits.charAt(dot + 2) >= '5') tenths++; // HALF_UP, as %.1f
        return new StringBuilder("image ")
                .append(image)
                .append(": ")
                .append(label)
                .append(" (")
                .append(tenths / 10)
                .append('.')
                .append(tenths % 10)
                .append("%)")
                .toString();
    }

    /** The index of the largest value, the first one on ties (as {@code Model.predictClass}). */
    static int argMax(float[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) best = j;
        }
        return best;
    }

    /**
     * Milliseconds since this process started: on Linux its age from {@code /proc} (the same clock
     * as {@code /proc/uptime}, 10 ms ticks; launcher included, as a wall-clock measurement from
     * outside sees it), elsewhere since the JVM started, from the runtime management bean.
     */
    static long millisSinceStart() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
            String uptime = Files.readString(Path.of("/proc/uptime"), StandardCharsets.US_ASCII);
            // fields after the command name, which is in parentheses and may hold spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(f[19]); // field 22 of stat: starttime, in clock ticks since boot
            long uptimeCentis = Math.round(Double.parseDouble(uptime.substring(0, uptime.indexOf(' '))) * 100);
            return (uptimeCentis - startTicks) * 10; // USER_HZ is 100 on every Linux that Java runs on
        } catch (IOException | RuntimeException notLinux) {
            return System.currentTimeMillis()
                    - ManagementFactory.getRuntimeMXBean().getStartTime();
        }
    }

    private static int[] parse(String[] args) {
        int[] out = new int[args.length - 1];
        for (int i = 1; i < args.length; i++) out[i - 1] = Integer.parseInt(args[i]);
        return out;
    }
}
