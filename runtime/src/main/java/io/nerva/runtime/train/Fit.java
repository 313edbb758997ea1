package io.nerva.runtime.train;

import io.nerva.annotations.LossFunction;
import io.nerva.runtime.core.Network;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.metric.Metric;
import io.nerva.runtime.optim.Optimizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * How to train: an immutable, fluent configuration, each method returning a changed copy.
 *
 * <pre>{@code
 * Fit fit = Fit.epochs(10).batch(64).optimizer(Optimizers.adam(1e-3)).loss(LossFunction.CATEGORICAL_CROSSENTROPY)
 *              .metrics(Metrics.accuracy()).validationSplit(0.1).seed(42);
 * History h = model.fit(train, fit);
 * }</pre>
 *
 * <p>An interface whose only static method is {@link #epochs}: Java refuses a static interface
 * method called on an instance, so {@code fit.resumeFrom(p).epochs(6)} does not compile (on a
 * class it would silently start a new configuration and drop everything before it).
 *
 * <p>Defaults as Keras where it has one: batch 32, shuffled every epoch, verbose to
 * {@code System.out}. The seed defaults to 0, so runs are reproducible unless told otherwise.
 *
 * <p>Metrics: {@link #metrics(Metric...)} takes metric objects, which {@code fit} resets at the
 * start of every training and every validation pass and then reads; the same object therefore
 * serves both, but it must not be shared by two fits running at the same time.
 * {@link #metricFactories} takes factories instead, and every fit gets fresh instances.
 *
 * <p>Long runs: {@link #checkpoint} writes a checkpoint after every epoch and
 * {@link #resumeFrom} continues from one exactly; {@link #saveBest} keeps the best epoch's
 * weights and {@link #earlyStopping} ends a run that stopped improving.
 *
 * <pre>{@code
 * Fit fit = Fit.epochs(50).optimizer(Optimizers.adam()).metrics(Metrics.accuracy()).validationSplit(0.1)
 *              .checkpoint(run).saveBest(best, "val_accuracy").earlyStopping("val_loss", 5);
 * if (Files.exists(run)) fit = fit.resumeFrom(run);
 * }</pre>
 */
public sealed interface Fit permits FitSettings {

    /** Starts a configuration that trains for this many epochs (at least 1). */
    static Fit epochs(int epochs) {
        return FitSettings.start(epochs);
    }

    /** Samples per training step (the last step of an epoch may have fewer). */
    Fit batch(int batch);

    Fit optimizer(Optimizer optimizer);

    /** The loss by name; its implementation comes from {@link Loss#of}. */
    Fit loss(LossFunction function);

    Fit loss(Loss loss);

    /** Metric objects, reset by {@code fit} before each training and validation pass (replaces earlier metrics). */
    Fit metrics(Metric... metrics);

    /** Metric factories, called for fresh instances by every fit, once for training and once for validation. */
    Fit metricFactories(MetricFactory... factories);

    /** Data to evaluate after every epoch, reported as {@code val_*}; replaces a {@link #validationSplit}. */
    Fit validation(Dataset data);

    /**
     * Holds out the last {@code fraction} of the training samples, before any shuffling (as Keras),
     * for validation; replaces {@link #validation(Dataset)}. Shuffle sorted data first.
     */
    Fit validationSplit(double fraction);

    /** Seeds the sample order and dropout; the same seed gives the same history and weights. */
    Fit seed(long seed);

    /** Whether to visit the samples in a new random order every epoch (default true). */
    Fit shuffle(boolean shuffle);

    /** {@code verbose(true)} is {@link #verbose(int) verbose(1)} (the default), {@code verbose(false)} is {@code verbose(0)}. */
    Fit verbose(boolean verbose);

    /**
     * How much to print, as Keras' {@code verbose}: 0 nothing; 1 (the default) on a terminal one
     * line per epoch that updates as it runs (step/total, a bar, ETA, running loss and metrics,
     * then time and ms/step), elsewhere (a file, CI) one line per epoch when it ends; 2 one line
     * per epoch when it ends. {@link Trainer#evaluate(Network, Dataset, Fit)} and
     * {@link Trainer#predict(Network, Dataset, Fit)} show progress at 1 and 2 on data of
     * {@value io.nerva.runtime.progress.ProgressBar#LARGE} samples or more.
     */
    Fit verbose(int level);

    /**
     * Whether the {@link #log} stream is a terminal that can redraw a line ({@code \r}); by
     * default it is when it is {@code System.out}, {@link java.io.Console#isTerminal()} and the
     * {@code CI} environment variable is unset.
     */
    Fit terminal(boolean terminal);

    /** Where the epoch lines go (default {@code System.out}). */
    Fit log(PrintStream log);

    /**
     * Adds a callback, run after those added before: an {@link EpochCallback} runs after every
     * epoch, a {@link Callback} also at the other stages it implements.
     */
    Fit callback(EpochCallback callback);

    /**
     * Writes a checkpoint to {@code file} after every epoch (replacing the previous one,
     * atomically): the weights, the optimizer state, the epoch and step counters and the random
     * generators' states, everything {@link #resumeFrom} needs to continue the run exactly as if
     * it had not stopped. Written after the callbacks, so it also holds the state of
     * {@link #saveBest} and {@link #earlyStopping}. The format is described in {@link Checkpoint}.
     */
    Fit checkpoint(Path file);

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
    Fit resumeFrom(Path file);

    /**
     * Saves the model's weights to {@code file} ({@code Model.save} format, atomically) after
     * every epoch whose {@code monitor} value (a name {@code fit} reports, e.g.
     * {@code "val_accuracy"}, {@code "val_loss"}) is better than every earlier one: the file
     * holds the best epoch's weights. Larger is better for accuracies, smaller for losses, as
     * Keras' {@code mode="auto"} ({@link MonitorMode#AUTO}).
     */
    Fit saveBest(Path file, String monitor);

    /** As {@link #saveBest(Path, String)} with an explicit direction (needed for a name AUTO cannot judge). */
    Fit saveBest(Path file, String monitor, MonitorMode mode);

    /**
     * Stops training once {@code monitor} has not improved for {@code patience} epochs in a row
     * (as Keras' {@code EarlyStopping}; patience 0 stops after the first epoch that does not
     * improve, as 1 does), through {@link TrainingControl#stop()} after the callbacks.
     * Improving means beating every earlier value strictly. Larger is better for accuracies,
     * smaller for losses ({@link MonitorMode#AUTO}).
     */
    Fit earlyStopping(String monitor, int patience);

    /** As {@link #earlyStopping(String, int)} with an explicit direction. */
    Fit earlyStopping(String monitor, int patience, MonitorMode mode);

    /**
     * As {@link #earlyStopping(String, int)}, as Keras' {@code EarlyStopping(min_delta,
     * restore_best_weights)}: an epoch improves only when it beats the best value by more than
     * {@code minDelta} (≥ 0); with {@code restoreBestWeights}, the model gets back the weights of
     * its best epoch when training is stopped (as Keras, not when all epochs ran).
     */
    Fit earlyStopping(String monitor, int patience, double minDelta, boolean restoreBestWeights);

    /** As {@link #earlyStopping(String, int, double, boolean)} with an explicit direction. */
    Fit earlyStopping(String monitor, int patience, MonitorMode mode, double minDelta, boolean restoreBestWeights);

    int epochCount();

    int batchSize();

    /** The optimizer, or null when none was given. */
    Optimizer optimizer();

    /** The loss, or null when none was given. */
    Loss loss();

    /** The validation data, or null. */
    Dataset validation();

    /** The validation fraction, or 0. */
    double validationSplit();

    long seed();

    boolean shuffle();

    /** Whether anything is printed ({@link #verbosity()} above 0). */
    boolean verbose();

    /** 0, 1 or 2: see {@link #verbose(int)}. */
    int verbosity();

    /** The minimum improvement {@link #earlyStopping} counts (0 by default). */
    double minDelta();

    /** Whether {@link #earlyStopping} restores the best epoch's weights when it stops. */
    boolean restoreBestWeights();

    List<EpochCallback> callbacks();

    /** Where a checkpoint is written after every epoch, or null. */
    Path checkpointFile();

    /** The checkpoint training resumes from, or null. */
    Path resumeFile();

    /** Where the best weights are saved, or null. */
    Path bestFile();

    /** The value {@link #saveBest} watches, or null. */
    String bestMonitor();

    /** The value {@link #earlyStopping} watches, or null. */
    String stopMonitor();

    int patience();
}
