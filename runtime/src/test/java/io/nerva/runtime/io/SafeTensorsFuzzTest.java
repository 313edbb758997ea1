package io.nerva.runtime.io;

import static io.nerva.runtime.io.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.nerva.format.SafeTensorsHeader;
import io.nerva.format.WeightFileException;
import io.nerva.runtime.core.Parameters;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random damage to a valid file. Whatever happens, the loader throws nothing but
 * {@link WeightFileException} and never leaves a model half-loaded.
 */
class SafeTensorsFuzzTest {
    static final long SEED = 0x5EED_F11EL;

    @TempDir
    Path dir;

    private byte[] valid;
    private float[] saved;
    private long dataStart;

    private void writeValidFile() throws Exception {
        Path file = dir.resolve("valid.safetensors");
        try (Parameters params = mixedModel()) {
            saved = fillRandom(params, 11);
            SafeTensors.save(params, file, Map.of(SafeTensors.CLASS_KEY, "Demo", SafeTensors.FORMAT_KEY, "1"));
        }
        valid = Files.readAllBytes(file);
        dataStart =
                8 + ByteBuffer.wrap(valid, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void singleByteFlipsAreRejectedOrLoadExactlyWhatTheBytesSay() throws Exception {
        writeValidFile();
        Random random = new Random(SEED);
        int loadedFromDamagedHeader = 0;
        int rejected = 0;
        // Half the flips in the length field and header, half in the data, so both are well covered.
        for (int i = 0; i < 400; i++) {
            int position = i % 2 == 0
                    ? random.nextInt((int) dataStart)
                    : (int) dataStart + random.nextInt(valid.length - (int) dataStart);
            int mask = 1 + random.nextInt(255);
            byte[] damaged = valid.clone();
            damaged[position] ^= (byte) mask;
            String what =
                    "flip #" + i + ": byte " + position + " ^ 0x" + Integer.toHexString(mask) + " (seed " + SEED + ")";

            float[] expectedIfLoaded = saved.clone();
            if (position >= dataStart) {
                int element = (int) (position - dataStart) / 4;
                int shift = 8 * (int) ((position - dataStart) % 4); // little-endian: byte k holds bits 8k..8k+7
                expectedIfLoaded[element] =
                        Float.intBitsToFloat(Float.floatToRawIntBits(saved[element]) ^ (mask << shift));
            }
            if (load(damaged, expectedIfLoaded, what)) {
                if (position < dataStart) loadedFromDamagedHeader++;
            } else {
                rejected++;
                assertTrue(position < dataStart, () -> what + ": a flip in the data section must still load");
            }
        }
        // Sanity: the fuzzing did reach both outcomes (e.g. flips in metadata or padding load fine).
        assertTrue(rejected > 100, "rejected " + rejected);
        assertTrue(loadedFromDamagedHeader > 0, "header flips that still load: " + loadedFromDamagedHeader);
    }

    @Test
    void everyTruncationIsRejected() throws Exception {
        writeValidFile();
        Random random = new Random(SEED + 1);
        for (int i = 0; i < 200; i++) {
            int length = i < 10 ? i : random.nextInt(valid.length);
            byte[] truncated = Arrays.copyOf(valid, length);
            String what = "truncation #" + i + " to " + length + " of " + valid.length + " bytes (seed " + SEED + ")";
            assertFalse(load(truncated, saved, what), () -> what + " was accepted");
        }
    }

    /**
     * Loads {@code bytes} into a model of other values through every entry point.
     *
     * @return whether it loaded (then with exactly {@code expectedIfLoaded}); false if rejected (model untouched)
     */
    private boolean load(byte[] bytes, float[] expectedIfLoaded, String what) throws Exception {
        Path file = dir.resolve("damaged.safetensors");
        Files.write(file, bytes);
        boolean loaded;
        try (Parameters params = mixedModel()) {
            float[] before = fillRandom(params, 12);
            try {
                SafeTensors.load(params, file, LoadOptions.defaults());
                loaded = true;
            } catch (WeightFileException e) {
                loaded = false;
            } catch (Throwable t) {
                throw new AssertionError(what + ": threw " + t, t);
            }
            assertBitsEqual(loaded ? expectedIfLoaded : before, params.toArray());
        }
        // The same bytes held in memory (an embedded resource): the same outcome, the same message.
        String fromFile = outcome(bytes, file, true), fromMemory = outcome(bytes, file, false);
        assertEquals(fromFile, fromMemory, what + ": from a file and from memory");
        for (var parser : new HeaderParser[] {
            () -> SafeTensorsHeader.parse(bytes, "bytes"),
            () -> SafeTensorsHeader.read(file),
            () -> SafeTensorsHeader.read(new ByteArrayInputStream(bytes), "stream")
        }) {
            try {
                parser.parse();
            } catch (WeightFileException expected) {
                // fine
            } catch (Throwable t) {
                throw new AssertionError(what + ": header parser threw " + t, t);
            }
        }
        return loaded;
    }

    /** "loaded <values>" or "rejected: <message>", loading {@code bytes} from {@code file} or from memory. */
    private static String outcome(byte[] bytes, Path file, boolean fromFile) throws Exception {
        try (Parameters params = mixedModel()) {
            fillRandom(params, 12);
            try {
                if (fromFile) {
                    SafeTensors.load(params, file, "resource 'w'", LoadOptions.defaults());
                } else {
                    SafeTensors.load(params, bytes, "resource 'w'", LoadOptions.defaults());
                }
            } catch (WeightFileException e) {
                return "rejected: " + e.getMessage() + " (tensor " + e.tensor() + ")";
            }
            return "loaded " + Arrays.toString(params.toArray());
        }
    }

    @FunctionalInterface
    private interface HeaderParser {
        SafeTensorsHeader parse() throws Exception;
    }
}
