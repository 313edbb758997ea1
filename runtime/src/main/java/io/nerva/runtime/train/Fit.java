package io.nerva.runtime.train;

import io.nerva.runtime.Model;

import io.nerva.annotations.LossFunction;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.metric.Metric;
import io.nerva.runtime.optim.Optimizer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How to train: an immutable, fluent configuration, each method returning a changed copy.
 *
 * <pre>{@code
 * Fit fit = Fit.epochs(10).batch(64).optimizer(adam).loss(LossFunction.CATEGORICAL_CROSSENTROPY)
 *              .metrics(new Accuracy()).validationSplit(0.1).seed(42);
 * History h = Trainer.fit(model, train, fit);
 * }</pre>
 *
 * <p>Defaults as Keras where it has one: batch 32, shuffled every epoch, verbose to
 * {@code System.out}. The seed defaults to 0, so runs are reproducible unless told otherwise.
 *
 * <p>Metrics: {@link #metrics(Metric...)} takes metric objects, which {@code fit} resets at the
 * start of every training and every validation pass and then reads; the same object therefore
 * serves both, but it must not be shared by two fits running at the same time.
 * {@link #metricFactories} takes factories instead, and every fit gets fresh instances.
 */
public final class Fit {
    private final int epochs;
    private final int batch;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<Supplier<? extends Metric>> metrics;
    private final Dataset validation;
    private final double validationSplit;
    private final long seed;
    private final boolean shuffle;
    private final boolean verbose;
    private final PrintStream log;
    private final List<EpochCallback> callbacks;

    private Fit(int epochs, int batch, Optimizer optimizer, Loss loss, List<Supplier<? extends Metric>> metrics,
                Dataset validation, double validationSplit, long seed, boolean shuffle, boolean verbose,
                PrintStream log, List<EpochCallback> callbacks) {
        this.epochs = epochs;
        this.batch = batch;
        this.optimizer = optimizer;
        this.loss = loss;
        this.metrics = metrics;
        this.validation = validation;
        this.validationSplit = validationSplit;
        this.seed = seed;
        this.shuffle = shuffle;
        this.verbose = verbose;
        this.log = log;
        this.callbacks = callbacks;
    }

    /** Starts a configuration that trains for this many epochs (at least 1). */
    public static Fit epochs(int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        return new Fit(epochs, 32, null, null, List.of(), null, 0, 0L, true, true, null, List.of());
    }

    /** Samples per training step (the last step of an epoch may have fewer). */
    public Fit batch(int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
        return new Fit(epochs, batch, optimizer, loss, metrics, validation, validationSplit, seed, shuffle, verbose, log, callbacks);
    }

    public Fit optimizer(Optimizer optimizer) {
        return new Fit(epochs, batch, Objects.requireNonNull(optimizer, "optimizer"), loss, metrics, validation,
                validationSplit, seed, shuffle, verbose, log, callbacks);
    }

    /** The loss by name; its implementation comes from {@link Loss#of}. */
    public Fit loss(LossFunction function) {
        Objects.requireNonNull(function, "function");
        if (function == LossFunction.UNSPECIFIED) {
            throw new IllegalArgumentException("UNSPECIFIED is not a loss: choose one, e.g. LossFunction.CATEGORICAL_CROSSENTROPY");
        }
        return loss(Loss.of(function));
    }

    public Fit loss(Loss loss) {
        return new Fit(epochs, batch, optimizer, Objects.requireNonNull(loss, "loss"), metrics, validation,
                validationSplit, seed, shuffle, verbose, log, callbacks);
    }

    /** Metric objects, reset by {@code fit} before each training and validation pass (replaces earlier metrics). */
    public Fit metrics(Metric... metrics) {
        List<Supplier<? extends Metric>> list = new ArrayList<>();
        for (Metric m : metrics) {
            Objects.requireNonNull(m, "metric");
            list.add(() -> m);
        }
        return new Fit(epochs, batch, optimizer, loss, List.copyOf(list), validation, validationSplit, seed, shuffle,
                verbose, log, callbacks);
    }

    /** Metric factories, called for fresh instances by every fit, once for training and once for validation. */
    @SafeVarargs
    public final Fit metricFactories(Supplier<? extends Metric>... factories) {
        List<Supplier<? extends Metric>> list = new ArrayList<>();
        for (Supplier<? extends Metric> f : factories) list.add(Objects.requireNonNull(f, "factory"));
        return new Fit(epochs, batch, optimizer, loss, List.copyOf(list), validation, validationSplit, seed, shuffle,
                verbose, log, callbacks);
    }

    /** Data to evaluate after every epoch, reported as {@code val_*}; replaces a {@link #validationSplit}. */
    public Fit validation(Dataset data) {
        return new Fit(epochs, batch, optimizer, loss, metrics, Objects.requireNonNull(data, "data"), 0, seed, shuffle,
                verbose, log, callbacks);
    }

    /**
     * Holds out the last {@code fraction} of the training samples, before any shuffling (as Keras),
     * for validation; replaces {@link #validation(Dataset)}. Shuffle sorted data first.
     */
    public Fit validationSplit(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validationSplit must be in (0, 1), got " + fraction);
        }
        return new Fit(epochs, batch, optimizer, loss, metrics, null, fraction, seed, shuffle, verbose, log, callbacks);
    }

    /** Seeds the sample order and dropout; the same seed gives the same history and weights. */
    public Fit seed(long seed) {
        return new Fit(epochs, batch, optimizer, loss, metrics, validation, validationSplit, seed, shuffle, verbose, log, callbacks);
    }

    /** Whether to visit the samples in a new random order every epoch (default true). */
    public Fit shuffle(boolean shuffle) {
        return new Fit(epochs, batch, optimizer, loss, metrics, validation, validationSplit, seed, shuffle, verbose, log, callbacks);
    }

    /** Whether to print one line per epoch (default true). */
    public Fit verbose(boolean verbose) {
        return new Fit(epochs, batch, optimizer, loss, metrics, validation, validationSplit, seed, shuffle, verbose, log, callbacks);
    }

    /** Where the epoch lines go (default {@code System.out}). */
    public Fit log(PrintStream log) {
        return new Fit(epochs, batch, optimizer, loss, metrics, validation, validationSplit, seed, shuffle, verbose,
                Objects.requireNonNull(log, "log"), callbacks);
    }

    /** Adds a callback run after every epoch, after those added before. */
    public Fit callback(EpochCallback callback) {
        List<EpochCallback> list = new ArrayList<>(callbacks);
        list.add(Objects.requireNonNull(callback, "callback"));
        return new Fit(epochs, batch, optimizer, loss, metrics, validation, validationSplit, seed, shuffle, verbose, log,
                List.copyOf(list));
    }

    // ---------------------------------------------------------------- reading

    public int epochCount() {
        return epochs;
    }

    public int batchSize() {
        return batch;
    }

    /** The optimizer, or null when none was given. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The loss, or null when none was given. */
    public Loss loss() {
        return loss;
    }

    /** The validation data, or null. */
    public Dataset validation() {
        return validation;
    }

    /** The validation fraction, or 0. */
    public double validationSplit() {
        return validationSplit;
    }

    public long seed() {
        return seed;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public boolean verbose() {
        return verbose;
    }

    public List<EpochCallback> callbacks() {
        return callbacks;
    }

    PrintStream logStream() {
        return log != null ? log : System.out;
    }

    List<Supplier<? extends Metric>> metricSuppliers() {
        return metrics;
    }

    Optimizer requireOptimizer() {
        if (optimizer == null) {
            throw new IllegalStateException("no optimizer: add .optimizer(...) to the Fit, e.g. Fit.epochs(10).optimizer(Optimizers.adam(1e-3))");
        }
        return optimizer;
    }

    /** The Fit's loss, else the one the network declares with {@code @Network(loss = ...)}. */
    Loss resolveLoss(Model model) {
        if (loss != null) return loss;
        if (model.declaredLoss() != LossFunction.UNSPECIFIED) return Loss.of(model.declaredLoss());
        throw new IllegalStateException("no loss: add .loss(...) to the Fit, e.g. .loss(LossFunction.CATEGORICAL_CROSSENTROPY),"
                + " or declare it on the network with @Network(loss = ...)");
    }

    @Override
    public String toString() {
        return "Fit[epochs " + epochs + ", batch " + batch + ", optimizer " + optimizer + ", loss "
                + (loss == null ? null : loss.function()) + ", " + metrics.size() + " metrics, validation "
                + (validation != null ? validation : validationSplit > 0 ? "split " + validationSplit : "none")
                + ", seed " + seed + ", shuffle " + shuffle + "]";
    }
}
