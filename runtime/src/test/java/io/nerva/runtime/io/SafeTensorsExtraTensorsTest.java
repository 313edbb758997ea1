package io.nerva.runtime.io;

import static io.nerva.runtime.io.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.nerva.format.SafeTensorsHeader;
import io.nerva.format.TensorInfo;
import io.nerva.format.WeightFileException;
import io.nerva.runtime.core.Parameters;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors saved and loaded next to the parameters (a checkpoint's optimizer state). */
class SafeTensorsExtraTensorsTest {
    private static final LoadOptions NO_CHECKS = LoadOptions.defaults();
    private static final SafeTensors.MetadataCheck ANY = (metadata, source) -> {};

    @TempDir
    Path dir;

    private static MemorySegment segment(Arena arena, float... values) {
        MemorySegment s = arena.allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }

    private static float[] floats(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    private static Map<String, MemorySegment> extras(MemorySegment slot0, MemorySegment slot1) {
        Map<String, MemorySegment> m = new LinkedHashMap<>();
        m.put("optimizer.slot0", slot0);
        m.put("optimizer.slot1", slot1);
        return m;
    }

    @Test
    void extraTensorsRoundTripBitForBitAfterTheParameters() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        try (Parameters saved = denseModel();
                Parameters loaded = denseModel();
                Arena arena = Arena.ofConfined()) {
            float[] values = fillRandom(saved, 1);
            int n = (int) saved.count();
            float[] a = range(n, 100), b = range(n, -7);
            b[3] = Float.intBitsToFloat(0x7fc0_0042);
            SafeTensors.save(saved, extras(segment(arena, a), segment(arena, b)), file, Map.of("k", "v"));

            SafeTensorsHeader header = SafeTensors.readHeader(file);
            assertEquals(
                    List.of(
                            "hidden.kernel",
                            "hidden.bias",
                            "out.kernel",
                            "out.bias",
                            "optimizer.slot0",
                            "optimizer.slot1"),
                    header.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(
                    new long[] {n},
                    header.tensor("optimizer.slot1").orElseThrow().shape());

            MemorySegment into0 = arena.allocate((long) n * 4), into1 = arena.allocate((long) n * 4);
            Map<String, String> seen = new LinkedHashMap<>();
            Map<String, String> metadata =
                    SafeTensors.load(loaded, extras(into0, into1), file, NO_CHECKS, (m, source) -> seen.putAll(m));
            assertEquals(Map.of("k", "v"), metadata);
            assertEquals(Map.of("k", "v"), seen);
            assertBitsEqual(values, loaded.toArray());
            assertBitsEqual(a, floats(into0));
            assertBitsEqual(b, floats(into1));
        }
    }

    @Test
    void plainLoadRefusesTheExtraTensorsUnlessAllowed() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        try (Parameters saved = denseModel();
                Parameters loaded = denseModel();
                Arena arena = Arena.ofConfined()) {
            float[] values = fillRandom(saved, 2);
            int n = (int) saved.count();
            SafeTensors.save(saved, extras(segment(arena, new float[n]), segment(arena, new float[n])), file, Map.of());
            WeightFileException e =
                    assertThrows(WeightFileException.class, () -> SafeTensors.load(loaded, file, NO_CHECKS));
            assertTrue(
                    e.getMessage().contains("unexpected tensors 'optimizer.slot0', 'optimizer.slot1' not in the model"),
                    e.getMessage());
            SafeTensors.load(loaded, file, NO_CHECKS.withAllowExtra());
            assertBitsEqual(values, loaded.toArray());
        }
    }

    @Test
    void missingOrMisshapenExtraTensorsAndAFailedCheckLeaveEverythingUntouched() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        try (Parameters saved = denseModel();
                Parameters loaded = denseModel();
                Arena arena = Arena.ofConfined()) {
            fillRandom(saved, 3);
            float[] before = fillRandom(loaded, 4);
            int n = (int) saved.count();
            SafeTensors.save(saved, Map.of("optimizer.slot0", segment(arena, range(n, 1))), file, Map.of("slots", "1"));
            float[] marker = range(n, 42);
            MemorySegment slot0 = segment(arena, marker), slot1 = segment(arena, marker);

            WeightFileException missing = assertThrows(
                    WeightFileException.class,
                    () -> SafeTensors.load(loaded, extras(slot0, slot1), file, NO_CHECKS, ANY));
            assertEquals(
                    file + ": missing tensor 'optimizer.slot1'; the file has [hidden.kernel, hidden.bias, out.kernel,"
                            + " out.bias, optimizer.slot0]",
                    missing.getMessage());
            assertEquals("optimizer.slot1", missing.tensor());

            MemorySegment tooLong = segment(arena, range(n + 1, 0));
            WeightFileException shape = assertThrows(
                    WeightFileException.class,
                    () -> SafeTensors.load(loaded, Map.of("optimizer.slot0", tooLong), file, NO_CHECKS, ANY));
            assertEquals(
                    file + ": tensor 'optimizer.slot0': expected shape [" + (n + 1) + "], found [" + n + "]",
                    shape.getMessage());

            WeightFileException refused = assertThrows(
                    WeightFileException.class,
                    () -> SafeTensors.load(loaded, Map.of("optimizer.slot0", slot0), file, NO_CHECKS, (m, source) -> {
                        throw new WeightFileException(source, null, "slots " + m.get("slots") + " refused");
                    }));
            assertEquals(file + ": slots 1 refused", refused.getMessage());

            // Truncated: the header is fine but the data of the extra tensor is cut short.
            byte[] bytes = Files.readAllBytes(file);
            Path truncated = dir.resolve("truncated.safetensors");
            Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 4));
            assertThrows(
                    WeightFileException.class,
                    () -> SafeTensors.load(loaded, Map.of("optimizer.slot0", slot0), truncated, NO_CHECKS, ANY));

            assertBitsEqual(before, loaded.toArray());
            assertBitsEqual(marker, floats(slot0));
            assertBitsEqual(marker, floats(slot1));
        }
    }

    @Test
    void anExtraTensorCannotShadowAParameter() throws Exception {
        try (Parameters params = denseModel();
                Arena arena = Arena.ofConfined()) {
            Path file = dir.resolve("clash.safetensors");
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> SafeTensors.save(params, Map.of("out.bias", segment(arena, 1, 2)), file, Map.of()));
            assertEquals("tensor name 'out.bias' is reserved or used twice", e.getMessage());
            assertFalse(Files.exists(file));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> SafeTensors.save(params, Map.of("odd", arena.allocate(6)), file, Map.of()));
        }
    }
}
