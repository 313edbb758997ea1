package io.nerva.runtime.train;

import io.nerva.format.SafeTensorsHeader;
import io.nerva.format.WeightFileException;
import io.nerva.runtime.core.Network;
import io.nerva.runtime.core.Parameters;
import io.nerva.runtime.io.LoadOptions;
import io.nerva.runtime.io.SafeTensors;
import io.nerva.runtime.optim.Optimizer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training checkpoints ({@link Fit#checkpoint}, {@link Fit#resumeFrom}): a safetensors file
 * holding
 * <ul>
 *   <li>the parameters, as {@code Model.save} writes them (so {@code model.load(file,
 *       LoadOptions.defaults().withAllowExtra())} reads just the weights from a checkpoint);</li>
 *   <li>the optimizer state, slot {@code s} as the F32 tensor {@code optimizer.slot<s>} of shape
 *       {@code [parameter count]};</li>
 *   <li>in the metadata, besides {@code nerva.class}, {@code nerva.fingerprint} and
 *       {@code nerva.format}: {@code nerva.checkpoint} (this layout's version, "1"),
 *       {@code nerva.checkpoint.epoch} (epochs completed), {@code .epochs} (asked for),
 *       {@code .step} (optimizer steps taken), {@code .rng.shuffle} and {@code .rng.dropout}
 *       (the states of the sample-order and dropout generators, as signed decimal longs),
 *       {@code .optimizer} (a description), {@code .optimizer.class}, {@code .optimizer.slots},
 *       {@code .parameters}, {@code .batch}, {@code .samples}, and the state of
 *       {@link Fit#saveBest} / {@link Fit#earlyStopping} under {@code .saveBest.*} and
 *       {@code .earlyStopping.*}.</li>
 * </ul>
 * It is written atomically, like {@code Model.save}.
 */
public final class Checkpoint {
    /** The version of this layout; present in every checkpoint. */
    public static final String KEY = "nerva.checkpoint";

    public static final String VERSION = "1";
    public static final String EPOCH_KEY = KEY + ".epoch";
    public static final String EPOCHS_KEY = KEY + ".epochs";
    public static final String STEP_KEY = KEY + ".step";
    public static final String SHUFFLE_RNG_KEY = KEY + ".rng.shuffle";
    public static final String DROPOUT_RNG_KEY = KEY + ".rng.dropout";
    public static final String OPTIMIZER_KEY = KEY + ".optimizer";
    public static final String OPTIMIZER_CLASS_KEY = KEY + ".optimizer.class";
    public static final String OPTIMIZER_SLOTS_KEY = KEY + ".optimizer.slots";
    public static final String PARAMETERS_KEY = KEY + ".parameters";
    public static final String BATCH_KEY = KEY + ".batch";
    public static final String SAMPLES_KEY = KEY + ".samples";
    static final String SAVE_BEST_PREFIX = KEY + ".saveBest.";
    static final String EARLY_STOPPING_PREFIX = KEY + ".earlyStopping.";
    /** Name of the tensor holding optimizer state slot {@code s}. */
    public static String slotTensor(int s) {
        return "optimizer.slot" + s;
    }

    private Checkpoint() {}

    /**
     * What a checkpoint file says about its run, read from the header alone (to decide whether
     * to resume, or to report progress).
     *
     * @param epoch   epochs completed; a resumed fit starts with epoch index {@code epoch}
     * @param step    optimizer steps taken
     */
    public record Info(
            String modelClass,
            String fingerprint,
            int epoch,
            int epochs,
            long step,
            long shuffleRngState,
            long dropoutRngState,
            String optimizer,
            String optimizerClass,
            int optimizerSlots,
            long parameters,
            Map<String, String> metadata) {
        public Info {
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /** Reads and checks a checkpoint's header (not its tensors). */
    public static Info read(Path file) throws IOException {
        SafeTensorsHeader header = SafeTensors.readHeader(file);
        return info(header.metadata(), file.toString());
    }

    private static Info info(Map<String, String> md, String source) throws WeightFileException {
        String version = md.get(KEY);
        if (version == null) {
            throw new WeightFileException(
                    source,
                    null,
                    "not a training checkpoint (no " + KEY
                            + " metadata); weights saved with Model.save are loaded with Model.load");
        }
        if (!version.equals(VERSION)) {
            throw new WeightFileException(
                    source, null, KEY + " is '" + version + "', this version reads only '" + VERSION + "'");
        }
        return new Info(
                md.get(SafeTensors.CLASS_KEY),
                md.get(SafeTensors.FINGERPRINT_KEY),
                (int) parseLong(md, EPOCH_KEY, 1, Integer.MAX_VALUE, source),
                (int) parseLong(md, EPOCHS_KEY, 1, Integer.MAX_VALUE, source),
                parseLong(md, STEP_KEY, 0, Long.MAX_VALUE, source),
                parseLong(md, SHUFFLE_RNG_KEY, Long.MIN_VALUE, Long.MAX_VALUE, source),
                parseLong(md, DROPOUT_RNG_KEY, Long.MIN_VALUE, Long.MAX_VALUE, source),
                require(md, OPTIMIZER_KEY, source),
                require(md, OPTIMIZER_CLASS_KEY, source),
                (int) parseLong(md, OPTIMIZER_SLOTS_KEY, 0, Integer.MAX_VALUE, source),
                parseLong(md, PARAMETERS_KEY, 0, Long.MAX_VALUE, source),
                md);
    }

    // ---------------------------------------------------------------- writing

    /** Writes the state of {@code loop} after {@code epochsDone} epochs of {@code epochs}, atomically. */
    static void write(
            Path file, Network model, TrainingLoop loop, int epochsDone, int epochs, Monitor best, Monitor stopper)
            throws IOException {
        write(
                file,
                model,
                loop.optimizer(),
                loop.parameters(),
                loop.optimizerState(),
                loop.step(),
                loop.shuffleRngState(),
                loop.dropoutRngState(),
                loop.batch(),
                loop.samples(),
                epochsDone,
                epochs,
                best,
                stopper);
    }

    /**
     * Writes the state of a data-parallel run driven by {@code step} as {@link Fit#checkpoint} writes
     * it, so that {@code fit} with {@link Fit#resumeFrom} (or {@link #restore(Path, Network, GradientStep)})
     * continues it: after {@code epochsDone} of {@code epochs} epochs of {@code samples} samples in
     * global batches of {@code batch}, with {@code shuffleRngState} the state of the
     * {@link io.nerva.runtime.core.Rng} drawing the sample order.
     */
    public static void write(
            Path file,
            Network model,
            GradientStep step,
            int epochsDone,
            int epochs,
            int batch,
            int samples,
            long shuffleRngState)
            throws IOException {
        write(
                file,
                model,
                step.optimizer(),
                model.parameters(),
                step.optimizerState(),
                step.step(),
                shuffleRngState,
                step.dropoutRngState(),
                batch,
                samples,
                epochsDone,
                epochs,
                null,
                null);
    }

    private static void write(
            Path file,
            Network model,
            Optimizer optimizer,
            Parameters params,
            MemorySegment state,
            long step,
            long shuffleRngState,
            long dropoutRngState,
            int batch,
            int samples,
            int epochsDone,
            int epochs,
            Monitor best,
            Monitor stopper)
            throws IOException {
        Map<String, String> md = new LinkedHashMap<>();
        md.put(SafeTensors.CLASS_KEY, model.name());
        md.put(SafeTensors.FINGERPRINT_KEY, model.fingerprint());
        md.put(SafeTensors.FORMAT_KEY, SafeTensors.FORMAT_VERSION);
        md.put(KEY, VERSION);
        md.put(EPOCH_KEY, Integer.toString(epochsDone));
        md.put(EPOCHS_KEY, Integer.toString(epochs));
        md.put(STEP_KEY, Long.toString(step));
        md.put(SHUFFLE_RNG_KEY, Long.toString(shuffleRngState));
        md.put(DROPOUT_RNG_KEY, Long.toString(dropoutRngState));
        md.put(OPTIMIZER_KEY, String.valueOf(optimizer));
        md.put(OPTIMIZER_CLASS_KEY, optimizer.getClass().getName());
        md.put(OPTIMIZER_SLOTS_KEY, Integer.toString(optimizer.stateSlots()));
        md.put(PARAMETERS_KEY, Long.toString(params.count()));
        md.put(BATCH_KEY, Integer.toString(batch));
        md.put(SAMPLES_KEY, Integer.toString(samples));
        if (best != null) best.save(md, SAVE_BEST_PREFIX);
        if (stopper != null) stopper.save(md, EARLY_STOPPING_PREFIX);
        SafeTensors.save(params, slots(optimizer, params, state), file, md);
    }

    /** The optimizer state slots as views of the state buffer, by tensor name. */
    private static Map<String, MemorySegment> slots(Optimizer optimizer, Parameters params, MemorySegment state) {
        long bytes = params.count() * Float.BYTES;
        Map<String, MemorySegment> slots = new LinkedHashMap<>();
        for (int s = 0; s < optimizer.stateSlots(); s++) {
            slots.put(slotTensor(s), state.asSlice(s * bytes, bytes));
        }
        return slots;
    }

    // ---------------------------------------------------------------- resuming

    /**
     * Loads a checkpoint into {@code model} and {@code loop}. Everything is checked first — the
     * checkpoint metadata, the fingerprint, the parameter count, the optimizer's type and slot
     * count, every tensor — and the model and loop change only when all of it has been read.
     */
    static Info restore(Path file, Network model, TrainingLoop loop, Monitor best, Monitor stopper) throws IOException {
        Info i = load(file, model, loop.optimizer(), loop.parameters(), loop.optimizerState(), best, stopper);
        // The parameters and the optimizer state are in place; the counters cannot fail.
        loop.restore(i.step(), i.shuffleRngState(), i.dropoutRngState());
        return i;
    }

    /**
     * Loads a checkpoint written by {@code fit} or by {@link #write(Path, Network, GradientStep, int, int, int, int, long)}
     * into {@code model} and {@code step}, checked as {@link Fit#resumeFrom} checks it; the caller
     * continues the sample order from {@link Info#shuffleRngState()} after {@link Info#epoch()} epochs.
     */
    public static Info restore(Path file, Network model, GradientStep step) throws IOException {
        Info i = load(file, model, step.optimizer(), model.parameters(), step.optimizerState(), null, null);
        step.restore(i.step(), i.dropoutRngState());
        return i;
    }

    private static Info load(
            Path file,
            Network model,
            Optimizer optimizer,
            Parameters params,
            MemorySegment state,
            Monitor best,
            Monitor stopper)
            throws IOException {
        Info[] info = new Info[1];
        Runnable[] monitors = new Runnable[2];
        SafeTensors.load(
                params,
                slots(optimizer, params, state),
                file,
                LoadOptions.defaults().expectFingerprint(model.fingerprint()),
                (md, source) -> {
                    Info i = info(md, source);
                    if (i.parameters() != params.count()) {
                        throw new WeightFileException(
                                source,
                                null,
                                "checkpoint holds " + i.parameters() + " parameters (" + PARAMETERS_KEY + "), model '"
                                        + model.name() + "' has " + params.count());
                    }
                    if (!i.optimizerClass().equals(optimizer.getClass().getName())) {
                        throw new WeightFileException(
                                source,
                                null,
                                "checkpoint holds the state of optimizer "
                                        + i.optimizer() + " (" + i.optimizerClass() + "), this fit uses " + optimizer
                                        + " ("
                                        + optimizer.getClass().getName()
                                        + "); resume with the same optimizer, or load just "
                                        + "the weights with Model.load(file, LoadOptions.defaults().withAllowExtra())");
                    }
                    if (i.optimizerSlots() != optimizer.stateSlots()) {
                        throw new WeightFileException(
                                source,
                                null,
                                "checkpoint holds " + i.optimizerSlots()
                                        + " optimizer state slot(s) per parameter (" + OPTIMIZER_SLOTS_KEY
                                        + "), this fit's "
                                        + optimizer + " needs " + optimizer.stateSlots());
                    }
                    monitors[0] = best == null ? () -> {} : best.restorer(md, SAVE_BEST_PREFIX, source);
                    monitors[1] = stopper == null ? () -> {} : stopper.restorer(md, EARLY_STOPPING_PREFIX, source);
                    info[0] = i;
                });
        monitors[0].run();
        monitors[1].run();
        return info[0];
    }

    // ---------------------------------------------------------------- metadata values

    private static String require(Map<String, String> md, String key, String source) throws WeightFileException {
        String v = md.get(key);
        if (v == null) throw new WeightFileException(source, null, "checkpoint metadata lacks " + key);
        return v;
    }

    static long parseLong(Map<String, String> md, String key, long min, long max, String source)
            throws WeightFileException {
        String v = require(md, key, source);
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new WeightFileException(
                source, null, key + " is '" + v + "', expected an integer in [" + min + ", " + max + "]");
    }

    static double parseDouble(Map<String, String> md, String key, String source) throws WeightFileException {
        String v = require(md, key, source);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new WeightFileException(source, null, key + " is '" + v + "', expected a number");
        }
    }
}
