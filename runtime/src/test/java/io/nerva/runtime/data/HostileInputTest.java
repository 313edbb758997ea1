package io.nerva.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 6: bounded memory on hostile IDX input (sizes checked from the header, data
 * streamed), and CSV numbers in the syntax CSV files use, not Java's.
 */
class HostileInputTest {
    @TempDir
    Path dir;

    /**
     * A gzipped IDX labels file whose header announces 3 labels, followed by {@code members} × 16 MiB
     * of zeros: the zeros are one small gzip member repeated (gzip readers inflate concatenated
     * members as one stream), so a 1 GiB bomb is made in milliseconds.
     */
    private Path labelsBomb(int members) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(head))) {
            out.writeInt(IdxReader.LABELS_MAGIC);
            out.writeInt(3);
            out.write(new byte[] {1, 2, 0});
        }
        ByteArrayOutputStream zeros = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(zeros)) {
            out.write(new byte[16 << 20]);
        }
        Path file = dir.resolve("bomb-labels.gz");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(head.toByteArray());
            for (int i = 0; i < members; i++) out.write(zeros.toByteArray());
        }
        return file;
    }

    @Test
    @Timeout(20)
    void aGzipBombIsStoppedAfterTheAnnouncedDataWithoutInflatingIt() throws IOException {
        Path bomb = labelsBomb(64); // inflates to 1 GiB; about 1 MB on disk
        assertTrue(Files.size(bomb) < 3 << 20, "compressed size " + Files.size(bomb));
        var e = assertThrows(IOException.class, () -> IdxReader.readLabels(bomb));
        assertEquals(
                bomb + ": more than 1048576 unexpected bytes after the 3 bytes of labels (stopped reading; is the "
                        + "header's size wrong?)",
                e.getMessage());
    }

    @Test
    void aHeaderAnnouncingMoreThanTheHeapIsRefusedBeforeAllocating() throws IOException {
        Path file = dir.resolve("huge-images");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.IMAGES_MAGIC);
        out.writeInt(2_000_000_000);
        out.writeInt(1);
        out.writeInt(1);
        out.write(new byte[100]);
        Files.write(file, bytes.toByteArray());
        long heap = Runtime.getRuntime().maxMemory();
        var e = assertThrows(IOException.class, () -> IdxReader.readImages(file));
        if (heap < 10_000_000_000L) {
            assertTrue(
                    e.getMessage()
                            .startsWith(file + ": the header announces 2000000000 pixels, which need 9536 MiB, "
                                    + "more than the whole heap"),
                    e.getMessage());
        } else {
            assertEquals(file + ": truncated, expected 2000000000 bytes of pixels, file has 100", e.getMessage());
        }
    }

    @Test
    void aTruncatedGzipWithAHugeHeaderAllocatesOnlyWhatArrives() throws IOException {
        // 60,000 × 28 × 28 announced, 1,234 present: the message, without a 188 MB array first
        Path file = dir.resolve("short.gz");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(raw);
        out.writeInt(IdxReader.IMAGES_MAGIC);
        out.writeInt(60000);
        out.writeInt(28);
        out.writeInt(28);
        out.write(new byte[1234]);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(raw.toByteArray());
        }
        Files.write(file, gz.toByteArray());
        assertEquals(
                file + ": truncated, expected 47040000 bytes of pixels, file has 1234",
                assertThrows(IOException.class, () -> IdxReader.readImages(file))
                        .getMessage());
    }

    @Test
    void csvRefusesJavaOnlyNumberSyntax() throws IOException {
        for (String bad : new String[] {"1d", "2f", "0x1p3", "3D", "1.5F", "0X10P0"}) {
            Path file = dir.resolve("j.csv");
            Files.writeString(file, "x,y\n1,2\n" + bad + ",3\n");
            var e = assertThrows(IOException.class, () -> CsvReader.csv().read(file), bad);
            assertEquals(file + ":3: not a number: '" + bad + "' in column 'x'", e.getMessage());
        }
        Path ok = dir.resolve("ok.csv");
        Files.writeString(ok, "x,y\n1,2\n-1.5e3,.5\n+2.,1E-2\n");
        Dataset d = CsvReader.csv().read(ok);
        assertEquals(3, d.size());
        assertEquals(-1500f, d.feature(1, 0));
    }
}
