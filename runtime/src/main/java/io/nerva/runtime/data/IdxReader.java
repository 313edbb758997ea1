package io.nerva.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian magic number
 * ({@code 0x00000803} for a 3-d array of unsigned bytes: images; {@code 0x00000801} for a 1-d
 * array: labels), one big-endian int per dimension, then the bytes. Files may be gzipped
 * (recognised by their first bytes {@code 1f 8b}, whatever their name). Every error names the file.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {}

    /** {@code count} images of {@code rows × cols} pixels scaled to [0, 1], row-major, image after image. */
    public record Images(int count, int rows, int cols, float[] pixels) {
        /** The shape of one image as a sample: {@code {rows, cols, 1}}. */
        public int[] sampleShape() {
            return new int[]{rows, cols, 1};
        }
    }

    public static Images readImages(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(readAll(file));
        int[] dims = header(in, file, IMAGES_MAGIC, 3, "images");
        long expected = (long) dims[0] * dims[1] * dims[2];
        if (expected > Integer.MAX_VALUE - 8) throw new IOException(file + ": " + expected + " pixels are too many for one array");
        checkLength(in, file, expected, "pixels");
        float[] pixels = new float[(int) expected];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (in.get() & 0xFF) / 255f;
        return new Images(dims[0], dims[1], dims[2], pixels);
    }

    /** The labels as ints 0..255. */
    public static int[] readLabels(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(readAll(file));
        int[] dims = header(in, file, LABELS_MAGIC, 1, "labels");
        checkLength(in, file, dims[0], "labels");
        int[] labels = new int[dims[0]];
        for (int i = 0; i < labels.length; i++) labels[i] = in.get() & 0xFF;
        return labels;
    }

    /** Images of shape {@code {rows, cols, 1}} with their labels, one-hot or as one column of indices. */
    public static Dataset dataset(Path imagesFile, Path labelsFile, int classes, boolean oneHot) throws IOException {
        return dataset(imagesFile, labelsFile, classes, oneHot, List.of());
    }

    static Dataset dataset(Path imagesFile, Path labelsFile, int classes, boolean oneHot, List<String> classNames)
            throws IOException {
        if (classes < 1) throw new IllegalArgumentException("classes must be at least 1, got " + classes);
        Images images = readImages(imagesFile);
        int[] labels = readLabels(labelsFile);
        if (images.count() != labels.length) {
            throw new IOException(imagesFile + " has " + images.count() + " images but " + labelsFile + " has "
                    + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classes) {
                throw new IOException(labelsFile + ": label " + labels[i] + " at index " + i + " is out of range for "
                        + classes + " classes");
            }
        }
        // Pixels are finite by construction and the array is fresh: no copy, no re-check.
        return Dataset.ofLabels(images.pixels(), images.sampleShape(), labels, labels.length, classes, oneHot, classNames);
    }

    /** The whole file, inflated when it starts with the gzip magic bytes. */
    private static byte[] readAll(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                try (InputStream gz = new GZIPInputStream(raw, 1 << 16)) {
                    return gz.readAllBytes();
                } catch (ZipException | EOFException e) {
                    throw new IOException(file + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
                }
            }
            return raw.readAllBytes();
        }
    }

    private static int[] header(ByteBuffer in, Path file, int magic, int dimensions, String what) throws IOException {
        if (in.remaining() < 4) {
            throw new IOException(file + ": " + in.remaining() + " bytes are too short for an IDX header");
        }
        int found = in.getInt();
        if (found != magic) {
            String hint = found == IMAGES_MAGIC ? " (this is an images file)" : found == LABELS_MAGIC ? " (this is a labels file)" : "";
            throw new IOException(String.format("%s: bad magic number 0x%08x, expected 0x%08x for IDX %s%s",
                    file, found, magic, what, hint));
        }
        if (in.remaining() < 4 * dimensions) {
            throw new IOException(file + ": truncated header, expected " + dimensions + " dimension sizes");
        }
        int[] dims = new int[dimensions];
        for (int d = 0; d < dimensions; d++) {
            dims[d] = in.getInt();
            if (dims[d] < 0 || (d > 0 && dims[d] == 0)) throw new IOException(file + ": bad dimension size " + dims[d]);
        }
        return dims;
    }

    private static void checkLength(ByteBuffer in, Path file, long expected, String what) throws IOException {
        if (in.remaining() < expected) {
            throw new IOException(file + ": truncated, expected " + expected + " bytes of " + what + ", file has " + in.remaining());
        }
        if (in.remaining() > expected) {
            throw new IOException(file + ": " + (in.remaining() - expected) + " unexpected bytes after the " + expected
                    + " bytes of " + what);
        }
    }
}
