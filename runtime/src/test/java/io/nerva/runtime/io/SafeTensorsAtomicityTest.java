package io.nerva.runtime.io;

import static io.nerva.runtime.io.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.nerva.runtime.core.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A save that fails leaves the previous file as it was and no temporary file behind. */
class SafeTensorsAtomicityTest {
    @TempDir
    Path dir;

    @Test
    void failureHalfWayThroughTheDataLeavesThePreviousFile() throws Exception {
        Path file = dir.resolve("demo.safetensors");
        try (Parameters first = mixedModel();
                Parameters second = mixedModel()) {
            fillRandom(first, 1);
            SafeTensors.save(first, file, Map.of("version", "first"));
            byte[] previous = Files.readAllBytes(file);
            fillRandom(second, 2);

            List<Path> tempFilesSeen = new ArrayList<>();
            int[] calls = {0};
            IOException e = assertThrows(
                    IOException.class,
                    () -> SafeTensors.save(second, file, Map.of("version", "second"), bytesSoFar -> {
                        // Called after the header, then after each of the 4 tensors: fail after two of them.
                        if (++calls[0] == 3) {
                            try (Stream<Path> files = Files.list(dir)) {
                                files.filter(p -> !p.equals(file)).forEach(tempFilesSeen::add);
                            }
                            assertEquals(1, tempFilesSeen.size());
                            assertEquals(bytesSoFar, Files.size(tempFilesSeen.getFirst()), "half the file is written");
                            throw new IOException("disk full (simulated)");
                        }
                    }));
            // names the user's file, never the temp file (issue 16)
            assertEquals("could not save weights to " + file + ": disk full (simulated)", e.getMessage());
            assertTrue(
                    tempFilesSeen.getFirst().getFileName().toString().startsWith(".demo.safetensors."),
                    "temp file is hidden and next to the target: " + tempFilesSeen);

            assertArrayEquals(previous, Files.readAllBytes(file));
            assertOnlyFilesAre(file);
        }
    }

    @Test
    void uncheckedFailureAlsoRemovesTheTemporaryFile() throws Exception {
        Path file = dir.resolve("demo.safetensors");
        try (Parameters params = denseModel()) {
            SafeTensors.save(params, file, Map.of());
            byte[] previous = Files.readAllBytes(file);
            fillRandom(params, 3);
            assertThrows(
                    IllegalStateException.class,
                    () -> SafeTensors.save(params, file, Map.of(), bytesSoFar -> {
                        throw new IllegalStateException("bug (simulated)");
                    }));
            assertArrayEquals(previous, Files.readAllBytes(file));
            assertOnlyFilesAre(file);
        }
    }

    @Test
    void failedRenameRemovesTheTemporaryFile() throws Exception {
        // A non-empty directory where the file should go: everything is written, then the rename fails.
        Path occupied = dir.resolve("demo.safetensors");
        Files.createDirectory(occupied);
        Files.writeString(occupied.resolve("keep.txt"), "keep");
        try (Parameters params = denseModel()) {
            assertThrows(IOException.class, () -> SafeTensors.save(params, occupied, Map.of()));
        }
        assertOnlyFilesAre(occupied);
        assertEquals("keep", Files.readString(occupied.resolve("keep.txt")));
    }

    @Test
    void missingDirectoryFailsWithoutCreatingAnything() {
        try (Parameters params = denseModel()) {
            Path file = dir.resolve("absent").resolve("demo.safetensors");
            var e = assertThrows(NoSuchFileException.class, () -> SafeTensors.save(params, file, Map.of()));
            assertEquals(file + ": no such directory " + file.getParent(), e.getMessage());
        }
        assertOnlyFilesAre();
    }

    private void assertOnlyFilesAre(Path... expected) {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(expected), files.sorted().toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
