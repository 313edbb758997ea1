package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link History}'s CSV and JSON forms. */
class HistoryExportTest {
    @TempDir
    Path dir;

    private static History sample() {
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put("loss", new double[] {0.5, 0.1 + 0.2, Double.NaN});
        v.put("accuracy", new double[] {0.25, 1.0, Double.POSITIVE_INFINITY});
        return new History(v);
    }

    @Test
    void csvAndJsonHaveTheExpectedTextAndRoundTripExactly() throws Exception {
        History h = sample();
        assertEquals("epoch,loss,accuracy\n0,0.5,0.25\n1,0.30000000000000004,1.0\n2,NaN,Infinity\n", h.toCsv());
        assertEquals("{\"loss\":[0.5,0.30000000000000004,NaN],\"accuracy\":[0.25,1.0,Infinity]}", h.toJson());
        assertEquals(h, History.fromCsv(h.toCsv()));
        assertEquals(h, History.fromJson(h.toJson()));
        Path csv = dir.resolve("h.csv");
        Path json = dir.resolve("sub/h.json");
        h.writeCsv(csv);
        h.writeJson(json);
        assertEquals(h.toCsv(), Files.readString(csv));
        assertEquals(h, History.fromJson(Files.readString(json)));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left");
        }
    }

    @Test
    void badInputSaysWhatWasExpected() {
        assertEquals(
                "history JSON must be an object of arrays, e.g. {\"loss\":[0.5]}, got [1,2]",
                assertThrows(IllegalArgumentException.class, () -> History.fromJson("[1,2]"))
                        .getMessage());
        assertEquals(
                "history JSON: 'loss'[1] must be a number, got \"x\"",
                assertThrows(IllegalArgumentException.class, () -> History.fromJson("{\"loss\":[1,\"x\"]}"))
                        .getMessage());
        assertEquals(
                "'b' has 1 epochs, expected 2",
                assertThrows(IllegalArgumentException.class, () -> History.fromJson("{\"a\":[1,2],\"b\":[1]}"))
                        .getMessage());
        assertEquals(
                "history CSV must start with an 'epoch' column, got header 'loss'",
                assertThrows(IllegalArgumentException.class, () -> History.fromCsv("loss\n1"))
                        .getMessage());
        assertEquals(
                "history CSV line 3, column 'loss': expected a number, got 'abc'",
                assertThrows(IllegalArgumentException.class, () -> History.fromCsv("epoch,loss\n0,1\n1,abc\n"))
                        .getMessage());
    }
}
