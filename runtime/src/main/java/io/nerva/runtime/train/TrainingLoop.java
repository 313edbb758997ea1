package io.nerva.runtime.train;

import io.nerva.annotations.ActivationType;
import io.nerva.blas.Parallel;
import io.nerva.runtime.core.Network;
import io.nerva.runtime.core.Parameters;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.core.Workspace;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.metric.Metric;
import io.nerva.runtime.optim.Optimizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The buffers and the step of one training run: one training workspace, an off-heap target
 * buffer and the optimizer state, all allocated up front so that {@link #trainBatch} allocates
 * nothing on the heap. Used by {@link Trainer} and {@link AllocationProbe}.
 */
final class TrainingLoop implements AutoCloseable, ParameterUpdate.StepName {
    private final Network model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Dataset data;
    private final Parameters params;
    private final ActivationType outputActivation;
    private final boolean fused;
    private final int inputBytes;
    private final int targetColumns;
    private final int targetBytes;
    private final int outputSize;
    private final int batch;
    private final boolean shuffle;
    private final Rng shuffleRng;
    private final int[] order;
    private final Arena arena = Arena.ofShared();
    private final Workspace ws;
    private final MemorySegment targets;
    private final MemorySegment state;

    private final String modelName;
    /** The {@code @Regularize} penalties, or null when the model has none. */
    private final Regularization regularization;
    /** The optimizer step over the trained runs, shared with {@link GradientStep}. */
    private final ParameterUpdate update;

    private long step;
    /** Told after every training batch (progress, batch callbacks); null when no one listens. */
    private BatchListener batchListener;
    /** A rate set by a callback (ReduceLROnPlateau, LearningRateScheduler), replacing the optimizer's schedule; NaN when unset. */
    private double lrOverride = Double.NaN;

    /** Told after every training batch; returning true ends the epoch after that batch. */
    @FunctionalInterface
    interface BatchListener {
        /** @param batch counting from 0 in this epoch; {@code loss} is the batch's mean loss (may be NaN). */
        boolean afterBatch(int epoch, int batch, int rows, double loss);
    }
    /** For messages: the epoch count and the batch within the epoch of the step running. */
    private int epochs = 1;

    private int batchIndex;

    TrainingLoop(Network model, Loss loss, Optimizer optimizer, Dataset data, int batch, long seed, boolean shuffle) {
        this.model = model;
        this.modelName = model.name();
        this.loss = loss;
        this.optimizer = optimizer;
        this.data = data;
        this.params = model.parameters();
        this.regularization = Regularization.of(params);
        this.outputActivation = model.outputActivation();
        this.fused = loss.fusesWith(outputActivation);
        this.inputBytes = model.inputSize() * Float.BYTES;
        this.outputSize = model.outputSize();
        this.targetColumns = data.targetColumns();
        this.targetBytes = targetColumns * Float.BYTES;
        this.batch = Math.min(batch, data.size());
        this.shuffle = shuffle;
        this.shuffleRng = new Rng(seed);
        this.order = new int[data.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Workspace w = model.newWorkspace(this.batch, true, Trainer.derivedSeed(seed, 1));
        try {
            this.targets = arena.allocate((long) this.batch * targetBytes, 64);
            // Arena memory is zeroed: the optimizer starts from a clean state.
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

    int batch() {
        return batch;
    }

    int stepsPerEpoch() {
        return (data.size() + batch - 1) / batch;
    }

    long step() {
        return step;
    }

    /** The input buffer a batch is copied into (tests). */
    MemorySegment input() {
        return ws.input();
    }

    MemorySegment optimizerState() {
        return state;
    }

    long shuffleRngState() {
        return shuffleRng.state();
    }

    /** The state of the training workspace's random generator (dropout masks). */
    long dropoutRngState() {
        return ws.rng().state();
    }

    Optimizer optimizer() {
        return optimizer;
    }

    void batchListener(BatchListener listener) {
        this.batchListener = listener;
    }

    /** The rate the next step of {@code epoch} uses: a callback's override, else the optimizer's schedule. */
    double learningRate(int epoch) {
        return learningRate(step + 1, epoch);
    }

    private double learningRate(long step, int epoch) {
        return Double.isNaN(lrOverride) ? optimizer.learningRate().at(step, epoch) : lrOverride;
    }

    /** Replaces the optimizer's schedule by this constant rate for the rest of the run. */
    void overrideLearningRate(double lr) {
        this.lrOverride = lr;
    }

    Parameters parameters() {
        return params;
    }

    /** Training samples per epoch. */
    int samples() {
        return data.size();
    }

    /**
     * Continues a run from a checkpoint: the step counter and both random generators. The
     * optimizer state is loaded into {@link #optimizerState()} by the caller. As every epoch
     * shuffles the identity order, these are all the next epochs depend on.
     */
    void restore(long step, long shuffleRngState, long dropoutRngState) {
        this.step = step;
        shuffleRng.setState(shuffleRngState);
        ws.rng().setState(dropoutRngState);
    }

    /** One pass over the data; returns the loss averaged per sample (as Keras reports it). */
    double epoch(int epoch, int epochs, Metric[] metrics) {
        int n = data.size();
        if (shuffle) {
            // From the identity every time, so an epoch's order depends only on the generator's
            // state (which a checkpoint records), not on the orders of the epochs before.
            for (int i = 0; i < n; i++) order[i] = i;
            shuffleRng.shuffle(order, n);
        }
        for (Metric m : metrics) m.reset();
        this.epochs = epochs;
        double sum = 0;
        batchIndex = 0;
        int seen = 0;
        for (int start = 0; start < n; start += batch) {
            int rows = Math.min(batch, n - start);
            batchIndex++;
            double l = trainBatch(start, rows, epoch, metrics);
            // A non-finite loss reaches here only when a listener (TerminateOnNaN) ended the run at it,
            // before anything was applied; otherwise the listener comes after the step.
            if (!Double.isFinite(l)
                    || batchListener != null && batchListener.afterBatch(epoch, batchIndex - 1, rows, l)) {
                return (sum + l * rows) / (seen + rows);
            }
            sum += l * rows;
            seen += rows;
        }
        return sum / n;
    }

    /**
     * The training step on samples {@code order[start .. start+rows)}: copy them in, forward,
     * loss and its gradient, backward, optimizer update, metrics. Returns the batch's mean loss.
     *
     * <p>Holds the parameters' write gate for the step (a concurrent prediction sees the weights
     * before or after it) and checks for divergence without losing the weights (see
     * {@link Divergence}): a non-finite loss, rate or gradient throws before the update, so the
     * weights are those of the last finite step; so does a custom optimizer's non-finite result
     * (restored from a copy).
     */
    /**
     * Copies samples {@code order[start .. start+rows)} into the input and target buffers. A large
     * batch is copied on {@link Parallel}'s threads by columns, at the edges the first layer's
     * product splits its weight rows at ({@link Parallel#blockStart}), so each core writes the input
     * columns it multiplies next.
     */
    void copyBatch(int start, int rows) {
        batchStart = start;
        batchRows = rows;
        int columns = model.inputSize();
        int parts = (long) rows * columns >= MIN_PARALLEL_COPY && Parallel.available() && Parallel.shared(ws.input())
                ? Math.min(Parallel.threads(), columns / (2 * Parallel.ROW_ALIGN))
                : 1;
        if (parts > 1) Parallel.run(batchCopy, parts);
        else batchCopy.run(0, 1);
    }

    /** Batches of fewer input floats are copied on the calling thread. */
    private static final long MIN_PARALLEL_COPY = 1L << 14;

    private int batchStart, batchRows;

    private final Parallel.Task batchCopy = this::copyBatchPart;

    /** Part {@code part} of {@link #copyBatch}: its columns of every sample, and (part 0) the targets. */
    private void copyBatchPart(int part, int parts) {
        MemorySegment input = ws.input();
        int columns = model.inputSize();
        int from = Parallel.blockStart(part, columns, parts), to = Parallel.blockStart(part + 1, columns, parts);
        for (int r = 0; r < batchRows; r++) {
            int i = order[batchStart + r];
            data.copyFeatures(i, from, to - from, input, ((long) r * columns + from) * Float.BYTES);
            if (part == 0) data.copyTargets(i, 1, targets, (long) r * targetBytes);
        }
    }

    double trainBatch(int start, int rows, int epoch, Metric[] metrics) {
        copyBatch(start, rows);
        long next = step + 1;
        double l;
        long gate = params.beginWrite(modelName);
        try {
            model.forward(ws, rows, true);
            l = loss.compute(ws.logits(), ws.output(), targets, rows, outputSize, outputActivation, ws.outputGrad());
            if (regularization != null) l += regularization.penalty(params.values());
            double lr = learningRate(next, epoch);
            if (!Double.isFinite(l)) {
                if (batchListener != null && batchListener.afterBatch(epoch, batchIndex - 1, rows, l)) return l;
                throw Divergence.loss(l, where(epoch, next), epoch, next, lr);
            }
            if (!Float.isFinite((float) lr) || !(lr >= 0)) Divergence.rate(lr, where(epoch, next), epoch, next);
            model.backward(ws, rows, fused);
            if (regularization != null) regularization.addGradient(params.values(), params.grads());
            if (update.firstNonFiniteGradient() >= 0) {
                Divergence.gradients(params, where(epoch, next), epoch, next);
            }
            update.apply(next, lr, epoch, this);
            step = next;
        } finally {
            params.endWrite(gate);
        }
        for (Metric m : metrics) m.update(ws.output(), targets, rows, outputSize, targetColumns);
        return l;
    }

    @Override
    public String where(int epoch, long s) {
        return Divergence.where(epoch, epochs, s, batchIndex, stepsPerEpoch());
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
