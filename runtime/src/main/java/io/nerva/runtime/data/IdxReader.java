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
            return new int[] {rows, cols, 1};
        }
    }

    public static Images readImages(Path file) throws IOException {
        try (InputStream in = open(file)) {
            int[] dims = header(in, file, IMAGES_MAGIC, 3, "images");
            long expected = (long) dims[0] * dims[1] * dims[2];
            if (expected > Integer.MAX_VALUE - 8)
                throw new IOException(file + ": " + expected + " pixels are too many for one array");
            checkHeap(file, expected * (1 + Float.BYTES), expected + " pixels");
            byte[] bytes = payload(in, file, expected, "pixels");
            float[] pixels = new float[bytes.length];
            for (int i = 0; i < pixels.length; i++) pixels[i] = (bytes[i] & 0xFF) / 255f;
            return new Images(dims[0], dims[1], dims[2], pixels);
        }
    }

    /**
     * Images {@code [first, first + count)} only: the file is read up to the last of them and no
     * further, so an application that classifies one image does not decode the whole set.
     */
    public static Images readImages(Path file, int first, int count) throws IOException {
        try (InputStream in = open(file)) {
            int[] dims = header(in, file, IMAGES_MAGIC, 3, "images");
            if (first < 0 || count < 1 || (long) first + count > dims[0]) {
                throw new IllegalArgumentException(
                        "images [" + first + ", " + ((long) first + count) + ") requested, but " + file + " has "
                                + dims[0] + " images (indices 0 to " + (dims[0] - 1) + ")");
            }
            long size = (long) dims[1] * dims[2];
            long skip = first * size;
            try {
                in.skipNBytes(skip);
            } catch (EOFException e) {
                throw new IOException(file + ": truncated before image " + first, e);
            }
            byte[] bytes = in.readNBytes((int) (count * size));
            if (bytes.length < count * size) {
                throw new IOException(file + ": truncated, expected " + count * size + " bytes of pixels from image "
                        + first + ", file has " + bytes.length);
            }
            float[] pixels = new float[bytes.length];
            for (int i = 0; i < pixels.length; i++) pixels[i] = (bytes[i] & 0xFF) / 255f;
            return new Images(count, dims[1], dims[2], pixels);
        }
    }

    /** The labels as ints 0..255. */
    public static int[] readLabels(Path file) throws IOException {
        try (InputStream in = open(file)) {
            int[] dims = header(in, file, LABELS_MAGIC, 1, "labels");
            checkHeap(file, (long) dims[0] * (1 + Integer.BYTES), dims[0] + " labels");
            byte[] bytes = payload(in, file, dims[0], "labels");
            int[] labels = new int[bytes.length];
            for (int i = 0; i < labels.length; i++) labels[i] = bytes[i] & 0xFF;
            return labels;
        }
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
        return Dataset.ofLabels(
                images.pixels(), images.sampleShape(), labels, labels.length, classes, oneHot, classNames);
    }

    /** Most bytes counted (not stored) after the expected data before giving up: bounds the work on a gzip bomb. */
    static final long MAX_TRAILING_COUNT = 1L << 20;

    /** The file as a stream, inflated when it starts with the gzip magic bytes. */
    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                try {
                    return new Guarded(new GZIPInputStream(raw, 1 << 16), file);
                } catch (ZipException | EOFException e) {
                    throw new IOException(file + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
                }
            }
            return raw;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Turns the inflater's exceptions into ones that name the file. */
    private static final class Guarded extends java.io.FilterInputStream {
        private final Path file;

        Guarded(InputStream in, Path file) {
            super(in);
            this.file = file;
        }

        private IOException wrap(IOException e) {
            return new IOException(file + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (ZipException | EOFException e) {
                throw wrap(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (ZipException | EOFException e) {
                throw wrap(e);
            }
        }
    }

    /** Refuses before allocating when the header asks for more memory than the heap can ever give. */
    private static void checkHeap(Path file, long bytes, String what) throws IOException {
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > max) {
            throw new IOException(file + ": the header announces " + what + ", which need " + bytes / (1 << 20)
                    + " MiB, more than the whole heap (" + max / (1 << 20) + " MiB, -Xmx)");
        }
    }

    /**
     * Exactly {@code expected} bytes, read in pieces into a buffer that grows with the data
     * actually present (a header announcing more than the file holds allocates no more than the
     * file), then a check that nothing follows, counting at most {@link #MAX_TRAILING_COUNT}
     * trailing bytes without storing them.
     */
    private static byte[] payload(InputStream in, Path file, long expected, String what) throws IOException {
        byte[] data = new byte[(int) Math.min(expected, 1 << 20)];
        int have = 0;
        while (have < expected) {
            if (have == data.length) data = java.util.Arrays.copyOf(data, (int) Math.min(expected, 2L * data.length));
            int n = in.read(data, have, data.length - have);
            if (n < 0) {
                throw new IOException(
                        file + ": truncated, expected " + expected + " bytes of " + what + ", file has " + have);
            }
            have += n;
        }
        long extra = 0;
        byte[] sink = new byte[8192];
        for (int n; extra <= MAX_TRAILING_COUNT && (n = in.read(sink)) > 0; ) extra += n;
        if (extra > MAX_TRAILING_COUNT) {
            throw new IOException(file + ": more than " + MAX_TRAILING_COUNT + " unexpected bytes after the " + expected
                    + " bytes of " + what + " (stopped reading; is the header's size wrong?)");
        }
        if (extra > 0) {
            throw new IOException(
                    file + ": " + extra + " unexpected bytes after the " + expected + " bytes of " + what);
        }
        return data;
    }

    private static int[] header(InputStream in, Path file, int magic, int dimensions, String what) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length < 4) {
            throw new IOException(file + ": " + head.length + " bytes are too short for an IDX header");
        }
        int found = ByteBuffer.wrap(head).getInt();
        if (found != magic) {
            String hint = found == IMAGES_MAGIC
                    ? " (this is an images file)"
                    : found == LABELS_MAGIC ? " (this is a labels file)" : "";
            throw new IOException(String.format(
                    "%s: bad magic number 0x%08x, expected 0x%08x for IDX %s%s", file, found, magic, what, hint));
        }
        byte[] sizes = in.readNBytes(4 * dimensions);
        if (sizes.length < 4 * dimensions) {
            throw new IOException(file + ": truncated header, expected " + dimensions + " dimension sizes");
        }
        ByteBuffer b = ByteBuffer.wrap(sizes);
        int[] dims = new int[dimensions];
        for (int d = 0; d < dimensions; d++) {
            dims[d] = b.getInt();
            if (dims[d] < 0 || (d > 0 && dims[d] == 0)) throw new IOException(file + ": bad dimension size " + dims[d]);
        }
        return dims;
    }
}
