package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.format.WeightFileException;
import io.nerva.runtime.io.LoadOptions;
import io.nerva.runtime.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 7: a file without Nerva's fingerprint says what is missing and how to load a
 * foreign file; tensor problems are reported first; stale temp files of killed saves are removed.
 */
class WeightFileMessagesTest {
    @TempDir
    Path dir;

    @Test
    void aForeignFileSaysWhatIsMissingAndHowToLoadIt() throws Exception {
        Path foreign = dir.resolve("foreign.safetensors");
        try (LinearModel source = new LinearModel(2, 3, ActivationType.SOFTMAX, 1);
                LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 2)) {
            SafeTensors.save(source.parameters(), foreign, Map.of()); // no nerva.* metadata, as another tool writes
            var e = assertThrows(WeightFileException.class, () -> model.load(foreign));
            assertEquals(
                    foreign + ": architecture fingerprint is not recorded, expected 'linear-2x3' (nerva.fingerprint): "
                            + "the file was not written by Nerva's Model.save (which records it), so it cannot be checked against "
                            + "this network's architecture. Its tensor names and shapes match the model's; to load such a foreign "
                            + "file use model.load(path, LoadOptions.defaults()), with .withPytorchLayout() for a PyTorch state dict",
                    e.getMessage());
            model.load(foreign, LoadOptions.defaults());
            assertArrayEquals(source.parameters().toArray(), model.parameters().toArray());
        }
    }

    @Test
    void tensorProblemsComeFirst() throws Exception {
        Path foreign = dir.resolve("other.safetensors");
        try (LinearModel source = new LinearModel(2, 4, ActivationType.SOFTMAX, 1);
                LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 2)) {
            SafeTensors.save(source.parameters(), foreign, Map.of());
            var e = assertThrows(WeightFileException.class, () -> model.load(foreign));
            assertEquals(
                    foreign + ": tensor 'dense.kernel': expected shape [2, 3], found [2, 4]; also, the architecture "
                            + "fingerprint is not recorded, expected 'linear-2x3' (nerva.fingerprint) (the file was not written by "
                            + "Nerva's Model.save)",
                    e.getMessage());
            assertEquals("dense.kernel", e.tensor());
        }
    }

    @Test
    void aSaveRemovesTheStaleTempFilesOfKilledSavesButNotFreshOnes() throws Exception {
        Path file = dir.resolve("w.safetensors");
        Path stale = dir.resolve(".w.safetensors.0123456789abcdef.tmp");
        Path fresh = dir.resolve(".w.safetensors.fedcba9876543210.tmp");
        Path other = dir.resolve(".x.safetensors.0123456789abcdef.tmp");
        for (Path p : new Path[] {stale, fresh, other}) Files.writeString(p, "half a save");
        FileTime hourAgo = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(stale, hourAgo);
        Files.setLastModifiedTime(other, hourAgo);
        try (LinearModel model = new LinearModel(2, 3, ActivationType.SOFTMAX, 1)) {
            model.save(file);
        }
        assertFalse(Files.exists(stale), "a killed save's temp file, an hour old");
        assertTrue(Files.exists(fresh), "may belong to a save running now");
        assertTrue(Files.exists(other), "another file's");
        assertTrue(Files.exists(file));
    }
}
