package io.nerva.tensorboard;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.nerva.annotations.Initializer;
import io.nerva.runtime.Layer;
import io.nerva.runtime.Param;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import io.nerva.tensorboard.proto.DataType;
import io.nerva.tensorboard.proto.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event-file reader against a log written by Keras, and the writer against the reader and the framing. */
class TensorBoardTest {
    @TempDir
    Path dir;

    /** {@code shared/fixtures/tensorboard}, found through the {@code nerva.fixtures} property the pom sets. */
    static Path fixture() {
        String root = System.getProperty("nerva.fixtures");
        assertNotNull(
                root,
                "system property nerva.fixtures is not set: run the tests through Maven (tensorboard/pom.xml sets it)");
        Path p = Path.of(root, "tensorboard");
        assertTrue(
                Files.isRegularFile(p.resolve("expected.json")) && Files.isDirectory(p.resolve("logs")),
                "the TensorBoard fixture is missing: expected "
                        + p.toAbsolutePath().normalize()
                        + "/{expected.json,logs/} (shared/ must sit beside the repository)");
        return p;
    }

    /** Run → tag → [[step, value or null], ...], as expected.json has it. */
    private static Map<String, Map<String, List<List<Object>>>> asExpected(TensorBoardLogs logs) {
        Map<String, Map<String, List<List<Object>>>> out = new TreeMap<>();
        for (String run : logs.runs()) {
            Map<String, List<List<Object>>> tags = new TreeMap<>();
            for (Map.Entry<String, List<TensorBoardLogs.Point>> t :
                    logs.tags(run).entrySet()) {
                List<List<Object>> points = new ArrayList<>();
                for (TensorBoardLogs.Point p : t.getValue()) {
                    List<Object> pair = new ArrayList<>();
                    pair.add(p.step());
                    pair.add(p.scalar());
                    points.add(pair);
                }
                tags.put(t.getKey(), points);
            }
            out.put(run, tags);
        }
        return out;
    }

