package io.nerva.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes); // big-endian, as IDX
        out.writeInt(magic);
        for (int d : dims) out.writeInt(d);
        out.write(data);
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    /** 3 images of 2×3 pixels: image i has pixels 10·i + k; labels 2, 0, 1. */
    private static byte[] images() throws IOException {
        byte[] px = new byte[3 * 6];
        for (int i = 0; i < 3; i++) for (int k = 0; k < 6; k++) px[i * 6 + k] = (byte) (10 * i + k);
        px[17] = (byte) 255;
        return idx(0x803, new int[] {3, 2, 3}, px);
    }

    private static byte[] labels() throws IOException {
        return idx(0x801, new int[] {3}, new byte[] {2, 0, 1});
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        Dataset plain = IdxReader.dataset(write("img", images()), write("lbl", labels()), 3, true);
        // gzip is recognised by its magic bytes, not by the file name
        Dataset zipped = IdxReader.dataset(write("img.gz", gzip(images())), write("lbl.bin", gzip(labels())), 3, false);
        assertEquals(3, plain.size());
        assertArrayEquals(new int[] {2, 3, 1}, plain.sampleShape());
        assertArrayEquals(
                new float[] {10 / 255f, 11 / 255f, 12 / 255f, 13 / 255f, 14 / 255f, 15 / 255f}, plain.features(1));
        assertEquals(1f, plain.features(2)[5]);
        assertArrayEquals(new int[] {2, 0, 1}, plain.labels());
        assertArrayEquals(new float[] {0, 0, 1}, plain.target(0));
        assertArrayEquals(plain.features(), zipped.features());
        assertArrayEquals(new int[] {2, 0, 1}, zipped.labels());
        assertEquals(1, zipped.targetColumns());
    }

    @Test
    void aRangeOfImagesEqualsThoseImagesOfTheWholeSet() throws IOException {
        for (Path p : List.of(write("img", images()), write("img.gz", gzip(images())))) {
            IdxReader.Images all = IdxReader.readImages(p);
            IdxReader.Images one = IdxReader.readImages(p, 1, 2);
            assertEquals(2, one.count());
            int size = all.rows() * all.cols();
            assertArrayEquals(Arrays.copyOfRange(all.pixels(), size, 3 * size), one.pixels());
            assertEquals(
                    "images [2, 4) requested, but " + p + " has 3 images (indices 0 to 2)",
                    assertThrows(IllegalArgumentException.class, () -> IdxReader.readImages(p, 2, 2))
                            .getMessage());
        }
        Path cut = write("cut", Arrays.copyOf(images(), images().length - 1));
        assertTrue(assertThrows(IOException.class, () -> IdxReader.readImages(cut, 2, 1))
                .getMessage()
                .contains("truncated"));
    }

    @Test
    void badMagicNamesFileAndNumbers() throws IOException {
        Path lbl = write("lbl", labels());
        assertEquals(
                lbl + ": bad magic number 0x00000801, expected 0x00000803 for IDX images (this is a labels file)",
                assertThrows(IOException.class, () -> IdxReader.readImages(lbl)).getMessage());
        Path junk = write("junk", "hello world, not idx".getBytes());
        assertEquals(
                junk + ": bad magic number 0x68656c6c, expected 0x00000801 for IDX labels",
                assertThrows(IOException.class, () -> IdxReader.readLabels(junk))
                        .getMessage());
        Path tiny = write("tiny", new byte[] {0, 0});
        assertEquals(
                tiny + ": 2 bytes are too short for an IDX header",
                assertThrows(IOException.class, () -> IdxReader.readImages(tiny))
                        .getMessage());
    }

    @Test
    void truncatedFilesSayHowMuchIsMissing() throws IOException {
        byte[] full = idx(0x803, new int[] {60000, 28, 28}, new byte[1234]);
        Path p = write("train-images", gzip(full));
        assertEquals(
                p + ": truncated, expected 47040000 bytes of pixels, file has 1234",
                assertThrows(IOException.class, () -> IdxReader.readImages(p)).getMessage());
        Path header = write("header", Arrays.copyOf(images(), 10));
        assertEquals(
                header + ": truncated header, expected 3 dimension sizes",
                assertThrows(IOException.class, () -> IdxReader.readImages(header))
                        .getMessage());
        byte[] zipped = gzip(images());
        Path cut = write("cut.gz", Arrays.copyOf(zipped, zipped.length / 2));
        assertTrue(assertThrows(IOException.class, () -> IdxReader.readImages(cut))
                .getMessage()
                .startsWith(cut + ": corrupt or truncated gzip data"));
        byte[] extra = Arrays.copyOf(labels(), labels().length + 2);
        Path longer = write("longer", extra);
        assertEquals(
                longer + ": 2 unexpected bytes after the 3 bytes of labels",
                assertThrows(IOException.class, () -> IdxReader.readLabels(longer))
                        .getMessage());
    }

    @Test
    void countMismatchAndLabelRangeNameTheFiles() throws IOException {
        Path img = write("img", images());
        Path two = write("two", idx(0x801, new int[] {2}, new byte[] {0, 1}));
        assertEquals(
                img + " has 3 images but " + two + " has 2 labels",
                assertThrows(IOException.class, () -> IdxReader.dataset(img, two, 10, true))
                        .getMessage());
        Path lbl = write("lbl", labels());
        assertEquals(
                lbl + ": label 2 at index 0 is out of range for 2 classes",
                assertThrows(IOException.class, () -> IdxReader.dataset(img, lbl, 2, true))
                        .getMessage());
    }
}
