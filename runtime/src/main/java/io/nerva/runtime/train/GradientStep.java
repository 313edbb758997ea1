package io.nerva.runtime.train;

import io.nerva.runtime.core.Network;
import io.nerva.runtime.core.Parameters;
import io.nerva.runtime.core.Workspace;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.optim.Optimizer;
import io.nerva.runtime.optim.Optimizers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Objects;

/**
 * A training step of {@link Trainer#fit} split in two, for data-parallel training: each worker
 * {@link #computeGradients computes} the gradient of its share of a batch, the workers reduce
 * the gradients among themselves, and each {@link #applyGradients applies} the reduced gradient
 * with the same optimizer step. {@code computeGradients} then {@code applyGradients} on a whole
 * batch gives, bit for bit, the weights of one {@code fit} step on that batch with the same
 * {@link Fit} (same loss, optimizer, learning rate schedule and dropout seed).
 *
 * <p>Like the training loop, a step owns a training workspace, a target buffer and the optimizer
 * state, allocated here, so neither half allocates on the heap. Both halves hold the parameters'
 * write gate. The state can be written to and resumed from a {@link Checkpoint} that {@code fit}
 * reads and writes ({@link Checkpoint#write(java.nio.file.Path, Network, GradientStep, int, int, int, int, long)}).
 */
public final class GradientStep implements AutoCloseable {
    private final Network model;
    private final String modelName;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Parameters params;
    private final boolean fused;
    private final int inputSize;
    private final int outputSize;
    private final int targetColumns;
    private final Arena arena = Arena.ofShared();
    private final Workspace ws;
    private final MemorySegment targets;
    private final MemorySegment state;
    /** The optimizer step over the trained runs, as fit takes it. */
    private final ParameterUpdate update;
    /** The {@code @Regularize} penalties, or null when the model has none (added as fit adds them). */
    private final Regularization regularization;

    private long step;

    private GradientStep(
            Network model, Loss loss, Optimizer optimizer, int capacity, int targetColumns, long dropoutSeed) {
        this.model = model;
        this.modelName = model.name();
        this.loss = loss;
        this.optimizer = optimizer;
        this.params = model.parameters();
        this.regularization = Regularization.of(params);
        this.fused = loss.fusesWith(model.outputActivation());
        this.inputSize = model.inputSize();
        this.outputSize = model.outputSize();
        this.targetColumns = targetColumns;
        Workspace w = model.newWorkspace(capacity, true, dropoutSeed);
        try {
            this.targets = arena.allocate((long) capacity * targetColumns * Float.BYTES, 64);
            // Arena memory is zeroed: the optimizer starts from a clean state, as in fit.
            this.state = arena.allocate(Math.max(1L, (long) optimizer.stateSlots() * params.count()) * Float.BYTES, 64);
            this.update = new ParameterUpdate(
                    params, optimizer, state, ParameterUpdate.backupFor(optimizer, params, arena), modelName);
        } catch (RuntimeException | Error e) {
            w.close();
            arena.close();
            throw e;
        }
        this.ws = w;
    }

