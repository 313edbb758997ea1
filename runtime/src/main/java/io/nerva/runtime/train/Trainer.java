package io.nerva.runtime.train;

import io.nerva.runtime.core.Network;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.io.SafeTensors;
import io.nerva.runtime.io.SaveOptions;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.metric.Metric;
import io.nerva.runtime.optim.Optimizer;
import io.nerva.runtime.predict.Predictor;
import io.nerva.runtime.progress.ProgressBar;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keras' {@code fit} and {@code evaluate} for any {@link Network}.
 *
 * <p>{@link #fit} trains with one training workspace, an off-heap target buffer and the
 * optimizer state, allocated before the first step; the steps themselves allocate nothing on the
 * heap. The sample order is drawn from {@code Rng(seed)} and dropout from a seed derived from it,
 * so the same seed, model weights and data give the same {@link History} and weights, bit for bit.
 *
 * <p>After every epoch: the epoch line, the {@link Fit#callback callbacks} in order, then
 * {@link Fit#saveBest}, {@link Fit#earlyStopping} and last {@link Fit#checkpoint}, so that the
 * checkpoint holds their state too. {@link Callback}s also run before the first epoch, before
 * every epoch, after every step (when they ask for it, and before the divergence check, so that
 * {@link io.nerva.runtime.callback.TerminateOnNaN} can end a run quietly) and after the last epoch;
 * progress ({@link Fit#verbose(int)}) is drawn from the same per-step hook. A run resumed with {@link Fit#resumeFrom} continues with the
 * checkpoint's step counter and random generators, so it ends bit for bit as one that never stopped.
 */
public final class Trainer {
    private Trainer() {}

    /** Trains {@code model} on {@code train} as {@code fit} says; returns the per-epoch history. */
    public static History fit(Network model, Dataset train, Fit fit) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(fit, "fit");
        Optimizer optimizer = FitSettings.of(fit).requireOptimizer();
        Loss loss = FitSettings.of(fit).resolveLoss(model);
        checkTrainable(model);
        String mismatch = loss.function().mismatch(model.outputActivation(), model.outputSize(), "the last layer");
        if (mismatch != null) throw new IllegalArgumentException(model.name() + ": " + mismatch);

        Dataset validation = fit.validation();
        if (fit.validationSplit() > 0) {
            // Keras: the last fraction of the samples, taken before shuffling.
            int splitAt = (int) (train.size() * (1 - fit.validationSplit()));
            if (splitAt < 1 || splitAt >= train.size()) {
                throw new IllegalArgumentException("validationSplit " + fit.validationSplit() + " of " + train.size()
                        + " samples leaves " + (splitAt < 1 ? "no training sample" : "no validation sample"));
            }
            validation = train.slice(splitAt, train.size());
            train = train.slice(0, splitAt);
        }
        checkData(model, loss, train, "training data");
        if (validation != null) checkData(model, loss, validation, "validation data");

        Metric[] trainMetrics = instantiate(FitSettings.of(fit).metricSuppliers());
        Metric[] valMetrics = validation == null
                ? new Metric[0]
                : instantiate(FitSettings.of(fit).metricSuppliers());
        List<String> reported = reportedNames(trainMetrics, validation != null);
        if (fit.bestFile() != null) checkMonitor("saveBest", fit.bestMonitor(), reported);
        if (fit.stopMonitor() != null) checkMonitor("earlyStopping", fit.stopMonitor(), reported);
        Monitor best = fit.bestFile() == null
                ? null
                : new Monitor(
                        fit.bestMonitor(),
                        MonitorMode.resolve(
                                fit.bestMonitor(), FitSettings.of(fit).bestMode()));
        Monitor stopper = fit.stopMonitor() == null
                ? null
                : new Monitor(
                        fit.stopMonitor(),
                        MonitorMode.resolve(
                                fit.stopMonitor(), FitSettings.of(fit).stopMode()),
                        fit.minDelta());
        int epochs = fit.epochCount();
        PrintStream log = FitSettings.of(fit).logStream();
        History.Builder history = new History.Builder();
        List<Callback> hooks = new ArrayList<>();
        List<Callback> batchHooks = new ArrayList<>();
        for (EpochCallback c : fit.callbacks()) {
            if (c instanceof Callback h) {
                hooks.add(h);
                if (h.wantsBatches()) batchHooks.add(h);
            }
        }
        boolean bars = fit.verbosity() == 1 && FitSettings.of(fit).isTerminal();

        try (TrainingLoop loop =
                        new TrainingLoop(model, loss, optimizer, train, fit.batchSize(), fit.seed(), fit.shuffle());
                BatchEvaluator validator = validation == null
                        ? null
                        : new BatchEvaluator(
                                model,
                                loss,
                                Math.min(fit.batchSize(), validation.size()),
                                validation.targetColumns(),
                                derivedSeed(fit.seed(), 2))) {
            TrainingControl control = new TrainingControl(model, loop, epochs);
            int first = 0;
            if (fit.resumeFile() != null) {
                Checkpoint.Info resumed;
                try {
                    resumed = Checkpoint.restore(fit.resumeFile(), model, loop, best, stopper);
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
                first = resumed.epoch();
                if (fit.verbose()) {
                    log.println(String.format(
                            Locale.ROOT,
                            "Resuming from %s after epoch %d/%d (step %d)%s",
                            fit.resumeFile(),
                            first,
                            epochs,
                            resumed.step(),
                            first >= epochs ? ": no epoch left to train" : ""));
                }
            }
            for (Callback h : hooks) h.onTrainBegin(control);
            boolean completed = false;
            float[] bestWeights = null;
            try {
                for (int epoch = first; epoch < epochs; epoch++) {
                    control.epoch(epoch);
                    for (Callback h : hooks) h.onEpochBegin(epoch, control);
                    long started = System.nanoTime();
                    ProgressBar bar = null;
                    if (bars) {
                        log.println(String.format(Locale.ROOT, "Epoch %d/%d", epoch + 1, epochs));
                        bar = new ProgressBar(log, loop.stepsPerEpoch(), true);
                    }
                    loop.batchListener(
                            bar == null && batchHooks.isEmpty()
                                    ? null
                                    : batchListener(bar, batchHooks, trainMetrics, control));
                    Map<String, Double> logs = new LinkedHashMap<>();
                    logs.put("loss", loop.epoch(epoch, epochs, trainMetrics));
                    for (Metric m : trainMetrics) logs.put(m.name(), m.result());
                    if (validator != null) {
                        double valLoss = validator.run(validation, valMetrics);
                        if (!Double.isFinite(valLoss)) throw Divergence.validation(valLoss, epoch, epochs);
                        logs.put("val_loss", valLoss);
                        for (Metric m : valMetrics) logs.put("val_" + m.name(), m.result());
                    }
                    double seconds = (System.nanoTime() - started) / 1e9;
                    history.add(logs);
                    if (bar != null) {
                        bar.finish(logs);
                    } else if (fit.verbose()) {
                        log.println(epochLine(epoch, epochs, seconds, logs));
                    }
                    Map<String, Double> view = Collections.unmodifiableMap(logs);
                    for (EpochCallback callback : fit.callbacks()) callback.onEpochEnd(epoch, view, control);
                    try {
                        if (best != null && best.update(epoch, logs))
                            SafeTensors.save(model, fit.bestFile(), SaveOptions.defaults());
                    } catch (IOException e) {
                        throw new UncheckedIOException(
                                "could not save the best weights (epoch " + (epoch + 1) + ", " + best.name() + " "
                                        + logs.get(best.name()) + ") to " + fit.bestFile() + ": " + e.getMessage(),
                                e);
                    }
                    if (stopper != null) {
                        if (stopper.update(epoch, logs)) {
                            if (fit.restoreBestWeights())
                                bestWeights = model.parameters().toArray();
                        } else if (stopper.epochsWithoutImprovement() >= fit.patience()) {
                            control.stop();
                            if (fit.restoreBestWeights() && bestWeights != null) {
                                // As Keras: back to the best epoch's weights when early stopping ends the run.
                                model.parameters().copyFrom(bestWeights);
                                if (fit.verbose()) {
                                    log.println(String.format(
                                            Locale.ROOT,
                                            "Early stopping: %s did not improve for %d epochs;"
                                                    + " restored the weights of epoch %d (%s %.4f)",
                                            stopper.name(),
                                            stopper.epochsWithoutImprovement(),
                                            stopper.bestEpoch() + 1,
                                            stopper.name(),
                                            stopper.best()));
                                }
                            }
                        }
                    }
                    if (fit.checkpointFile() != null) {
                        try {
                            Checkpoint.write(fit.checkpointFile(), model, loop, epoch + 1, epochs, best, stopper);
                        } catch (IOException e) {
                            throw new UncheckedIOException(
                                    "could not write the checkpoint after epoch " + (epoch + 1) + " to "
                                            + fit.checkpointFile() + ": " + e.getMessage(),
                                    e);
                        }
                    }
                    if (control.stopRequested()) break;
                }
                completed = true;
            } finally {
                loop.batchListener(null);
                History sofar = history.build();
                for (Callback h : hooks) {
                    if (completed) {
                        h.onTrainEnd(sofar, control);
                    } else {
                        // An epoch threw: still let callbacks close their files, but keep the first exception.
                        try {
                            h.onTrainEnd(sofar, control);
                        } catch (RuntimeException ignored) {
                            // the exception already propagating says what went wrong
                        }
                    }
                }
            }
        }
        return history.build();
    }

    /**
     * The per-step work besides training, made once per epoch: batch callbacks, the progress bar
     * (running loss and metrics, built only when the bar is redrawn), and a stop asked for by a callback.
     */
    private static TrainingLoop.BatchListener batchListener(
            ProgressBar bar, List<Callback> batchHooks, Metric[] metrics, TrainingControl control) {
        double[] running = new double[2]; // loss sum, samples
        ProgressBar.Values values = () -> {
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("loss", running[0] / running[1]);
            for (Metric m : metrics) v.put(m.name(), m.result());
            return v;
        };
        Callback[] hooks = batchHooks.toArray(Callback[]::new);
        return (epoch, batch, rows, loss) -> {
            running[0] += loss * rows;
            running[1] += rows;
            for (Callback h : hooks) h.onBatchEnd(epoch, batch, loss, control);
            if (bar != null) bar.update(batch + 1, values);
            return control.stopRequested();
        };
    }

    /** The names {@code fit} reports each epoch, in order. */
    private static List<String> reportedNames(Metric[] metrics, boolean validation) {
        List<String> names = new ArrayList<>();
        names.add("loss");
        for (Metric m : metrics) names.add(m.name());
        if (validation) {
            names.add("val_loss");
            for (Metric m : metrics) names.add("val_" + m.name());
        }
        return names;
    }

    private static void checkMonitor(String what, String monitor, List<String> reported) {
        if (reported.contains(monitor)) return;
        String hint = monitor.startsWith("val_") && !reported.contains("val_loss")
                ? "; it needs validation data: add .validation(data) or .validationSplit(fraction) to the Fit"
                : "";
        throw new IllegalArgumentException(what + " watches '" + monitor
                + "', which this fit does not report (it reports " + reported + ")" + hint);
    }

    /** Loss and metrics of {@code model} on {@code data}, in that order: {@code loss}, then each metric by name. */
    public static Map<String, Double> evaluate(
            Network model, Dataset data, Loss loss, List<Metric> metrics, int batch) {
        return evaluate(model, data, loss, metrics, batch, null);
    }

    private static Map<String, Double> evaluate(
            Network model, Dataset data, Loss loss, List<Metric> metrics, int batch, ProgressBar bar) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(loss, "loss");
        if (batch < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
        checkData(model, loss, data, "evaluation data");
        Metric[] ms = metrics.toArray(Metric[]::new);
        checkMetricNames(ms);
        try (BatchEvaluator evaluator =
                new BatchEvaluator(model, loss, Math.min(batch, data.size()), data.targetColumns(), 0)) {
            Map<String, Double> results = new LinkedHashMap<>();
            results.put("loss", evaluator.run(data, ms, bar));
            for (Metric m : ms) results.put(m.name(), m.result());
            if (bar != null) bar.finish(results);
            return Collections.unmodifiableMap(results);
        }
    }

    /**
     * {@link #evaluate(Network, Dataset, Loss, List, int)} with the loss, metrics and batch size of a
     * {@link Fit}; at {@link Fit#verbose(int) verbose} 1 or 2 on {@value ProgressBar#LARGE}
     * samples or more, shows a progress bar on a terminal, else prints one line when done.
     */
    public static Map<String, Double> evaluate(Network model, Dataset data, Fit fit) {
        Objects.requireNonNull(fit, "fit");
        return evaluate(
                model,
                data,
                FitSettings.of(fit).resolveLoss(model),
                Arrays.asList(instantiate(FitSettings.of(fit).metricSuppliers())),
                fit.batchSize(),
                progress(fit, data, fit.batchSize()));
    }

    /** A bar for a pass over {@code data} when the fit asks for progress and the data is large; else null. */
    private static ProgressBar progress(Fit fit, Dataset data, int batch) {
        if (fit.verbosity() == 0 || data == null || data.size() < ProgressBar.LARGE) return null;
        return new ProgressBar(
                FitSettings.of(fit).logStream(),
                (data.size() + batch - 1) / batch,
                fit.verbosity() == 1 && FitSettings.of(fit).isTerminal());
    }

    /**
     * The model's outputs for every sample of {@code data}, in batches of the fit's batch size,
     * with progress as {@link #evaluate(Network, Dataset, Fit)} shows it.
     *
     * @return {@code data.size()} rows of {@link Network#outputSize()} floats
     */
    public static float[][] predict(Network model, Dataset data, Fit fit) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(fit, "fit");
        if (data.size() == 0) throw new IllegalArgumentException("prediction data is empty");
        if (data.sampleSize() != model.inputSize()) {
            throw new IllegalArgumentException("prediction data has samples of " + data.sampleSize() + " floats (shape "
                    + Arrays.toString(data.sampleShape()) + ") but model '" + model.name() + "' expects "
                    + model.inputSize() + " (shape " + Arrays.toString(model.inputShape()) + ")");
        }
        int batch = Math.min(fit.batchSize(), data.size());
        ProgressBar bar = progress(fit, data, batch);
        float[][] out = Predictor.predictDataset(model, data, batch, bar);
        if (bar != null) bar.finish(Map.of());
        return out;
    }

    /** {@code Epoch 3/10 - 1.52s - loss: 0.3121 - accuracy: 0.8874 - val_loss: 0.3410 - val_accuracy: 0.8792} */
    static String epochLine(int epoch, int epochs, double seconds, Map<String, Double> logs) {
        StringBuilder sb =
                new StringBuilder(String.format(Locale.ROOT, "Epoch %d/%d - %.2fs", epoch + 1, epochs, seconds));
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            sb.append(String.format(Locale.ROOT, " - %s: %.4f", e.getKey(), e.getValue()));
        }
        return sb.toString();
    }

    /** Independent seeds for the streams of one run (shuffling uses the seed itself). */
    static long derivedSeed(long seed, int stream) {
        return new Rng(seed ^ (0x632BE59BD9B4E019L * stream)).nextLong();
    }

    static void checkTrainable(Network model) {
        if (!model.parameters().hasGradients()) {
            throw new IllegalStateException(
                    "model '" + model.name() + "' cannot be trained: it was created for inference only "
                            + "and has no gradient buffers; use it with evaluate and Predictor");
        }
        if (!model.trainable()) {
            throw new IllegalStateException("model '" + model.name() + "' cannot be trained: it is declared "
                    + "@Network(inferenceOnly = true) or has a layer gradients cannot flow through (a BINARY_STEP "
                    + "activation, output activation " + model.outputActivation()
                    + "); use it with evaluate and Predictor");
        }
    }

    static void checkData(Network model, Loss loss, Dataset data, String what) {
        if (data.size() == 0) throw new IllegalArgumentException(what + " is empty");
        if (data.sampleSize() != model.inputSize()) {
            throw new IllegalArgumentException(what + " has samples of " + data.sampleSize() + " floats (shape "
                    + Arrays.toString(data.sampleShape()) + ") but model '" + model.name() + "' expects "
                    + model.inputSize() + " (shape " + Arrays.toString(model.inputShape()) + ")");
        }
        int outputs = model.outputSize();
        int expected = loss.targetColumns(outputs);
        int have = data.targetColumns();
        if (have != expected) {
            String hint = "";
            if (have == 1 && expected == outputs && outputs > 1) {
                hint =
                        "; for class indices use the sparse variant of the loss, or one-hot targets (Dataset.classification)";
            } else if (expected == 1 && have == outputs) {
                hint =
                        "; for one-hot targets use the non-sparse variant of the loss, or class indices (Dataset.withSparseLabels)";
            }
            throw new IllegalArgumentException(what + " has " + have + " target column" + (have == 1 ? "" : "s")
                    + " per sample but " + loss.name() + " on the " + outputs + " outputs of model '" + model.name()
                    + "' needs " + expected + hint);
        }
        TargetCheck.check(model, loss, data, what);
    }

    private static Metric[] instantiate(List<Supplier<? extends Metric>> suppliers) {
        Metric[] metrics = new Metric[suppliers.size()];
        for (int i = 0; i < metrics.length; i++) {
            metrics[i] = Objects.requireNonNull(suppliers.get(i).get(), "a metric factory returned null");
        }
        checkMetricNames(metrics);
        return metrics;
    }

    private static void checkMetricNames(Metric[] metrics) {
        Set<String> names = new HashSet<>();
        for (Metric m : metrics) {
            String name = m.name();
            if (name.equals("loss") || name.startsWith("val_")) {
                throw new IllegalArgumentException("metric name '" + name + "' clashes with the names fit reports");
            }
            if (!names.add(name)) throw new IllegalArgumentException("metric '" + name + "' is given twice");
        }
    }
}
