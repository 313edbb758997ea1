package io.nerva.format;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parser for the headers that well-formed safetensors files actually have, so that loading
 * one does not first have to load and initialise Gson (some 200 classes, a large part of an
 * embedded model's start-up): a JSON object whose members are tensors,
 * {@code {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}} with exactly these keys and a
 * known dtype, and at most one {@code "__metadata__"} object of strings.
 *
 * <p>It accepts a strict subset of what the Gson path of {@link SafeTensorsHeader} accepts, and
 * reads it into the same values: strings of printable ASCII without escapes, integers spelled
 * {@code 0|[1-9][0-9]*} below 2^63, JSON whitespace, no duplicate key at any level. For anything
 * else (including every malformed or invalid header) it returns {@code null} and the header goes
 * through Gson, whose messages say precisely what is wrong.
 */
final class HeaderJson {
    /** A tensor entry as written in the header, before its offsets and size are checked. */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    /** The members of the header object in document order. */
    record Parsed(Map<String, String> metadata, List<Entry> tensors) {}

    private final byte[] b;
    private final int end;
    private int i;

    private HeaderJson(byte[] bytes, int offset, int length) {
        this.b = bytes;
        this.i = offset;
        this.end = offset + length;
    }

    /** The header, or {@code null} when it is not in the subset described above. */
    static Parsed parse(byte[] bytes, int offset, int length) {
        try {
            return new HeaderJson(bytes, offset, length).root();
        } catch (NotInSubset e) {
            return null;
        }
    }

    /** Thrown to leave the subset; carries no stack trace (cheap, and never seen by a caller). */
    private static final class NotInSubset extends Exception {
        private static final NotInSubset INSTANCE = new NotInSubset();

        private NotInSubset() {
            super(null, null, false, false);
        }
    }

    private static NotInSubset out() {
        return NotInSubset.INSTANCE;
    }

    private Parsed root() throws NotInSubset {
        Map<String, String> metadata = null;
        List<Entry> tensors = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        skipSpace();
        expect('{');
        skipSpace();
        if (peek() == '}') {
            i++;
        } else {
            while (true) {
                String key = string();
                if (!keys.add(key)) throw out();
                skipSpace();
                expect(':');
                skipSpace();
                if (key.equals(SafeTensorsHeader.METADATA_KEY)) {
                    metadata = metadata();
                } else {
                    tensors.add(tensor(key));
                }
                skipSpace();
                if (peek() == ',') {
                    i++;
                    skipSpace();
                } else {
                    expect('}');
                    break;
                }
            }
        }
        skipSpace();
        if (i != end) throw out();
        return new Parsed(metadata == null ? Map.of() : metadata, tensors);
    }

    private Map<String, String> metadata() throws NotInSubset {
        Map<String, String> metadata = new LinkedHashMap<>();
        expect('{');
        skipSpace();
        if (peek() == '}') {
            i++;
            return metadata;
        }
        while (true) {
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (metadata.put(key, string()) != null) throw out();
            skipSpace();
            if (peek() == ',') {
                i++;
                skipSpace();
            } else {
                expect('}');
                return metadata;
            }
        }
    }

    private Entry tensor(String name) throws NotInSubset {
        DType dtype = null;
        long[] shape = null, offsets = null;
        expect('{');
        skipSpace();
        for (int member = 0; member < 3; member++) {
            if (member > 0) {
                skipSpace();
                expect(',');
                skipSpace();
            }
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            switch (key) {
                case "dtype" -> {
                    if (dtype != null) throw out();
                    Optional<DType> t = DType.fromHeader(string());
                    if (t.isEmpty()) throw out();
                    dtype = t.get();
                }
                case "shape" -> {
                    if (shape != null) throw out();
                    shape = integers();
                }
                case "data_offsets" -> {
                    if (offsets != null) throw out();
                    offsets = integers();
                    if (offsets.length != 2) throw out();
                }
                default -> throw out();
            }
        }
        skipSpace();
        expect('}');
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** A list of integers {@code 0|[1-9][0-9]*} below 2^63. */
    private long[] integers() throws NotInSubset {
        expect('[');
        skipSpace();
        long[] values = new long[4];
        int n = 0;
        if (peek() == ']') {
            i++;
            return new long[0];
        }
        while (true) {
            if (n == values.length) values = java.util.Arrays.copyOf(values, 2 * n);
            values[n++] = integer();
            skipSpace();
            if (peek() == ',') {
                i++;
                skipSpace();
            } else {
                expect(']');
                return java.util.Arrays.copyOf(values, n);
            }
        }
    }

    private long integer() throws NotInSubset {
        int start = i;
        long value = 0;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            if (value > (Long.MAX_VALUE - 9) / 10) throw out(); // may not fit: let Gson's path decide
            value = value * 10 + (b[i++] - '0');
        }
        if (i == start || (b[start] == '0' && i - start > 1)) throw out();
        // a number goes on with '.', 'e', 'E' (or is followed by something that is not JSON): not ours
        if (i < end && (b[i] == '.' || b[i] == 'e' || b[i] == 'E' || b[i] == '-' || b[i] == '+')) throw out();
        return value;
    }

    /** A string of printable ASCII without escapes. */
    private String string() throws NotInSubset {
        expect('"');
        int start = i;
        while (i < end && b[i] != '"') {
            byte c = b[i];
            if (c < 0x20 || c > 0x7e || c == '\\') throw out();
            i++;
        }
        if (i == end) throw out();
        String s = new String(b, start, i - start, java.nio.charset.StandardCharsets.US_ASCII);
        i++;
        return s;
    }

    private void skipSpace() {
        while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) i++;
    }

    private int peek() throws NotInSubset {
        if (i == end) throw out();
        return b[i];
    }

    private void expect(char c) throws NotInSubset {
        if (peek() != c) throw out();
        i++;
    }
}
