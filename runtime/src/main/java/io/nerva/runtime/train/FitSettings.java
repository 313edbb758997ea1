package io.nerva.runtime.train;

import io.nerva.annotations.LossFunction;
import io.nerva.runtime.core.Network;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.metric.Metric;
import io.nerva.runtime.optim.Optimizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one implementation of {@link Fit}: an immutable configuration, each method returning a
 * changed copy. The training loop reads its package-private accessors through {@link #of}.
 */
final class FitSettings implements Fit {
    private final int epochs;
    private final int batch;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<Supplier<? extends Metric>> metrics;
    private final Dataset validation;
    private final double validationSplit;
    private final long seed;
    private final boolean shuffle;
    private final int verbose;
    private final Boolean terminal;
    private final PrintStream log;
    private final List<EpochCallback> callbacks;
    private final Path checkpointFile;
    private final Path resumeFile;
    private final Path bestFile;
    private final String bestMonitor;
    private final MonitorMode bestMode;
    private final String stopMonitor;
    private final MonitorMode stopMode;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBestWeights;

    /** The fields of a Fit while a changed copy is being made. */
    private static final class Builder {
        int epochs;
        int batch = 32;
        Optimizer optimizer;
        Loss loss;
        List<Supplier<? extends Metric>> metrics = List.of();
        Dataset validation;
        double validationSplit;
        long seed;
        boolean shuffle = true;
        int verbose = 1;
        Boolean terminal;
        PrintStream log;
        List<EpochCallback> callbacks = List.of();
        Path checkpointFile;
        Path resumeFile;
        Path bestFile;
        String bestMonitor;
        MonitorMode bestMode;
        String stopMonitor;
        MonitorMode stopMode;
        int patience;
        double minDelta;
        boolean restoreBestWeights;
    }

    private FitSettings(Builder b) {
        this.epochs = b.epochs;
        this.batch = b.batch;
        this.optimizer = b.optimizer;
        this.loss = b.loss;
        this.metrics = b.metrics;
        this.validation = b.validation;
        this.validationSplit = b.validationSplit;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.verbose = b.verbose;
        this.terminal = b.terminal;
        this.log = b.log;
        this.callbacks = b.callbacks;
        this.checkpointFile = b.checkpointFile;
        this.resumeFile = b.resumeFile;
        this.bestFile = b.bestFile;
        this.bestMonitor = b.bestMonitor;
        this.bestMode = b.bestMode;
        this.stopMonitor = b.stopMonitor;
        this.stopMode = b.stopMode;
        this.patience = b.patience;
        this.minDelta = b.minDelta;
        this.restoreBestWeights = b.restoreBestWeights;
    }

    /** A copy of this configuration with {@code change} applied. */
    private FitSettings with(Consumer<Builder> change) {
        Builder b = new Builder();
        b.epochs = epochs;
        b.batch = batch;
        b.optimizer = optimizer;
        b.loss = loss;
        b.metrics = metrics;
        b.validation = validation;
        b.validationSplit = validationSplit;
        b.seed = seed;
        b.shuffle = shuffle;
        b.verbose = verbose;
        b.terminal = terminal;
        b.log = log;
        b.callbacks = callbacks;
        b.checkpointFile = checkpointFile;
        b.resumeFile = resumeFile;
        b.bestFile = bestFile;
        b.bestMonitor = bestMonitor;
        b.bestMode = bestMode;
        b.stopMonitor = stopMonitor;
        b.stopMode = stopMode;
        b.patience = patience;
        b.minDelta = minDelta;
        b.restoreBestWeights = restoreBestWeights;
        change.accept(b);
        return new FitSettings(b);
    }

    /** The settings behind {@code fit} (sealed: every Fit is one). */
    static FitSettings of(Fit fit) {
        return (FitSettings) fit;
    }

    /** {@link Fit#epochs}. */
    static FitSettings start(int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        Builder b = new Builder();
        b.epochs = epochs;
        return new FitSettings(b);
    }

    /** Samples per training step (the last step of an epoch may have fewer). */
    @Override
    public Fit batch(int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
        return with(b -> b.batch = batch);
    }

    @Override
    public Fit optimizer(Optimizer optimizer) {
        Objects.requireNonNull(optimizer, "optimizer");
        return with(b -> b.optimizer = optimizer);
    }

    /** The loss by name; its implementation comes from {@link Loss#of}. */
    @Override
    public Fit loss(LossFunction function) {
        Objects.requireNonNull(function, "function");
        if (function == LossFunction.UNSPECIFIED) {
            throw new IllegalArgumentException(
                    "UNSPECIFIED is not a loss: choose one, e.g. LossFunction.CATEGORICAL_CROSSENTROPY");
        }
        return loss(Loss.of(function));
    }

    @Override
    public Fit loss(Loss loss) {
        Objects.requireNonNull(loss, "loss");
        return with(b -> b.loss = loss);
    }

    /** Metric objects, reset by {@code fit} before each training and validation pass (replaces earlier metrics). */
    @Override
    public Fit metrics(Metric... metrics) {
        List<Supplier<? extends Metric>> list = new ArrayList<>();
        for (Metric m : metrics) {
            Objects.requireNonNull(m, "metric");
            list.add(() -> m);
        }
        return with(b -> b.metrics = List.copyOf(list));
    }

    /** Metric factories, called for fresh instances by every fit, once for training and once for validation. */
    @Override
    public Fit metricFactories(MetricFactory... factories) {
        List<Supplier<? extends Metric>> list = new ArrayList<>();
        for (MetricFactory f : factories) list.add(Objects.requireNonNull(f, "factory"));
        return with(b -> b.metrics = List.copyOf(list));
    }

    /** Data to evaluate after every epoch, reported as {@code val_*}; replaces a {@link #validationSplit}. */
    @Override
    public Fit validation(Dataset data) {
        Objects.requireNonNull(data, "data");
        return with(b -> {
            b.validation = data;
            b.validationSplit = 0;
        });
    }

    /**
     * Holds out the last {@code fraction} of the training samples, before any shuffling (as Keras),
     * for validation; replaces {@link #validation(Dataset)}. Shuffle sorted data first.
     */
    @Override
    public Fit validationSplit(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validationSplit must be in (0, 1), got " + fraction);
        }
        return with(b -> {
            b.validation = null;
            b.validationSplit = fraction;
        });
    }

    /** Seeds the sample order and dropout; the same seed gives the same history and weights. */
    @Override
    public Fit seed(long seed) {
        return with(b -> b.seed = seed);
    }

    /** Whether to visit the samples in a new random order every epoch (default true). */
    @Override
    public Fit shuffle(boolean shuffle) {
        return with(b -> b.shuffle = shuffle);
    }

    /** {@code verbose(true)} is {@link #verbose(int) verbose(1)} (the default), {@code verbose(false)} is {@code verbose(0)}. */
    @Override
    public Fit verbose(boolean verbose) {
        return with(b -> b.verbose = verbose ? 1 : 0);
    }

    /**
     * How much to print, as Keras' {@code verbose}: 0 nothing; 1 (the default) on a terminal one
     * line per epoch that updates as it runs (step/total, a bar, ETA, running loss and metrics,
     * then time and ms/step), elsewhere (a file, CI) one line per epoch when it ends; 2 one line
     * per epoch when it ends. {@link Trainer#evaluate(Network, Dataset, Fit)} and
     * {@link Trainer#predict(Network, Dataset, Fit)} show progress at 1 and 2 on data of
     * {@value io.nerva.runtime.progress.ProgressBar#LARGE} samples or more.
     */
    @Override
    public Fit verbose(int level) {
        if (level < 0 || level > 2) throw new IllegalArgumentException("verbose must be 0, 1 or 2, got " + level);
        return with(b -> b.verbose = level);
    }

    /**
     * Whether the {@link #log} stream is a terminal that can redraw a line ({@code \r}); by
     * default it is when it is {@code System.out}, {@link java.io.Console#isTerminal()} and the
     * {@code CI} environment variable is unset.
     */
    @Override
    public Fit terminal(boolean terminal) {
        return with(b -> b.terminal = terminal);
    }

    /** Where the epoch lines go (default {@code System.out}). */
    @Override
    public Fit log(PrintStream log) {
        Objects.requireNonNull(log, "log");
        return with(b -> b.log = log);
    }

    /**
     * Adds a callback, run after those added before: an {@link EpochCallback} runs after every
     * epoch, a {@link Callback} also at the other stages it implements.
     */
    @Override
    public Fit callback(EpochCallback callback) {
        List<EpochCallback> list = new ArrayList<>(callbacks);
        list.add(Objects.requireNonNull(callback, "callback"));
        return with(b -> b.callbacks = List.copyOf(list));
    }

    /**
     * Writes a checkpoint to {@code file} after every epoch (replacing the previous one,
     * atomically): the weights, the optimizer state, the epoch and step counters and the random
     * generators' states, everything {@link #resumeFrom} needs to continue the run exactly as if
     * it had not stopped. Written after the callbacks, so it also holds the state of
     * {@link #saveBest} and {@link #earlyStopping}. The format is described in {@link Checkpoint}.
     */
    @Override
    public Fit checkpoint(Path file) {
        Objects.requireNonNull(file, "file");
        return with(b -> b.checkpointFile = file);
    }

    /**
     * Continues the run saved in a checkpoint (see {@link #checkpoint}): before the first epoch,
     * {@code fit} loads the weights, optimizer state, step counter and random generators' states
     * from {@code file} and trains the epochs after the saved one, up to {@link #epochs} in all;
     * the {@link History} it returns holds just those (it is empty when none are left). With the
     * same data and configuration, the weights and history are bit for bit those of a run that
     * never stopped.
     *
     * <p>The checkpoint must be for this network (same fingerprint), with the same optimizer
     * type; otherwise {@code fit} throws an {@link java.io.UncheckedIOException} whose cause is
     * the {@link io.nerva.format.WeightFileException}, and the model is unchanged.
     */
    @Override
    public Fit resumeFrom(Path file) {
        Objects.requireNonNull(file, "file");
        return with(b -> b.resumeFile = file);
    }

    /**
     * Saves the model's weights to {@code file} ({@code Model.save} format, atomically) after
     * every epoch whose {@code monitor} value (a name {@code fit} reports, e.g.
     * {@code "val_accuracy"}, {@code "val_loss"}) is better than every earlier one: the file
     * holds the best epoch's weights. Larger is better for accuracies, smaller for losses, as
     * Keras' {@code mode="auto"} ({@link MonitorMode#AUTO}).
     */
    @Override
    public Fit saveBest(Path file, String monitor) {
        return saveBest(file, monitor, MonitorMode.AUTO);
    }

    /** As {@link #saveBest(Path, String)} with an explicit direction (needed for a name AUTO cannot judge). */
    @Override
    public Fit saveBest(Path file, String monitor, MonitorMode mode) {
        Objects.requireNonNull(file, "file");
        requireMonitor(monitor, mode);
        return with(b -> {
            b.bestFile = file;
            b.bestMonitor = monitor;
            b.bestMode = mode;
        });
    }

    /**
     * Stops training once {@code monitor} has not improved for {@code patience} epochs in a row
     * (as Keras' {@code EarlyStopping}; patience 0 stops after the first epoch that does not
     * improve, as 1 does), through {@link TrainingControl#stop()} after the callbacks.
     * Improving means beating every earlier value strictly. Larger is better for accuracies,
     * smaller for losses ({@link MonitorMode#AUTO}).
     */
    @Override
    public Fit earlyStopping(String monitor, int patience) {
        return earlyStopping(monitor, patience, MonitorMode.AUTO);
    }

    /** As {@link #earlyStopping(String, int)} with an explicit direction. */
    @Override
    public Fit earlyStopping(String monitor, int patience, MonitorMode mode) {
        return earlyStopping(monitor, patience, mode, 0, false);
    }

    /**
     * As {@link #earlyStopping(String, int)}, as Keras' {@code EarlyStopping(min_delta,
     * restore_best_weights)}: an epoch improves only when it beats the best value by more than
     * {@code minDelta} (≥ 0); with {@code restoreBestWeights}, the model gets back the weights of
     * its best epoch when training is stopped (as Keras, not when all epochs ran).
     */
    @Override
    public Fit earlyStopping(String monitor, int patience, double minDelta, boolean restoreBestWeights) {
        return earlyStopping(monitor, patience, MonitorMode.AUTO, minDelta, restoreBestWeights);
    }

    /** As {@link #earlyStopping(String, int, double, boolean)} with an explicit direction. */
    @Override
    public Fit earlyStopping(
            String monitor, int patience, MonitorMode mode, double minDelta, boolean restoreBestWeights) {
        if (patience < 0) throw new IllegalArgumentException("patience must be at least 0, got " + patience);
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("minDelta must be finite and at least 0, got " + minDelta);
        }
        requireMonitor(monitor, mode);
        return with(b -> {
            b.stopMonitor = monitor;
            b.stopMode = mode;
            b.patience = patience;
            b.minDelta = minDelta;
            b.restoreBestWeights = restoreBestWeights;
        });
    }

    /**
     * The name and mode are checked here; AUTO is resolved by {@code fit}, after it has checked
     * that the name is one it reports, so a misspelt name is reported as unknown first.
     */
    private static void requireMonitor(String monitor, MonitorMode mode) {
        Objects.requireNonNull(monitor, "monitor");
        Objects.requireNonNull(mode, "mode");
        if (monitor.isBlank()) throw new IllegalArgumentException("the monitored name is blank; use e.g. \"val_loss\"");
    }

    // ---------------------------------------------------------------- reading

    @Override
    public int epochCount() {
        return epochs;
    }

    @Override
    public int batchSize() {
        return batch;
    }

    /** The optimizer, or null when none was given. */
    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The loss, or null when none was given. */
    @Override
    public Loss loss() {
        return loss;
    }

    /** The validation data, or null. */
    @Override
    public Dataset validation() {
        return validation;
    }

    /** The validation fraction, or 0. */
    @Override
    public double validationSplit() {
        return validationSplit;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public boolean shuffle() {
        return shuffle;
    }

    /** Whether anything is printed ({@link #verbosity()} above 0). */
    @Override
    public boolean verbose() {
        return verbose > 0;
    }

    /** 0, 1 or 2: see {@link #verbose(int)}. */
    @Override
    public int verbosity() {
        return verbose;
    }

    /** The minimum improvement {@link #earlyStopping} counts (0 by default). */
    @Override
    public double minDelta() {
        return minDelta;
    }

    /** Whether {@link #earlyStopping} restores the best epoch's weights when it stops. */
    @Override
    public boolean restoreBestWeights() {
        return restoreBestWeights;
    }

    @Override
    public List<EpochCallback> callbacks() {
        return callbacks;
    }

    /** Where a checkpoint is written after every epoch, or null. */
    @Override
    public Path checkpointFile() {
        return checkpointFile;
    }

    /** The checkpoint training resumes from, or null. */
    @Override
    public Path resumeFile() {
        return resumeFile;
    }

    /** Where the best weights are saved, or null. */
    @Override
    public Path bestFile() {
        return bestFile;
    }

    /** The value {@link #saveBest} watches, or null. */
    @Override
    public String bestMonitor() {
        return bestMonitor;
    }

    /** The value {@link #earlyStopping} watches, or null. */
    @Override
    public String stopMonitor() {
        return stopMonitor;
    }

    @Override
    public int patience() {
        return patience;
    }

    MonitorMode bestMode() {
        return bestMode;
    }

    MonitorMode stopMode() {
        return stopMode;
    }

    PrintStream logStream() {
        return log != null ? log : System.out;
    }

    /** Whether progress lines may be redrawn in place (see {@link #terminal}). */
    boolean isTerminal() {
        if (terminal != null) return terminal;
        return log == null && io.nerva.runtime.progress.ProgressBar.stdoutIsTerminal();
    }

    List<Supplier<? extends Metric>> metricSuppliers() {
        return metrics;
    }

    Optimizer requireOptimizer() {
        if (optimizer == null) {
            throw new IllegalStateException(
                    "no optimizer: add .optimizer(...) to the Fit, e.g. Fit.epochs(10).optimizer(Optimizers.adam(1e-3))");
        }
        return optimizer;
    }

    /** The Fit's loss, else the one the network declares with {@code @Network(loss = ...)}. */
    Loss resolveLoss(Network model) {
        if (loss != null) return loss;
        if (model.declaredLoss() != LossFunction.UNSPECIFIED) return Loss.of(model.declaredLoss());
        throw new IllegalStateException(
                "no loss: add .loss(...) to the Fit, e.g. .loss(LossFunction.CATEGORICAL_CROSSENTROPY),"
                        + " or declare it on the network with @Network(loss = ...)");
    }

    @Override
    public String toString() {
        return "Fit[epochs " + epochs + ", batch " + batch + ", optimizer " + optimizer + ", loss "
                + (loss == null ? null : loss.name()) + ", " + metrics.size() + " metrics, validation "
                + (validation != null ? validation : validationSplit > 0 ? "split " + validationSplit : "none")
                + ", seed " + seed + ", shuffle " + shuffle
                + (checkpointFile == null ? "" : ", checkpoint " + checkpointFile)
                + (resumeFile == null ? "" : ", resume from " + resumeFile)
                + (bestFile == null ? "" : ", best " + bestMonitor + " (" + bestMode + ") to " + bestFile)
                + (stopMonitor == null
                        ? ""
                        : ", early stopping on " + stopMonitor + " (" + stopMode + ") after " + patience
                                + (minDelta > 0 ? " by more than " + minDelta : "")
                                + (restoreBestWeights ? ", restoring the best weights" : ""))
                + "]";
    }
}