    /**
     * A step for {@code model} with the loss, optimizer and seed of {@code fit}, as {@link Trainer#fit}
     * would train it, for batches of up to {@code capacity} rows of {@code targetColumns} target floats
     * each (1 for sparse labels, the class count for one-hot targets).
     */
    public static GradientStep of(Network model, Fit fit, int capacity, int targetColumns) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(fit, "fit");
        Optimizer optimizer = FitSettings.of(fit).requireOptimizer();
        Loss loss = FitSettings.of(fit).resolveLoss(model);
        Trainer.checkTrainable(model);
        String mismatch = loss.function().mismatch(model.outputActivation(), model.outputSize(), "the last layer");
        if (mismatch != null) throw new IllegalArgumentException(model.name() + ": " + mismatch);
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1 row, got " + capacity);
        int expected = loss.targetColumns(model.outputSize());
        if (targetColumns != expected) {
            throw new IllegalArgumentException(model.name() + ": " + loss.function() + " on " + model.outputSize()
                    + " outputs takes " + expected + " target column(s) per row, got " + targetColumns);
        }
        return new GradientStep(model, loss, optimizer, capacity, targetColumns, Trainer.derivedSeed(fit.seed(), 1));
    }

    /**
     * Forward and backward over {@code rows} samples ({@code features}: rows × input size floats,
     * {@code targets}: rows × target columns), leaving the gradient of their mean loss in
     * {@link #gradients()}; the weights do not change. Returns the mean loss.
     *
     * @throws TrainingDivergedException when the loss or a gradient is NaN or infinite
     */
    public double computeGradients(float[] features, float[] targets, int rows) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, "targets");
        if (rows < 1 || rows > ws.capacity()) {
            throw new IllegalArgumentException(
                    "expected 1 to " + ws.capacity() + " rows (this step's capacity), got " + rows);
        }
        if (features.length < (long) rows * inputSize || targets.length < (long) rows * targetColumns) {
            throw new IllegalArgumentException(rows + " rows need " + (long) rows * inputSize + " feature floats and "
                    + (long) rows * targetColumns + " target floats, got " + features.length + " and "
                    + targets.length);
        }
        long gate = params.beginWrite(modelName);
        try {
            MemorySegment.copy(features, 0, ws.input(), ValueLayout.JAVA_FLOAT, 0, rows * inputSize);
            MemorySegment.copy(targets, 0, this.targets, ValueLayout.JAVA_FLOAT, 0, rows * targetColumns);
            model.forward(ws, rows, true);
            double l = loss.compute(
                    ws.logits(),
                    ws.output(),
                    this.targets,
                    rows,
                    outputSize,
                    model.outputActivation(),
                    ws.outputGrad());
            if (!Double.isFinite(l)) {
                throw new TrainingDivergedException(
                        String.format(
                                Locale.ROOT,
                                "loss is %s computing the gradients for step %d: training diverged; the weights are unchanged. "
                                        + "Try a lower learning rate or check the inputs for large values",
                                l,
                                step + 1),
                        0,
                        step + 1,
                        null,
                        true);
            }
            if (regularization != null) l += regularization.penalty(params.values());
            model.backward(ws, rows, fused);
            if (regularization != null) regularization.addGradient(params.values(), params.grads());
            Divergence.gradients(params, "computing the gradients for step " + (step + 1), -1, step + 1);
            return l;
        } finally {
            params.endWrite(gate);
        }
    }

    /** The model's gradient buffer ({@code parameters().count()} floats), as {@link #computeGradients} left it. */
    public MemorySegment gradients() {
        return params.grads().asSlice(0, params.count() * Float.BYTES);
    }

    /** Copies the gradient {@link #computeGradients} left into {@code dst} (at least the parameter count). */
    public float[] copyGradients(float[] dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.length < params.count()) {
            throw new IllegalArgumentException(
                    "dst has " + dst.length + " floats, the model has " + params.count() + " parameters");
        }
        MemorySegment.copy(params.grads(), ValueLayout.JAVA_FLOAT, 0, dst, 0, (int) params.count());
        return dst;
    }

    /**
     * One optimizer step with {@code grads} (one float per parameter, in buffer order) as the
     * gradient, at the rate the schedule gives for the next step in epoch {@code epoch} (from 0).
     * The gradient is copied into the model's gradient buffer first, as the update in {@code fit}
     * reads it from there. Divergence is caught as in {@code fit}: a non-finite gradient or rate
     * throws before anything changes.
     */
    public void applyGradients(float[] grads, int epoch) {
        Objects.requireNonNull(grads, "grads");
        if (grads.length != params.count()) {
            throw new IllegalArgumentException(
                    "expected " + params.count() + " gradient floats (one per parameter), got " + grads.length);
        }
        if (epoch < 0) throw new IllegalArgumentException("epoch counts from 0, got " + epoch);
        long next = step + 1;
        String where = String.format(Locale.ROOT, "at epoch %d, step %d", epoch + 1, next);
        long gate = params.beginWrite(modelName);
        try {
            MemorySegment.copy(grads, 0, params.grads(), ValueLayout.JAVA_FLOAT, 0, grads.length);
            double lr = optimizer.learningRate().at(next, epoch);
            Divergence.rate(lr, where, epoch, next);
            Divergence.gradients(params, where, epoch, next);
            update.apply(next, lr, epoch, (e, s) -> where);
            step = next;
        } finally {
            params.endWrite(gate);
        }
    }

    /** Optimizer steps applied so far (restored from a checkpoint too). */
    public long step() {
        return step;
    }

    public Network model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Rows per {@link #computeGradients} call at most. */
    public int capacity() {
        return ws.capacity();
    }

    public int targetColumns() {
        return targetColumns;
    }

    /** The optimizer state, {@code stateSlots × count} floats, planar as {@link Optimizers} lays it out. */
    MemorySegment optimizerState() {
        return state;
    }

    /** The state of the workspace's dropout generator. */
    long dropoutRngState() {
        return ws.rng().state();
    }

    /** Continues from a checkpoint; the caller has loaded the weights and the optimizer state. */
    void restore(long step, long dropoutRngState) {
        this.step = step;
        ws.rng().setState(dropoutRngState);
    }

    @Override
    public void close() {
        try {
            ws.close();
        } finally {
            arena.close();
        }
    }
}
