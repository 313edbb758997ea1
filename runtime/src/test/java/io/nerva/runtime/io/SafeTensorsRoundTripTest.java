package io.nerva.runtime.io;

import static io.nerva.runtime.io.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.nerva.format.DType;
import io.nerva.format.SafeTensorsHeader;
import io.nerva.format.TensorInfo;
import io.nerva.runtime.core.Parameters;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {
    static final Map<String, String> METADATA =
            Map.of(SafeTensors.CLASS_KEY, "Demo", SafeTensors.FINGERPRINT_KEY, "abc123", SafeTensors.FORMAT_KEY, "1");

    @TempDir
    Path dir;

    @Test
    void saveThenLoadGivesBitIdenticalValuesAndTheMetadata() throws Exception {
        Path file = dir.resolve("demo.safetensors");
        try (Parameters saved = mixedModel();
                Parameters loaded = mixedModel()) {
            float[] values = fillRandom(saved, 1);
            // Values whose bits a careless conversion would lose.
            values[0] = Float.intBitsToFloat(0x7fc0_1234); // NaN with a payload
            values[1] = -0.0f;
            values[2] = Float.NEGATIVE_INFINITY;
            values[3] = Float.MIN_VALUE;
            saved.copyFrom(values);
            // NaN and infinity need the explicit options (refused by default: NonFiniteWeightsTest)
            SafeTensors.save(saved, file, METADATA, SaveOptions.defaults().withAllowNonFinite());

            Map<String, String> metadata = SafeTensors.load(
                    loaded,
                    file,
                    LoadOptions.defaults()
                            .expectClass("Demo")
                            .expectFingerprint("abc123")
                            .withAllowNonFinite());

            assertBitsEqual(values, loaded.toArray());
            assertEquals(METADATA, metadata);
        }
    }

    @Test
    void writtenFileFollowsTheFormatByteForByte() throws Exception {
        Path file = dir.resolve("demo.safetensors");
        try (Parameters params = mixedModel()) {
            float[] values = fillRandom(params, 2);
            SafeTensors.save(params, file, METADATA);
            byte[] bytes = Files.readAllBytes(file);

            long headerLength =
                    ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLength % 8, "header padded to 8-byte alignment");
            String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
            String json =
                    "{\"__metadata__\":{\"nerva.class\":\"Demo\",\"nerva.fingerprint\":\"abc123\",\"nerva.format\":\"1\"},"
                            + "\"dense.kernel\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]},"
                            + "\"dense.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[48,60]},"
                            + "\"conv.kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,2,4],\"data_offsets\":[60,348]},"
                            + "\"conv.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[348,364]}}";
            assertEquals(json, header.stripTrailing());
            assertEquals(
                    " ".repeat((int) headerLength - json.length()),
                    header.substring(json.length()),
                    "padding is spaces");
            assertTrue(headerLength - json.length() < 8);

            assertEquals(8 + headerLength + 91 * 4, bytes.length, "no gaps, nothing after the data");
            byte[] data = Arrays.copyOfRange(bytes, 8 + (int) headerLength, bytes.length);
            assertArrayEquals(f32(values), data, "raw little-endian floats in buffer order");
        }
    }

    @Test
    void savingTheSameModelTwiceGivesTheSameBytes() throws Exception {
        try (Parameters params = mixedModel()) {
            fillRandom(params, 3);
            SafeTensors.save(params, dir.resolve("a"), Map.of("b", "2", "a", "1"));
            SafeTensors.save(params, dir.resolve("b"), Map.of("a", "1", "b", "2"));
            assertArrayEquals(Files.readAllBytes(dir.resolve("a")), Files.readAllBytes(dir.resolve("b")));
        }
    }

    @Test
    void loadsAFileWrittenByHand() throws Exception {
        // Keys out of data order, spaces in the JSON, a padded header, as other writers may produce.
        String json = "{ \"out.bias\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [84, 92]},\n"
                + "  \"__metadata__\": {\"format\": \"pt\"},\n"
                + "  \"hidden.kernel\": {\"shape\": [4, 3], \"dtype\": \"F32\", \"data_offsets\": [0, 48]},\n"
                + "  \"hidden.bias\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [48, 60]},\n"
                + "  \"out.kernel\": {\"dtype\": \"F32\", \"shape\": [3, 2], \"data_offsets\": [60, 84]} }   ";
        float[] values = range(23, 0.5f);
        Path file = dir.resolve("by-hand.safetensors");
        Files.write(file, file(json, f32(values)));

        try (Parameters params = denseModel()) {
            Map<String, String> metadata = SafeTensors.load(params, file, LoadOptions.defaults());
            assertBitsEqual(values, params.toArray());
            assertEquals(Map.of("format", "pt"), metadata);
        }
    }

    @Test
    void convertsF16Bf16AndF64ToFloat() throws Exception {
        String json = "{\"hidden.kernel\":{\"dtype\":\"F16\",\"shape\":[4,3],\"data_offsets\":[0,24]},"
                + "\"hidden.bias\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[24,30]},"
                + "\"out.kernel\":{\"dtype\":\"F64\",\"shape\":[3,2],\"data_offsets\":[30,78]},"
                + "\"out.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[78,86]}}";
        float[] kernel = {0.5f, -1.25f, 3f, 1024f, -0f, 0.099975586f, 7f, 8f, 9f, 10f, 11f, -65504f};
        float[] bias = {1.5f, -2f, 256f};
        double[] outKernel = {0.1, 0.2, 0.3, 1e-3, 12345.678, -7};
        float[] outBias = {4f, 5f};
        Path file = dir.resolve("mixed-dtypes.safetensors");
        Files.write(file, file(json, concat(f16(kernel), bf16(bias), f64(outKernel), f32(outBias))));

        try (Parameters params = denseModel()) {
            SafeTensors.load(params, file, LoadOptions.defaults());
            float[] expected = new float[23];
            System.arraycopy(kernel, 0, expected, 0, 12);
            System.arraycopy(bias, 0, expected, 12, 3);
            for (int i = 0; i < 6; i++) expected[15 + i] = (float) outKernel[i];
            System.arraycopy(outBias, 0, expected, 21, 2);
            assertBitsEqual(expected, params.toArray());
        }
    }

    @Test
    void headerCanBeInspectedFromAPathBytesOrAStream() throws Exception {
        Path file = dir.resolve("demo.safetensors");
        try (Parameters params = mixedModel()) {
            SafeTensors.save(params, file, METADATA);
        }
        byte[] bytes = Files.readAllBytes(file);
        SafeTensorsHeader fromPath = SafeTensors.readHeader(file);
        SafeTensorsHeader fromBytes = SafeTensorsHeader.parse(bytes, "bytes");
        SafeTensorsHeader fromStream;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            fromStream = SafeTensorsHeader.read(in, "stream");
            assertEquals(364, in.available(), "stream left at the start of the data");
        }

        for (SafeTensorsHeader h : List.of(fromPath, fromBytes, fromStream)) {
            assertEquals(
                    List.of("dense.kernel", "dense.bias", "conv.kernel", "conv.bias"),
                    h.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(METADATA, h.metadata());
            assertEquals(364, h.dataLength());
            assertEquals(bytes.length - 364, h.dataStart());
        }
        TensorInfo conv = fromPath.tensor("conv.kernel").orElseThrow();
        assertEquals(DType.F32, conv.dtype());
        assertArrayEquals(new long[] {3, 3, 2, 4}, conv.shape());
        assertEquals(60, conv.begin());
        assertEquals(348, conv.end());
        assertEquals(fromPath, fromBytes);
    }

    @Test
    void anEmptyModelRoundTrips() throws Exception {
        Path file = dir.resolve("empty.safetensors");
        try (Parameters empty = parameters();
                Parameters loaded = parameters()) {
            SafeTensors.save(empty, file, Map.of());
            assertEquals(Map.of(), SafeTensors.load(loaded, file, LoadOptions.defaults()));
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(16, bytes.length);
        assertEquals("{}      ", new String(bytes, 8, 8, StandardCharsets.US_ASCII));
    }

    @Test
    void saveReplacesAnExistingFileAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("demo.safetensors");
        try (Parameters first = mixedModel();
                Parameters second = mixedModel();
                Parameters loaded = mixedModel()) {
            fillRandom(first, 4);
            float[] secondValues = fillRandom(second, 5);
            SafeTensors.save(first, file, Map.of());
            SafeTensors.save(second, file, Map.of());
            SafeTensors.load(loaded, file, LoadOptions.defaults());
            assertBitsEqual(secondValues, loaded.toArray());
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void saveToARelativePathWorks() throws Exception {
        Path relative = Path.of("target", "relative-" + System.nanoTime() + ".safetensors");
        try (Parameters params = denseModel();
                Parameters loaded = denseModel()) {
            float[] values = fillRandom(params, 6);
            SafeTensors.save(params, relative, Map.of());
            SafeTensors.load(loaded, relative, LoadOptions.defaults());
            assertBitsEqual(values, loaded.toArray());
        } finally {
            Files.deleteIfExists(relative);
        }
    }
}
