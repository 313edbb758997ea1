package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.format.SafeTensorsHeader;
import io.nerva.format.TensorInfo;
import io.nerva.format.WeightFileException;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.io.LoadOptions;
import io.nerva.runtime.io.SafeTensors;
import io.nerva.runtime.optim.Optimizer;
import io.nerva.runtime.optim.Optimizers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    private static final Dataset DATA = TestData.blobs(40, 1, true); // 120 samples: 90 to train, 30 to validate

    /** Adam, shuffling, validation, metrics, batches that leave a partial one (90 = 5·16 + 10). */
    private static Fit fit(int epochs) {
        return Fit.epochs(epochs)
                .verbose(false)
                .batch(16)
                .optimizer(Optimizers.adam(0.05))
                .loss(TestLosses.CCE)
                .metricFactories(TestAccuracy::new)
                .validationSplit(0.25)
                .seed(7);
    }

    /** The test model with input dropout, so the dropout generator matters too. */
    private static LinearModel model(long initSeed) {
        LinearModel m = new LinearModel(2, 3, ActivationType.SOFTMAX, initSeed);
        m.inputDropout = 0.2f;
        return m;
    }

    /** Epochs {@code [from, to)} of a history. */
    private static History slice(History h, int from, int to) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (String name : h.names()) m.put(name, Arrays.copyOfRange(h.get(name), from, to));
        return new History(m);
    }

    private record Run(History history, float[] weights) {}

    private Run straight(int epochs) {
        try (LinearModel m = model(3)) {
            History h = Trainer.fit(m, DATA, fit(epochs));
            return new Run(h, m.parameters().toArray());
        }
    }

    /** A fresh model, initialised differently, resumed from {@code checkpoint} up to 4 epochs. */
    private Run resumed(Path checkpoint) {
        try (LinearModel m = model(99)) {
            History h = Trainer.fit(m, DATA, fit(4).resumeFrom(checkpoint));
            return new Run(h, m.parameters().toArray());
        }
    }

    private Path twoEpochCheckpoint() {
        Path file = dir.resolve("run.ckpt.safetensors");
        try (LinearModel m = model(3)) {
            Trainer.fit(m, DATA, fit(2).checkpoint(file));
        }
        return file;
    }

    @Test
    void resumingAFreshModelFromACheckpointGivesTheStraightRunBitForBit() throws Exception {
        Run four = straight(4);
        Path file = twoEpochCheckpoint();
        Run resumed = resumed(file);

        assertArrayEquals(four.weights(), resumed.weights()); // float[] equality is bitwise
        assertEquals(
                List.of("loss", "accuracy", "val_loss", "val_accuracy"),
                resumed.history().names());
        assertEquals(2, resumed.history().epochs());
        assertEquals(slice(four.history(), 2, 4), resumed.history());

        Checkpoint.Info info = Checkpoint.read(file);
        assertEquals(2, info.epoch());
        assertEquals(2, info.epochs());
        assertEquals(2 * 6, info.step()); // 90 samples in batches of 16: 6 steps per epoch
        assertEquals(2, info.optimizerSlots());
        assertEquals(9, info.parameters());
        assertEquals("Linear2x3", info.modelClass());
        assertEquals("linear-2x3", info.fingerprint());
        assertEquals(Optimizers.adam(0.05).getClass().getName(), info.optimizerClass());
        assertEquals(
                List.of("dense.kernel", "dense.bias", "optimizer.slot0", "optimizer.slot1"),
                SafeTensors.readHeader(file).tensors().stream()
                        .map(TensorInfo::name)
                        .toList());
    }

    @Test
    void everyPieceOfTheSavedStateMatters() throws Exception {
        Run four = straight(4);
        Path file = twoEpochCheckpoint();
        assertArrayEquals(four.weights(), resumed(file).weights());
        // Changing any one piece of the checkpoint changes the outcome: each is really restored.
        for (String key : List.of(Checkpoint.SHUFFLE_RNG_KEY, Checkpoint.DROPOUT_RNG_KEY, Checkpoint.STEP_KEY)) {
            Path tampered = dir.resolve("tampered.safetensors");
            Files.copy(file, tampered, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            String value = Checkpoint.read(file).metadata().get(key);
            rewriteHeader(
                    tampered,
                    json -> json.replace(
                            "\"" + key + "\":\"" + value + "\"",
                            "\"" + key + "\":\"" + (Long.parseLong(value) + 1) + "\""));
            assertEquals(
                    Long.parseLong(value) + 1,
                    Long.parseLong(Checkpoint.read(tampered).metadata().get(key)));
            assertFalse(Arrays.equals(four.weights(), resumed(tampered).weights()), key);
        }
        Path zeroed = dir.resolve("zeroed.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        Arrays.fill(bytes, bytes.length - 2 * 9 * 4, bytes.length, (byte) 0); // both Adam slots
        Files.write(zeroed, bytes);
        assertFalse(Arrays.equals(four.weights(), resumed(zeroed).weights()), "optimizer state");
    }

    @Test
    void theCheckpointAfterEveryEpochHoldsThatEpochsWeights() throws Exception {
        Path file = dir.resolve("every.safetensors");
        List<float[]> afterEpoch = new java.util.ArrayList<>();
        List<Long> rngStates = new java.util.ArrayList<>();
        try (LinearModel m = model(3)) {
            Trainer.fit(m, DATA, fit(3).checkpoint(file).callback((epoch, logs, control) -> {
                afterEpoch.add(control.model().parameters().toArray());
                rngStates.add(control.dropoutRngState());
            }));
        }
        Checkpoint.Info info = Checkpoint.read(file);
        assertEquals(3, info.epoch());
        assertEquals(rngStates.getLast(), info.dropoutRngState());
        try (LinearModel loaded = model(5)) {
            // Model.load reads just the weights, skipping the optimizer state.
            loaded.load(
                    file,
                    LoadOptions.defaults()
                            .expectFingerprint(loaded.fingerprint())
                            .withAllowExtra());
            assertArrayEquals(afterEpoch.getLast(), loaded.parameters().toArray());
            WeightFileException e = assertThrows(WeightFileException.class, () -> loaded.load(file));
            assertTrue(
                    e.getMessage().contains("unexpected tensors 'optimizer.slot0', 'optimizer.slot1'"), e.getMessage());
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void resumingAFinishedRunTrainsNothing() {
        Path file = twoEpochCheckpoint();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (LinearModel m = model(99)) {
            History h = Trainer.fit(
                    m,
                    DATA,
                    fit(2).resumeFrom(file).verbose(true).log(new PrintStream(out, true, StandardCharsets.UTF_8)));
            assertEquals(0, h.epochs());
        }
        assertEquals(
                "Resuming from " + file + " after epoch 2/2 (step 12): no epoch left to train",
                out.toString(StandardCharsets.UTF_8).strip());
    }

    // ---------------------------------------------------------------- refused checkpoints

    /** Resuming {@code model} from {@code file} fails with a WeightFileException, and the model is unchanged. */
    private static WeightFileException refused(LinearModel model, Path file, Optimizer optimizer) {
        float[] before = model.parameters().toArray();
        UncheckedIOException e = assertThrows(
                UncheckedIOException.class,
                () -> Trainer.fit(model, DATA, fit(4).optimizer(optimizer).resumeFrom(file)));
        WeightFileException cause = assertInstanceOf(WeightFileException.class, e.getCause());
        assertEquals(cause.getMessage(), e.getMessage());
        assertArrayEquals(before, model.parameters().toArray(), "the model must be untouched");
        return cause;
    }

    @Test
    void aCheckpointOfAnotherArchitectureIsRefused() {
        Path file = twoEpochCheckpoint();
        try (LinearModel other = new LinearModel(2, 4, ActivationType.SOFTMAX, 1)) {
            float[] before = other.parameters().toArray();
            UncheckedIOException e = assertThrows(
                    UncheckedIOException.class,
                    () -> Trainer.fit(
                            other,
                            TestData.blobs(5, 1, false),
                            fit(4).loss(TestLosses.SPARSE_CCE).resumeFrom(file)));
            // the precise problem first (issue 16), the fingerprint's verdict after it
            assertEquals(
                    file
                            + ": checkpoint holds 9 parameters (nerva.checkpoint.parameters), model 'Linear2x4' has 12; also, the architecture "
                            + "fingerprint is 'linear-2x3', expected 'linear-2x4' (nerva.fingerprint): the network's layers changed "
                            + "since these weights were saved",
                    e.getMessage());
            assertArrayEquals(before, other.parameters().toArray());
        }
    }

    @Test
    void aCheckpointOfAnotherOptimizerIsRefused() {
        Path file = twoEpochCheckpoint();
        try (LinearModel m = model(99)) {
            Optimizer momentum = Optimizers.sgd(0.1, 0.9, false);
            WeightFileException e = refused(m, file, momentum);
            assertTrue(
                    e.getMessage().startsWith(file + ": checkpoint holds the state of optimizer Adam["),
                    e.getMessage());
            assertTrue(
                    e.getMessage().contains("this fit uses " + momentum + " (io.nerva.runtime.optim.Optimizers$Sgd)"),
                    e.getMessage());
        }
        // Same optimizer type, another number of state slots (SGD with momentum has one, plain SGD none).
        Path sgd = dir.resolve("sgd.safetensors");
        try (LinearModel m = model(3)) {
            Trainer.fit(
                    m, DATA, fit(1).optimizer(Optimizers.sgd(0.1, 0.9, false)).checkpoint(sgd));
        }
        try (LinearModel m = model(99)) {
            Optimizer plain = Optimizers.sgd(0.1);
            assertEquals(
                    sgd
                            + ": checkpoint holds 1 optimizer state slot(s) per parameter (nerva.checkpoint.optimizer.slots),"
                            + " this fit's " + plain + " needs 0",
                    refused(m, sgd, plain).getMessage());
        }
    }

    @Test
    void plainWeightsTruncatedFilesAndBadMetadataAreRefused() throws Exception {
        Path file = twoEpochCheckpoint();
        try (LinearModel m = model(99)) {
            Optimizer adam = Optimizers.adam(0.05);
            Path weights = dir.resolve("weights.safetensors");
            m.save(weights);
            assertEquals(
                    weights + ": not a training checkpoint (no nerva.checkpoint metadata); weights saved with"
                            + " Model.save are loaded with Model.load",
                    refused(m, weights, adam).getMessage());

            Path truncated = dir.resolve("truncated.safetensors");
            byte[] bytes = Files.readAllBytes(file);
            Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 1));
            String message = refused(m, truncated, adam).getMessage();
            assertTrue(
                    message.startsWith(truncated + ": tensor 'optimizer.slot1': data_offsets [72, 108] reach beyond"
                            + " the data section of 107 bytes"),
                    message);

            Path badStep = dir.resolve("bad-step.safetensors");
            Files.copy(file, badStep);
            rewriteHeader(
                    badStep,
                    json -> json.replace("\"nerva.checkpoint.step\":\"12\"", "\"nerva.checkpoint.step\":\"-3\""));
            assertEquals(
                    badStep + ": nerva.checkpoint.step is '-3', expected an integer in [0, " + Long.MAX_VALUE + "]",
                    refused(m, badStep, adam).getMessage());

            Path badCount = dir.resolve("bad-count.safetensors");
            Files.copy(file, badCount);
            rewriteHeader(
                    badCount,
                    json -> json.replace(
                            "\"nerva.checkpoint.parameters\":\"9\"", "\"nerva.checkpoint.parameters\":\"10\""));
            assertEquals(
                    badCount
                            + ": checkpoint holds 10 parameters (nerva.checkpoint.parameters), model 'Linear2x3' has 9",
                    refused(m, badCount, adam).getMessage());

            Path noSlot = dir.resolve("no-slot.safetensors");
            Files.copy(file, noSlot);
            rewriteHeader(noSlot, json -> json.replace("optimizer.slot1", "optimizer.slotX"));
            assertTrue(refused(m, noSlot, adam).getMessage().startsWith(noSlot + ": missing tensor 'optimizer.slot1'"));

            assertThrows(
                    UncheckedIOException.class,
                    () -> Trainer.fit(m, DATA, fit(4).resumeFrom(dir.resolve("absent.safetensors"))));
        }
    }

    /** Rewrites the JSON header of a safetensors file, keeping its data section. */
    static void rewriteHeader(Path file, UnaryOperator<String> edit) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        int length = (int)
                ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String json = edit.apply(new String(bytes, 8, length, StandardCharsets.UTF_8).strip());
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length)
                .array());
        out.writeBytes(header);
        out.write(bytes, 8 + length, bytes.length - 8 - length);
        Files.write(file, out.toByteArray());
        SafeTensorsHeader.parse(Files.readAllBytes(file), file.toString()); // still a valid file
    }
}
