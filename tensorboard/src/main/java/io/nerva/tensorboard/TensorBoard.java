package io.nerva.tensorboard;

import io.nerva.runtime.Layer;
import io.nerva.runtime.Model;
import io.nerva.runtime.Param;
import io.nerva.runtime.train.Callback;
import io.nerva.runtime.train.History;
import io.nerva.runtime.train.TrainingControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keras' {@code TensorBoard} callback: after every epoch, writes the epoch's values as scalars into
 * two runs under the log directory, {@code train/} ({@code epoch_loss}, {@code epoch_accuracy}, …,
 * {@code epoch_learning_rate}) and {@code validation/} ({@code epoch_loss}, … from the
 * {@code val_*} values, and {@code evaluation_<name>_vs_iterations} at the optimizer step), and
 * every {@code histogramFreq} epochs a histogram of every weight
 * ({@code <model>/<layer>/kernel/histogram}). Steps are epochs from 0, as Keras.
 *
 * <pre>{@code
 * Fit.epochs(10).callback(new TensorBoard(Path.of("logs/fashion")).histogramFreq(1))
 * // then: tensorboard --logdir logs
 * }</pre>
 *
 * Files are flushed after every epoch (TensorBoard shows a run while it trains) and closed when
 * training ends. Each fit writes new event files; a log directory can hold many runs.
 */
public final class TensorBoard implements Callback {
    private final Path logDir;
    private int histogramFreq;
    private EventFileWriter train;
    private EventFileWriter validation;

    public TensorBoard(Path logDir) {
        this.logDir = Objects.requireNonNull(logDir, "logDir");
    }

    /** Weight histograms every {@code freq} epochs (0, the default as Keras, for none). */
    public TensorBoard histogramFreq(int freq) {
        if (freq < 0) throw new IllegalArgumentException("histogramFreq must be at least 0, got " + freq);
        this.histogramFreq = freq;
        return this;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public void onTrainBegin(TrainingControl control) {
        closeWriters();
        try {
            train = new EventFileWriter(logDir.resolve("train"));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "TensorBoard cannot write to " + logDir.resolve("train") + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, TrainingControl control) {
        try {
            if (train == null) onTrainBegin(control);
            // Histograms need the layer views, which every generated network (a Model) has; a bare Network gets scalars
            // only.
            List<Layer> layers = control.model() instanceof Model model ? model.layers() : List.of();
            writeEpoch(
                    epoch,
                    logs,
                    control.learningRate(),
                    control.step(),
                    control.model().name(),
                    layers);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "TensorBoard cannot write epoch " + epoch + " to " + logDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@link #onEpochEnd} writes, from plain values: the scalars of {@code logs}, the
     * learning rate, and (every {@link #histogramFreq} epochs) the histograms of {@code layers}.
     */
    void writeEpoch(
            int epoch, Map<String, Double> logs, double learningRate, long step, String modelName, List<Layer> layers)
            throws IOException {
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("val_")) {
                if (validation == null) validation = new EventFileWriter(logDir.resolve("validation"));
                String base = name.substring(4);
                validation.scalar("epoch_" + base, epoch, e.getValue());
                validation.scalar("evaluation_" + base + "_vs_iterations", step, e.getValue());
            } else {
                train.scalar("epoch_" + name, epoch, e.getValue());
            }
        }
        train.scalar("epoch_learning_rate", epoch, learningRate);
        if (histogramFreq > 0 && epoch % histogramFreq == 0) {
            for (Layer layer : layers) {
                for (Param p : layer.params()) {
                    String kind = p.name().substring(p.name().lastIndexOf('.') + 1); // "dense.kernel" -> "kernel"
                    train.histogram(modelName + "/" + layer.name() + "/" + kind + "/histogram", epoch, p.get());
                }
            }
        }
        train.flush();
        if (validation != null) validation.flush();
    }

    @Override
    public void onTrainEnd(History history, TrainingControl control) {
        closeWriters();
    }

    private void closeWriters() {
        try {
            if (train != null) train.close();
            if (validation != null) validation.close();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "TensorBoard cannot close its event files in " + logDir + ": " + e.getMessage(), e);
        } finally {
            train = null;
            validation = null;
        }
    }
}
