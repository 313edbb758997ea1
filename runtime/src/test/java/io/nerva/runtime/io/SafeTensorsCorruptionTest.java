package io.nerva.runtime.io;

import static io.nerva.runtime.io.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.nerva.format.SafeTensorsHeader;
import io.nerva.format.WeightFileException;
import io.nerva.runtime.core.Parameters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a file can be wrong: each is a {@link WeightFileException} that says why, and the model is untouched. */
class SafeTensorsCorruptionTest {
    static final String VALID = "{\"__metadata__\":{\"nerva.class\":\"Demo\",\"nerva.fingerprint\":\"abc\"},"
            + "\"hidden.kernel\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]},"
            + "\"hidden.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[48,60]},"
            + "\"out.kernel\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[60,84]},"
            + "\"out.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[84,92]}}";
    static final byte[] DATA = f32(range(23, 100f));

    @TempDir
    Path dir;

    static String edit(String from, String to) {
        assertTrue(VALID.contains(from), from);
        return VALID.replace(from, to);
    }

    static byte[] withLengthField(byte[] file, long length) {
        byte[] copy = file.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return copy;
    }

    static byte[] rawHeaderFile(byte[] header, byte[] data) {
        return concat(
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(header.length)
                        .array(),
                header,
                data);
    }

    static Stream<Arguments> headerCorruptions() {
        byte[] valid = file(VALID, DATA);
        return Stream.of(
                arguments("empty file", new byte[0], null, new String[] {"file is 0 bytes long, expected at least 8"}),
                arguments("5-byte file", new byte[5], null, new String[] {"file is 5 bytes long, expected at least 8"}),
                arguments("header length beyond the file", withLengthField(valid, valid.length), null, new String[] {
                    "header length " + valid.length + " exceeds the " + (valid.length - 8) + " bytes"
                }),
                arguments("absurd header length", withLengthField(valid, 200_000_000), null, new String[] {
                    "header length 200000000 is absurd, expected at most 100000000"
                }),
                arguments("header length above 2^63", withLengthField(valid, -1), null, new String[] {
                    "header length 18446744073709551615 is absurd"
                }),
                arguments("empty header", file("", DATA), null, new String[] {"header is empty"}),
                arguments("unterminated array", file(edit("[4,3]", "[4,3"), DATA), null, new String[] {
                    "header is malformed JSON: Unterminated array at line 1 column 125"
                }),
                arguments("single quotes (lenient JSON)", file(edit("\"F32\"", "'F32'"), DATA), null, new String[] {
                    "header is malformed JSON: not strict JSON at line 1 column"
                }),
                arguments("a second value after the object", file(VALID + " {}", DATA), null, new String[] {
                    "header is malformed JSON: "
                }),
                arguments("duplicate key", file(edit("\"out.bias\"", "\"hidden.bias\""), DATA), null, new String[] {
                    "header is malformed JSON: ", "duplicate key: hidden.bias"
                }),
                arguments(
                        "not UTF-8",
                        rawHeaderFile(
                                concat(
                                        VALID.substring(0, 20).getBytes(StandardCharsets.UTF_8),
                                        new byte[] {(byte) 0xC3, (byte) 0x28},
                                        VALID.substring(20).getBytes(StandardCharsets.UTF_8)),
                                DATA),
                        null,
                        new String[] {"header is not valid UTF-8"}),
                arguments("header is an array", file("[1, 2]", DATA), null, new String[] {
                    "header is not a JSON object, it is an array"
                }),
                arguments(
                        "metadata not an object",
                        file(edit("{\"nerva.class\":\"Demo\",\"nerva.fingerprint\":\"abc\"}", "[\"Demo\"]"), DATA),
                        null,
                        new String[] {"__metadata__ must be an object of strings, found [\"Demo\"]"}),
                arguments("metadata value not a string", file(edit("\"Demo\"", "5"), DATA), null, new String[] {
                    "__metadata__ entry 'nerva.class' must be a string, found 5"
                }),
                arguments(
                        "tensor entry not an object",
                        file(edit("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[84,92]}", "[84,92]"), DATA),
                        "out.bias",
                        new String[] {
                            "tensor 'out.bias': expected an object with dtype, shape and data_offsets, found [84,92]"
                        }),
                arguments(
                        "unexpected key in a tensor",
                        file(edit("\"shape\":[2],", "\"shape\":[2],\"strides\":[1],"), DATA),
                        "out.bias",
                        new String[] {"tensor 'out.bias': unexpected key 'strides'"}),
                arguments(
                        "unknown dtype",
                        file(edit("\"F32\",\"shape\":[2]", "\"F33\",\"shape\":[2]"), DATA),
                        "out.bias",
                        new String[] {"tensor 'out.bias': unknown dtype \"F33\", expected one of [BOOL"}),
                arguments(
                        "dtype not a string",
                        file(edit("\"F32\",\"shape\":[2]", "32,\"shape\":[2]"), DATA),
                        "out.bias",
                        new String[] {"tensor 'out.bias': dtype must be a string such as \"F32\", found 32"}),
                arguments("negative dimension", file(edit("[4,3]", "[4,-3]"), DATA), "hidden.kernel", new String[] {
                    "tensor 'hidden.kernel': shape must be a list of non-negative integers", "found [4,-3]"
                }),
                arguments("fractional dimension", file(edit("[4,3]", "[4,3.0]"), DATA), "hidden.kernel", new String[] {
                    "tensor 'hidden.kernel': shape must be a list of non-negative integers", "found [4,3.0]"
                }),
                arguments(
                        "dimension as a string", file(edit("[4,3]", "[4,\"3\"]"), DATA), "hidden.kernel", new String[] {
                            "tensor 'hidden.kernel': shape must be a list", "found [4,\"3\"]"
                        }),
                arguments("shape not a list", file(edit("[4,3]", "12"), DATA), "hidden.kernel", new String[] {
                    "tensor 'hidden.kernel': shape must be a list of non-negative integers", "found 12"
                }),
                arguments(
                        "dimension of 2^64",
                        file(edit("[4,3]", "[4,18446744073709551616]"), DATA),
                        "hidden.kernel",
                        new String[] {
                            "tensor 'hidden.kernel': shape must be a list of non-negative integers (below 2^63)"
                        }),
                arguments(
                        "shape overflowing 64 bits",
                        file(edit("[4,3]", "[4611686018427387904,3]"), DATA),
                        "hidden.kernel",
                        new String[] {
                            "tensor 'hidden.kernel': shape [4611686018427387904, 3] has more bytes than fit in 64 bits"
                        }),
                arguments(
                        "data_offsets missing",
                        file(edit(",\"data_offsets\":[84,92]", ""), DATA),
                        "out.bias",
                        new String[] {
                            "tensor 'out.bias': data_offsets must be a list of 2 non-negative integers, found null"
                        }),
                arguments("three data_offsets", file(edit("[84,92]", "[84,92,100]"), DATA), "out.bias", new String[] {
                    "tensor 'out.bias': data_offsets must be a list of 2 non-negative integers, found [84,92,100]"
                }),
                arguments("end before begin", file(edit("[84,92]", "[92,84]"), DATA), "out.bias", new String[] {
                    "tensor 'out.bias': data_offsets [92, 84] end before they begin"
                }),
                arguments("offsets beyond the data", file(edit("[84,92]", "[84,96]"), DATA), "out.bias", new String[] {
                    "tensor 'out.bias': data_offsets [84, 96] reach beyond the data section of 92 bytes"
                }),
                arguments("data truncated", file(VALID, Arrays.copyOf(DATA, 88)), "out.bias", new String[] {
                    "tensor 'out.bias': data_offsets [84, 92] reach beyond the data section of 88 bytes"
                }),
                arguments(
                        "size not shape times dtype",
                        file(edit("\"shape\":[3]", "\"shape\":[4]"), DATA),
                        "hidden.bias",
                        new String[] {
                            "tensor 'hidden.bias': data_offsets [48, 60] span 12 bytes, expected 16 for F32 shape [4]"
                        }),
                arguments("overlapping tensors", file(edit("[48,60]", "[44,56]"), DATA), "hidden.bias", new String[] {
                    "tensor 'hidden.bias': data_offsets [44, 56] overlap tensor 'hidden.kernel' at [0, 48]"
                }),
                arguments(
                        "gap between tensors",
                        file(edit("[60,84]", "[64,88]").replace("[84,92]", "[88,96]"), concat(DATA, new byte[4])),
                        "out.kernel",
                        new String[] {
                            "bytes [60, 64) of the data section belong to no tensor (tensor 'out.kernel' begins at 64)"
                        }),
                arguments("trailing bytes", file(VALID, concat(DATA, new byte[4])), null, new String[] {
                    "the data section has 96 bytes but the tensors cover 92; the 4 trailing bytes belong to no tensor"
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerCorruptions")
    void corruptHeaderIsRejectedAndTheModelUntouched(
            String description, byte[] bytes, String tensor, String[] fragments) throws Exception {
        WeightFileException e = rejected(bytes, LoadOptions.defaults(), fragments);
        assertEquals(tensor, e.tensor());

        // The runtime-free parser says the same about the bytes.
        WeightFileException fromBytes =
                assertThrows(WeightFileException.class, () -> SafeTensorsHeader.parse(bytes, "bytes"));
        assertEquals(
                e.getMessage().substring(e.source().length()),
                fromBytes.getMessage().substring("bytes".length()));
    }

    @Test
    void missingTensor() throws Exception {
        String json = "{\"hidden.kernel\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]},"
                + "\"out.kernel\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[48,72]},"
                + "\"out.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[72,80]}}";
        WeightFileException e = rejected(
                file(json, Arrays.copyOf(DATA, 80)),
                LoadOptions.defaults(),
                "missing tensor 'hidden.bias'; the file has [hidden.kernel, out.kernel, out.bias]");
        assertEquals("hidden.bias", e.tensor());
    }

    @Test
    void extraTensorIsAnErrorUnlessAllowed() throws Exception {
        String json = VALID.substring(0, VALID.length() - 1)
                + ",\"extra.kernel\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[92,100]}}";
        byte[] bytes = file(json, concat(DATA, new byte[8]));
        WeightFileException e = rejected(
                bytes,
                LoadOptions.defaults(),
                "unexpected tensor 'extra.kernel' not in the model, "
                        + "which has [hidden.kernel, hidden.bias, out.kernel, out.bias] (LoadOptions.withAllowExtra() skips them)");
        assertEquals("extra.kernel", e.tensor());

        Path file = dir.resolve("extra.safetensors");
        Files.write(file, bytes);
        try (Parameters params = denseModel()) {
            SafeTensors.load(params, file, LoadOptions.defaults().withAllowExtra());
            assertBitsEqual(range(23, 100f), params.toArray());
        }
    }

    @Test
    void shapeMismatch() throws Exception {
        WeightFileException e = rejected(
                file(edit("[4,3]", "[3,4]"), DATA),
                LoadOptions.defaults(),
                "tensor 'hidden.kernel': expected shape [4, 3], found [3, 4]");
        assertEquals("hidden.kernel", e.tensor());
        rejected(
                file(edit("\"shape\":[2]", "\"shape\":[2,1]"), DATA),
                LoadOptions.defaults(),
                "tensor 'out.bias': expected shape [2], found [2, 1]");
    }

    @Test
    void unsupportedDtypeOfAModelTensor() throws Exception {
        rejected(
                file(edit("\"F32\",\"shape\":[2]", "\"I32\",\"shape\":[2]"), DATA),
                LoadOptions.defaults(),
                "tensor 'out.bias': expected dtype F32 (or F16, BF16, F64, which are converted), found I32");
    }

    @Test
    void expectedClassAndFingerprint() throws Exception {
        byte[] bytes = file(VALID, DATA);
        rejected(bytes, LoadOptions.defaults().expectClass("Other"), "weights are for class 'Demo', expected 'Other'");
        rejected(
                bytes,
                LoadOptions.defaults().expectFingerprint("def"),
                "architecture fingerprint is 'abc', expected 'def'",
                "changed");
        byte[] withoutMetadata =
                file(edit("\"__metadata__\":{\"nerva.class\":\"Demo\",\"nerva.fingerprint\":\"abc\"},", ""), DATA);
        rejected(
                withoutMetadata,
                LoadOptions.defaults().expectClass("Demo"),
                "weights are for class not recorded, expected 'Demo'");
        rejected(
                withoutMetadata,
                LoadOptions.defaults().expectFingerprint("abc"),
                "fingerprint is not recorded, expected 'abc'");

        Path file = dir.resolve("ok.safetensors");
        Files.write(file, bytes);
        try (Parameters params = denseModel()) {
            SafeTensors.load(
                    params, file, LoadOptions.defaults().expectClass("Demo").expectFingerprint("abc"));
            assertBitsEqual(range(23, 100f), params.toArray());
        }
    }

    @Test
    void newerNervaFormat() throws Exception {
        rejected(
                file(edit("\"nerva.class\"", "\"nerva.format\":\"2\",\"nerva.class\""), DATA),
                LoadOptions.defaults(),
                "nerva.format is '2', this version reads only '1'");
    }

    @Test
    void nonexistentFileIsAnIOException() {
        try (Parameters params = denseModel()) {
            float[] before = fillRandom(params, 8);
            assertThrows(
                    java.nio.file.NoSuchFileException.class,
                    () -> SafeTensors.load(params, dir.resolve("absent.safetensors"), LoadOptions.defaults()));
            assertBitsEqual(before, params.toArray());
        }
    }

    /** Loads {@code bytes} into a model of random values; expects a rejection naming the file and the fragments. */
    private WeightFileException rejected(byte[] bytes, LoadOptions opts, String... fragments) throws Exception {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, bytes);
        try (Parameters params = denseModel()) {
            float[] before = fillRandom(params, 7);
            WeightFileException e = assertThrows(WeightFileException.class, () -> SafeTensors.load(params, file, opts));
            assertBitsEqual(before, params.toArray());
            String message = e.getMessage();
            assertTrue(message.startsWith(file + ": "), () -> "message names the file: " + message);
            assertEquals(file.toString(), e.source());
            for (String fragment : fragments) {
                assertTrue(message.contains(fragment), () -> "message\n  " + message + "\nlacks\n  " + fragment);
            }
            return e;
        }
    }
}