    private static Map<String, Map<String, List<List<Object>>>> expectedJson(Path file) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        Map<String, Map<String, List<List<Object>>>> out = new TreeMap<>();
        for (Map.Entry<String, JsonElement> run : root.entrySet()) {
            Map<String, List<List<Object>>> tags = new TreeMap<>();
            for (Map.Entry<String, JsonElement> t :
                    run.getValue().getAsJsonObject().getAsJsonObject("tensors").entrySet()) {
                List<List<Object>> points = new ArrayList<>();
                for (JsonElement pe : t.getValue().getAsJsonArray()) {
                    JsonArray pair = pe.getAsJsonArray();
                    List<Object> p = new ArrayList<>();
                    p.add(pair.get(0).getAsLong());
                    p.add(pair.get(1).isJsonNull() ? null : pair.get(1).getAsDouble());
                    points.add(p);
                }
                tags.put(t.getKey(), points);
            }
            out.put(run.getKey(), tags);
        }
        return out;
    }

    @Test
    void readsTheKerasLogExactlyAsTensorBoardDoes() throws IOException {
        Path fx = fixture();
        Map<String, Map<String, List<List<Object>>>> expected = expectedJson(fx.resolve("expected.json"));
        TensorBoardLogs logs = TensorBoardLogs.read(fx.resolve("logs"));
        assertEquals(List.of("train", "validation"), logs.runs());
        // values compared exactly: the float32 in the file widened to double is the number in the JSON
        assertEquals(expected, asExpected(logs));
        assertEquals(
                0.009999999776482582,
                logs.points("train", "epoch_learning_rate").get(2).scalar());
        TensorBoardLogs.Point h =
                logs.points("train", "tiny/hidden/kernel/histogram").getFirst();
        assertEquals("histograms", h.plugin());
        assertEquals(DataType.DT_DOUBLE, h.dtype());
        assertEquals(3, h.shape()[1], "rows of (left, right, count)");
        double count = 0;
        for (int i = 2; i < h.values().length; i += 3) count += h.values()[i];
        assertEquals(4 * 8, count, "the histogram counts every weight of the 4x8 kernel");
    }

    @Test
    void fixtureFilesStartWithTheFileVersionRecord() throws IOException {
        try (Stream<Path> files = Files.walk(fixture().resolve("logs"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                List<Event> events = EventFileReader.read(f);
                assertEquals("brain.Event:2", events.getFirst().getFileVersion(), f.toString());
            }
        }
    }

    @Test
    void maskedCrcMatchesTensorFlowsKnownValue() {
        // CRC32C("123456789") = 0xE3069283, masked: ((c >>> 15) | (c << 17)) + 0xa282ead8
        byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
        int c = 0xE3069283;
        assertEquals(((c >>> 15) | (c << 17)) + 0xa282ead8, TfRecords.maskedCrc32c(data, 0, data.length));
    }

    @Test
    void writtenFilesReadBackIdenticallyAndTheirFramingVerifies() throws IOException {
        Path run = dir.resolve("logs/train");
        float[] weights = {-1f, -0.5f, 0f, 0.25f, 0.5f, 2f};
        Path file;
        try (EventFileWriter w = new EventFileWriter(run)) {
            file = w.file();
            w.scalar("epoch_loss", 0, 0.6539565920829773);
            w.scalar("epoch_loss", 1, 0.1 + 0.2);
            w.histogram("net/dense/kernel/histogram", 1, weights, 3);
        }
        assertTrue(
                file.getFileName().toString().matches("events\\.out\\.tfevents\\.\\d+\\..+\\.\\d+\\.\\d+\\.v2"),
                file.toString());

        // Framing checked by hand, independently of TfRecords.read.
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int records = 0;
        while (b.hasRemaining()) {
            byte[] lenBytes = new byte[8];
            b.get(lenBytes);
            long len = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(TfRecords.maskedCrc32c(lenBytes, 0, 8), b.getInt(), "length CRC of record " + records);
            byte[] data = new byte[(int) len];
            b.get(data);
            assertEquals(TfRecords.maskedCrc32c(data, 0, data.length), b.getInt(), "data CRC of record " + records);
            records++;
        }
        assertEquals(4, records, "file_version + 3 summaries");

        TensorBoardLogs logs = TensorBoardLogs.read(dir.resolve("logs"));
        assertEquals(List.of("train"), logs.runs());
        List<TensorBoardLogs.Point> loss = logs.points("train", "epoch_loss");
        assertEquals(
                List.of(0L, 1L), loss.stream().map(TensorBoardLogs.Point::step).toList());
        assertEquals((double) (float) 0.6539565920829773, loss.get(0).scalar());
        assertEquals((double) (float) (0.1 + 0.2), loss.get(1).scalar());
        assertEquals("scalars", loss.get(0).plugin());
        TensorBoardLogs.Point h =
                logs.points("train", "net/dense/kernel/histogram").getFirst();
        assertNull(h.scalar());
        assertArrayEquals(new long[] {3, 3}, h.shape());
        // [-1, 2] in 3 buckets of width 1: [-1,0) holds -1, -0.5; [0,1) holds 0, 0.25, 0.5; [1,2] holds 2
        assertArrayEquals(new double[] {-1, 0, 2, 0, 1, 3, 1, 2, 1}, h.values());
    }

    @Test
    void aCorruptRecordIsReportedWithItsOffset() throws IOException {
        Path file;
        try (EventFileWriter w = new EventFileWriter(dir)) {
            file = w.file();
            w.scalar("x", 0, 1);
        }
        byte[] bytes = Files.readAllBytes(file);
        int first = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        int second = (int) TfRecords.framedLength(first);
        bytes[second + 12 + 3] ^= 1; // a data byte of the second record
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> EventFileReader.read(file));
        assertTrue(
                e.getMessage()
                        .matches(".*: record at byte " + second
                                + ": data CRC is 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8} \\(corrupt record\\)"),
                e.getMessage());
        Files.write(file, java.util.Arrays.copyOf(bytes, second + 20));
        assertTrue(
                assertThrows(IOException.class, () -> EventFileReader.read(file))
                        .getMessage()
                        .contains("truncated record at byte " + second),
                "truncation");
        assertEquals(
                "no TensorBoard log directory at " + dir.resolve("nope").toAbsolutePath(),
                assertThrows(IOException.class, () -> TensorBoardLogs.read(dir.resolve("nope")))
                        .getMessage());
    }

    @Test
    void theCallbackWritesKerasRunsAndTagNames() throws IOException {
        // The fixture's network: tiny, hidden 4->8, out 8->2.
        ParamSpec hk = new ParamSpec("hidden.kernel", new int[] {4, 8}, 0, Initializer.ONES, 0, 4, 8);
        ParamSpec hb = new ParamSpec("hidden.bias", new int[] {8}, 32, Initializer.ZEROS, 0, 4, 8);
        ParamSpec ok = new ParamSpec("out.kernel", new int[] {8, 2}, 40, Initializer.ONES, 0, 8, 2);
        ParamSpec ob = new ParamSpec("out.bias", new int[] {2}, 56, Initializer.ZEROS, 0, 8, 2);
        try (Parameters params = new Parameters(List.of(hk, hb, ok, ob), false)) {
            List<Layer> layers = List.of(
                    new Layer("hidden", "Dense", new int[] {8}, new Param(params, hk), new Param(params, hb)),
                    new Layer("out", "Dense", new int[] {2}, new Param(params, ok), new Param(params, ob)));
            float[] ones = new float[32];
            java.util.Arrays.fill(ones, 1f);
            layers.getFirst().kernel().set(ones);
            TensorBoard tb = new TensorBoard(dir.resolve("logs")).histogramFreq(1);
            tb.onTrainBegin(null);
            for (int epoch = 0; epoch < 3; epoch++) {
                Map<String, Double> logs = new LinkedHashMap<>();
                logs.put("loss", 1.0 / (epoch + 1));
                logs.put("accuracy", 0.5 + epoch * 0.1);
                logs.put("val_loss", 2.0 / (epoch + 1));
                logs.put("val_accuracy", 0.4 + epoch * 0.1);
                tb.writeEpoch(epoch, logs, 0.01, 6L * (epoch + 1), "tiny", layers);
            }
            tb.onTrainEnd(null, null);
        }
        TensorBoardLogs mine = TensorBoardLogs.read(dir.resolve("logs"));
        TensorBoardLogs keras = TensorBoardLogs.read(fixture().resolve("logs"));
        assertEquals(keras.runs(), mine.runs());
        for (String run : keras.runs()) {
            assertEquals(
                    new TreeSet<>(keras.tags(run).keySet()),
                    new TreeSet<>(mine.tags(run).keySet()),
                    run);
            for (String tag : keras.tags(run).keySet()) {
                assertEquals(
                        keras.points(run, tag).stream()
                                .map(p -> p.plugin() + " " + p.dtype() + " " + p.shape().length)
                                .toList(),
                        mine.points(run, tag).stream()
                                .map(p -> p.plugin() + " " + p.dtype() + " " + p.shape().length)
                                .toList(),
                        run + "/" + tag + ": same plugin, type and rank as Keras");
                assertEquals(
                        layout(keras, run, tag), layout(mine, run, tag), run + "/" + tag + ": laid out as Keras does");
            }
        }
        assertEquals(
                List.of((double) (float) 1.0, (double) (float) 0.5, (double) (float) (1.0 / 3)),
                mine.points("train", "epoch_loss").stream()
                        .map(TensorBoardLogs.Point::scalar)
                        .toList());
        assertEquals(
                List.of(6L, 12L, 18L),
                mine.points("validation", "evaluation_loss_vs_iterations").stream()
                        .map(TensorBoardLogs.Point::step)
                        .toList());
        double[] hist =
                mine.points("train", "tiny/hidden/kernel/histogram").getFirst().values();
        assertEquals(30 * 3, hist.length, "30 buckets, as TensorFlow");
        assertEquals(32, sumCounts(hist), "every weight of the 4x8 kernel counted");
        // all ones: the buckets span [0.5, 1.5] and the middle one holds them all
        assertEquals(0.5, hist[0]);
        assertEquals(1.5, hist[hist.length - 2]);
        assertEquals(32, hist[15 * 3 + 2]);
    }

    /** How a tag's summaries are encoded, apart from their values: metadata and the tensor's fields in use. */
    private static List<String> layout(TensorBoardLogs logs, String run, String tag) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : logs.files(run)) {
            for (Event e : EventFileReader.read(f)) {
                for (var v : e.getSummary().getValueList()) {
                    if (!v.getTag().equals(tag)) continue;
                    var t = v.getTensor();
                    out.add(v.getMetadata().toBuilder().clearPluginData().build() + "|"
                            + v.getMetadata().getPluginData().getContent().size()
                            + "|" + t.getFloatValCount() + "|" + t.getDoubleValCount() + "|"
                            + t.getTensorContent().size()
                            + "|"
                            + t.getTensorShape().getDimList().stream()
                                    .map(d -> d.getSize())
                                    .toList());
                }
            }
        }
        return out;
    }

    private static double sumCounts(double[] rows) {
        double s = 0;
        for (int i = 2; i < rows.length; i += 3) s += rows[i];
        return s;
    }
}
