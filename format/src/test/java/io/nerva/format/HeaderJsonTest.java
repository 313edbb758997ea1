package io.nerva.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The plain header parser reads exactly what the Gson path reads, and leaves everything it does
 * not handle to that path, so that every header gets the same result or the same message either way.
 */
class HeaderJsonTest {
    private static final String T0 = "\"a.kernel\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";
    private static final String T1 = "\"a.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]}";
    private static final String META = "\"__metadata__\":{\"nerva.class\":\"Net\",\"format\":\"pt\"}";

    /** A file: length field, header JSON, {@code data} zero bytes. */
    private static byte[] file(String json, int data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    /** The header read both ways, or the message both ways throw; asserts they agree. */
    private static Object both(byte[] file) {
        Object plain, gson;
        try {
            plain = SafeTensorsHeader.parse(file, "f", true);
        } catch (WeightFileException e) {
            plain = "error: " + e.getMessage() + " tensor=" + e.tensor();
        }
        try {
            gson = SafeTensorsHeader.parse(file, "f", false);
        } catch (WeightFileException e) {
            gson = "error: " + e.getMessage() + " tensor=" + e.tensor();
        }
        assertEquals(gson, plain, new String(file, 8, file.length - 8, StandardCharsets.ISO_8859_1));
        return plain;
    }

    private static boolean plainReads(String json) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return HeaderJson.parse(h, 0, h.length) != null;
    }

    @Test
    void usualHeadersAreReadWithoutGsonAndAsGsonReadsThem() {
        String[] headers = {
            "{" + T0 + "," + T1 + "}",
            "{" + META + "," + T0 + "," + T1 + "}      ",
            "{" + T1 + "," + META + "," + T0 + "}",
            " {\n\t\"" + "x\" : { \"shape\" : [ ] , \"data_offsets\" : [ 0 , 4 ] , \"dtype\" : \"I32\" } }\r\n",
            "{}",
            "{\"__metadata__\":{}}",
            "{\"e\":{\"dtype\":\"F64\",\"shape\":[0,5],\"data_offsets\":[0,0]}}",
        };
        int[] data = {36, 36, 36, 4, 0, 0, 0};
        for (int i = 0; i < headers.length; i++) {
            assertNotNull(
                    HeaderJson.parse(headers[i].getBytes(StandardCharsets.UTF_8), 0, headers[i].length()), headers[i]);
            Object read = both(file(headers[i], data[i]));
            assertEquals(SafeTensorsHeader.class, read.getClass(), headers[i] + " -> " + read);
        }
        SafeTensorsHeader h = (SafeTensorsHeader) both(file("{" + T1 + "," + META + "," + T0 + "}", 36));
        assertEquals(
                List.of("a.kernel", "a.bias"),
                h.tensors().stream().map(TensorInfo::name).toList());
        assertEquals(
                List.of("nerva.class", "format"), new ArrayList<>(h.metadata().keySet()));
    }

    @Test
    void everythingUnusualIsLeftToGsonAndEndsTheSame() {
        String[] headers = {
            "{" + T0 + "," + T1 + ",}", // trailing comma
            "{" + T0 + "," + T0 + "}", // duplicate tensor
            "{" + META + "," + META + "," + T0 + "}",
            "{\"x\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            "{\"x\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[0,4]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[9223372036854775807],\"data_offsets\":[0,4]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}",
            "{\"\\u0078\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", // escaped name
            "{\"\u00e9t\u00e9\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", // UTF-8 name
            "{\"__metadata__\":{\"k\":1}," + T0 + "}",
            "{\"__metadata__\":[]}",
            "{" + T0 + "} x",
            "{" + T0 + "}}",
            "[]",
            "{/*c*/}",
            "{'x':{}}",
            "{\"x\":null}",
        };
        for (String h : headers) both(file(h, 4));
        assertNull(HeaderJson.parse(new byte[] {'{', '"', 'x', '"', ':', '{', '}', '}'}, 0, 8));
        assertEquals(false, plainReads(headers[0]));
        assertEquals(false, plainReads(headers[17]));
        // well-formed JSON whose offsets do not fit: read by the plain parser, refused by the common checks
        assertEquals(true, plainReads(headers[14]));
        assertEquals(true, plainReads(headers[15]));
    }

    @Test
    void randomByteChangesOfAUsualHeaderEndTheSameBothWays() {
        byte[] valid = file("{" + META + ", " + T0 + ",\n" + T1 + "}  ", 36);
        Random random = new Random(42);
        byte[] alphabet = "{}[]\",: 0123456789.-eE\\xFI\t\n\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int n = 0; n < 20_000; n++) {
            byte[] f = valid.clone();
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes; c++) {
                int at = 8 + random.nextInt(f.length - 8 - 36);
                f[at] = alphabet[random.nextInt(alphabet.length)];
            }
            both(f);
        }
    }
}
