package io.nerva.format;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parsed and fully validated header of a safetensors file.
 *
 * <p>The format: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of
 * UTF-8 JSON, possibly padded with trailing spaces, mapping each tensor name to
 * {@code {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}} plus an optional
 * {@code "__metadata__"} object of strings; then the data section, raw little-endian row-major
 * tensor data, with offsets relative to its start. Every byte of the data section must belong
 * to exactly one tensor.
 *
 * <p>This class depends only on the JDK and Gson, not on the rest of the runtime, so that the
 * annotation processor can check an embedded weight resource against a network declaration.
 *
 * @param headerLength the {@code N} of the length field
 * @param metadata     the {@code __metadata__} entries, empty when absent
 * @param tensors      the tensors in the order of their data
 * @param dataLength   bytes in the data section
 */
public record SafeTensorsHeader(
        long headerLength, Map<String, String> metadata, List<TensorInfo> tensors, long dataLength) {

    /** Key of the string-to-string metadata object in the header. */
    public static final String METADATA_KEY = "__metadata__";
    /** Headers larger than this are refused as corrupt: the reference implementation's limit, 100,000,000 bytes. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final Set<String> TENSOR_KEYS = Set.of("dtype", "shape", "data_offsets");

    /**
     * Everything that uses Gson, in a class of its own so that it is loaded (and Gson with it) only
     * when a header needs it: writing one, or reading one that {@link HeaderJson} leaves to it
     * (anything unusual or wrong). Loading and initialising Gson is a large part of an embedded
     * model's start-up, and a well-formed header needs none of it.
     */
    private static final class GsonPath {
        static final Gson GSON = new GsonBuilder()
                .setStrictness(Strictness.STRICT)
                .disableHtmlEscaping()
                .create();
        static final TypeToken<LinkedHashMap<String, JsonElement>> HEADER_TYPE = new TypeToken<>() {};
        /** A JSON number that is a non-negative integer, spelled without sign, fraction or exponent. */
        static final Pattern NON_NEGATIVE_INTEGER = Pattern.compile("0|[1-9][0-9]*");

        /** Reads header JSON through Gson into {@code metadata} and {@code tensors} (in document order). */
        static void read(
                byte[] bytes,
                int offset,
                int length,
                long dataLength,
                String source,
                Map<String, String> metadata,
                List<TensorInfo> tensors)
                throws WeightFileException {
            // Decoded as it is parsed: no String copy of a header that may be up to 100 MB.
            Reader text = new InputStreamReader(
                    new ByteArrayInputStream(bytes, offset, length),
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT));
            Map<String, JsonElement> root = parseObject(text, source);
            for (Map.Entry<String, JsonElement> entry : root.entrySet()) {
                if (entry.getKey().equals(METADATA_KEY)) {
                    metadata.putAll(readMetadata(entry.getValue(), source));
                } else {
                    tensors.add(readTensor(entry.getKey(), entry.getValue(), dataLength, source));
                }
            }
        }

        static Map<String, JsonElement> parseObject(Reader text, String source) throws WeightFileException {
            JsonReader reader = new JsonReader(text);
            reader.setStrictness(Strictness.STRICT);
            JsonToken first;
            Map<String, JsonElement> root;
            boolean fullyConsumed;
            try {
                first = reader.peek();
                root = first == JsonToken.BEGIN_OBJECT ? GSON.fromJson(reader, HEADER_TYPE) : null;
                // Only the space padding may follow the object.
                fullyConsumed = root != null && reader.peek() == JsonToken.END_DOCUMENT;
            } catch (JsonParseException | IOException e) {
                for (Throwable c = e; c != null; c = c.getCause()) {
                    if (c instanceof CharacterCodingException bad) {
                        throw new WeightFileException(source, null, "header is not valid UTF-8 (" + bad + ")", bad);
                    }
                }
                throw new WeightFileException(source, null, "header is malformed JSON: " + gsonMessage(e), e);
            }
            if (first != JsonToken.BEGIN_OBJECT) {
                throw new WeightFileException(
                        source,
                        null,
                        "header is not a JSON object, it is "
                                + switch (first) {
                                    case BEGIN_ARRAY -> "an array";
                                    case STRING -> "a string";
                                    case NUMBER -> "a number";
                                    case BOOLEAN -> "a boolean";
                                    default -> first.name().toLowerCase();
                                });
            }
            if (!fullyConsumed) {
                throw new WeightFileException(source, null, "header is malformed JSON: more follows the closing brace");
            }
            return root;
        }

        /**
         * Gson's own explanation, which says where ("... at line 1 column 42 path $.dense.shape"),
         * without the wrapping exception's class name, the troubleshooting link, or the advice to
         * parse leniently, which is meant for programmers using Gson rather than for our users.
         */
        static String gsonMessage(Exception e) {
            Throwable innermost = e;
            while (innermost.getCause() != null && innermost.getCause().getMessage() != null)
                innermost = innermost.getCause();
            String message = String.valueOf(innermost.getMessage());
            int link = message.indexOf("\nSee https://");
            if (link >= 0) message = message.substring(0, link);
            return message.replace(
                    "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "not strict JSON");
        }

        static Map<String, String> readMetadata(JsonElement value, String source) throws WeightFileException {
            if (!(value instanceof JsonObject object)) {
                throw new WeightFileException(
                        source, null, METADATA_KEY + " must be an object of strings, found " + value);
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : object.entrySet()) {
                if (!(e.getValue() instanceof JsonPrimitive p) || !p.isString()) {
                    throw new WeightFileException(
                            source,
                            null,
                            METADATA_KEY + " entry '" + e.getKey() + "' must be a string, found " + e.getValue());
                }
                metadata.put(e.getKey(), p.getAsString());
            }
            return metadata;
        }

        static TensorInfo readTensor(String name, JsonElement value, long dataLength, String source)
                throws WeightFileException {
            if (!(value instanceof JsonObject entry)) {
                throw new WeightFileException(
                        source,
                        name,
                        "tensor '" + name + "': expected an object with dtype, shape and data_offsets, found " + value);
            }
            for (String key : entry.keySet()) {
                if (!TENSOR_KEYS.contains(key)) {
                    throw new WeightFileException(
                            source,
                            name,
                            "tensor '" + name + "': unexpected key '" + key
                                    + "', expected only dtype, shape and data_offsets");
                }
            }
            if (!(entry.get("dtype") instanceof JsonPrimitive dtypeJson) || !dtypeJson.isString()) {
                throw new WeightFileException(
                        source,
                        name,
                        "tensor '" + name + "': dtype must be a string such as \"F32\", found " + entry.get("dtype"));
            }
            DType dtype = DType.fromHeader(dtypeJson.getAsString())
                    .orElseThrow(() -> new WeightFileException(
                            source,
                            name,
                            "tensor '" + name + "': unknown dtype " + dtypeJson + ", expected one of "
                                    + Arrays.toString(DType.values())));
            long[] shape = readNonNegativeIntegers(entry.get("shape"), -1, name, "shape", source);
            long[] offsets = readNonNegativeIntegers(entry.get("data_offsets"), 2, name, "data_offsets", source);
            return checkedTensor(name, dtype, shape, offsets[0], offsets[1], dataLength, source);
        }

        /** Reads a JSON list of non-negative integers; {@code size} -1 means any length. */
        static long[] readNonNegativeIntegers(JsonElement value, int size, String tensor, String key, String source)
                throws WeightFileException {
            String expected =
                    size < 0 ? "a list of non-negative integers" : "a list of " + size + " non-negative integers";
            if (!(value instanceof JsonArray array) || (size >= 0 && array.size() != size)) {
                throw new WeightFileException(
                        source,
                        tensor,
                        "tensor '" + tensor + "': " + key + " must be " + expected + ", found " + value);
            }
            long[] numbers = new long[array.size()];
            for (int i = 0; i < numbers.length; i++) {
                JsonElement e = array.get(i);
                boolean ok = e instanceof JsonPrimitive p
                        && p.isNumber()
                        && NON_NEGATIVE_INTEGER.matcher(p.getAsString()).matches();
                try {
                    if (ok) numbers[i] = Long.parseLong(e.getAsString());
                } catch (NumberFormatException tooLarge) {
                    ok = false;
                }
                if (!ok) {
                    throw new WeightFileException(
                            source,
                            tensor,
                            "tensor '" + tensor + "': " + key + " must be " + expected + " (below 2^63), found "
                                    + value);
                }
            }
            return numbers;
        }

        static byte[] encode(Map<String, String> metadata, List<TensorInfo> tensors) {
            JsonObject root = new JsonObject();
            if (!metadata.isEmpty()) {
                JsonObject meta = new JsonObject();
                metadata.forEach((k, v) -> meta.addProperty(k, v));
                root.add(METADATA_KEY, meta);
            }
            for (TensorInfo t : tensors) {
                if (t.name().equals(METADATA_KEY) || root.has(t.name())) {
                    throw new IllegalArgumentException("tensor name '" + t.name() + "' is reserved or used twice");
                }
                JsonObject entry = new JsonObject();
                entry.addProperty("dtype", t.dtype().name());
                JsonArray shape = new JsonArray();
                for (long d : t.shape()) shape.add(d);
                entry.add("shape", shape);
                JsonArray offsets = new JsonArray();
                offsets.add(t.begin());
                offsets.add(t.end());
                entry.add("data_offsets", offsets);
                root.add(t.name(), entry);
            }
            return GSON.toJson(root).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Data order: by first byte, then by end (an empty tensor before one that starts where it does). */
    private static final Comparator<TensorInfo> BY_OFFSETS = new Comparator<>() {
        @Override
        public int compare(TensorInfo a, TensorInfo b) {
            int c = Long.compare(a.begin(), b.begin());
            return c != 0 ? c : Long.compare(a.end(), b.end());
        }
    };

    public SafeTensorsHeader {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    /** Offset of the data section from the start of the file. */
    public long dataStart() {
        return 8 + headerLength;
    }

    public Optional<TensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    // ---------------------------------------------------------------- reading

    /** Reads and validates the header of a file, including that the data section is exactly covered. */
    public static SafeTensorsHeader read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, file.toString());
        }
    }

    /** Reads and validates the header at the start of a channel, whose size is the file size. */
    public static SafeTensorsHeader read(FileChannel channel, String source) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new WeightFileException(
                    source,
                    null,
                    "file is " + fileSize
                            + " bytes long, expected at least 8 (the header length field); not a safetensors file");
        }
        ByteBuffer lengthField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthField, 0, source);
        long headerLength = lengthField.getLong(0);
        checkHeaderLength(headerLength, fileSize - 8, source);
        ByteBuffer json = ByteBuffer.allocate((int) headerLength);
        readFully(channel, json, 8, source);
        return parseJson(json.array(), 0, (int) headerLength, fileSize - 8 - headerLength, source, true);
    }

    /**
     * Validates a whole file held in memory.
     *
     * @param source names the file in error messages
     */
    public static SafeTensorsHeader parse(byte[] file, String source) throws WeightFileException {
        if (file.length < 8) {
            throw new WeightFileException(
                    source,
                    null,
                    "file is " + file.length
                            + " bytes long, expected at least 8 (the header length field); not a safetensors file");
        }
        long headerLength =
                ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        checkHeaderLength(headerLength, file.length - 8L, source);
        return parseJson(file, 8, (int) headerLength, file.length - 8 - headerLength, source, true);
    }

    /** As {@link #parse(byte[], String)}, always through Gson when {@code plainParser} is false (tests). */
    static SafeTensorsHeader parse(byte[] file, String source, boolean plainParser) throws WeightFileException {
        long headerLength =
                ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        checkHeaderLength(headerLength, file.length - 8L, source);
        return parseJson(file, 8, (int) headerLength, file.length - 8 - headerLength, source, plainParser);
    }

    /**
     * Reads just the header from a stream, leaving it positioned at the start of the data
     * section. Everything in the header is validated except what needs the file size: the data
     * section is taken to end where the last tensor ends, so trailing bytes go unnoticed.
     */
    public static SafeTensorsHeader read(InputStream in, String source) throws IOException {
        byte[] lengthField = in.readNBytes(8);
        if (lengthField.length < 8) {
            throw new WeightFileException(
                    source,
                    null,
                    "stream has " + lengthField.length
                            + " bytes, expected at least 8 (the header length field); not a safetensors file");
        }
        long headerLength =
                ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getLong();
        checkHeaderLength(headerLength, Long.MAX_VALUE, source);
        byte[] json = in.readNBytes((int) headerLength);
        if (json.length < headerLength) {
            throw new WeightFileException(
                    source,
                    null,
                    "header length is " + headerLength + " bytes but the stream ends after " + json.length);
        }
        return parseJson(json, 0, json.length, -1, source, true);
    }

    private static void checkHeaderLength(long headerLength, long available, String source) throws WeightFileException {
        // Unsigned in the format: a negative long is a length of 2^63 bytes or more.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new WeightFileException(
                    source,
                    null,
                    "header length " + Long.toUnsignedString(headerLength) + " is absurd, expected at most "
                            + MAX_HEADER_BYTES + " bytes; corrupt or not a safetensors file");
        }
        if (headerLength > available) {
            throw new WeightFileException(
                    source,
                    null,
                    "header length " + headerLength + " exceeds the " + available
                            + " bytes after the length field; file truncated?");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position, String source)
            throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into, position);
            if (n < 0)
                throw new WeightFileException(source, null, "file ended at byte " + position + " while reading it");
            position += n;
        }
    }

    /**
     * Parses and validates header JSON.
     *
     * @param dataLength bytes in the data section, or -1 when unknown
     */
    private static SafeTensorsHeader parseJson(
            byte[] bytes, int offset, int length, long dataLength, String source, boolean plainParser)
            throws WeightFileException {
        if (isBlank(bytes, offset, length)) {
            throw new WeightFileException(source, null, "header is empty, expected a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        HeaderJson.Parsed plain = plainParser ? HeaderJson.parse(bytes, offset, length) : null;
        if (plain != null) { // the usual header: the same values as Gson's path would read, without Gson
            metadata = plain.metadata();
            for (HeaderJson.Entry e : plain.tensors()) {
                tensors.add(checkedTensor(e.name(), e.dtype(), e.shape(), e.begin(), e.end(), dataLength, source));
            }
        } else {
            GsonPath.read(bytes, offset, length, dataLength, source, metadata, tensors);
        }
        tensors.sort(BY_OFFSETS);
        long end = checkCoverage(tensors, source);
        if (dataLength >= 0 && end != dataLength) {
            throw new WeightFileException(
                    source,
                    null,
                    "the data section has " + dataLength + " bytes but the tensors cover " + end + "; the "
                            + (dataLength - end) + " trailing bytes belong to no tensor");
        }
        return new SafeTensorsHeader(length, metadata, tensors, end);
    }

    private static boolean isBlank(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
        }
        return true;
    }

    /** A tensor entry whose JSON was well-formed, once its offsets fit the data section and its size. */
    private static TensorInfo checkedTensor(
            String name, DType dtype, long[] shape, long begin, long end, long dataLength, String source)
            throws WeightFileException {
        String where = "tensor '" + name + "': data_offsets [" + begin + ", " + end + "]";
        if (end < begin) {
            throw new WeightFileException(source, name, where + " end before they begin");
        }
        if (dataLength >= 0 && end > dataLength) {
            throw new WeightFileException(
                    source, name, where + " reach beyond the data section of " + dataLength + " bytes");
        }
        long expectedBytes;
        try {
            long elements = 1;
            for (long d : shape) elements = Math.multiplyExact(elements, d);
            expectedBytes = Math.multiplyExact(elements, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new WeightFileException(
                    source,
                    name,
                    "tensor '" + name + "': shape " + Arrays.toString(shape) + " has more bytes than fit in 64 bits");
        }
        if (end - begin != expectedBytes) {
            throw new WeightFileException(
                    source,
                    name,
                    where + " span " + (end - begin) + " bytes, expected " + expectedBytes + " for " + dtype + " shape "
                            + Arrays.toString(shape));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** Checks that the tensors, sorted by offset, tile the data section from 0 without gap or overlap. */
    private static long checkCoverage(List<TensorInfo> sorted, String source) throws WeightFileException {
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw new WeightFileException(
                        source,
                        t.name(),
                        "tensor '" + t.name() + "': data_offsets [" + t.begin()
                                + ", " + t.end() + "] overlap tensor '" + previous.name() + "' at [" + previous.begin()
                                + ", "
                                + previous.end() + "]");
            }
            if (t.begin() > covered) {
                throw new WeightFileException(
                        source,
                        t.name(),
                        "bytes [" + covered + ", " + t.begin()
                                + ") of the data section belong to no tensor (tensor '" + t.name() + "' begins at "
                                + t.begin()
                                + "); the data section must be fully indexed");
            }
            covered = t.end();
            previous = t;
        }
        return covered;
    }

    // ---------------------------------------------------------------- writing

    /**
     * The header JSON for the given tensors, compact, in the given order, {@code __metadata__}
     * first (omitted when empty), padded with spaces to a multiple of 8 bytes so that the data
     * section starts 8-byte aligned. The length field is not included.
     */
    public static byte[] encode(Map<String, String> metadata, List<TensorInfo> tensors) {
        byte[] json = GsonPath.encode(metadata, tensors);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }
}
