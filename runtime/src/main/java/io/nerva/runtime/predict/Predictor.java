package io.nerva.runtime.predict;

import io.nerva.annotations.LossFunction;
import io.nerva.runtime.core.Finite;
import io.nerva.runtime.core.Network;
import io.nerva.runtime.core.Parameters;
import io.nerva.runtime.core.Workspace;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.progress.ProgressBar;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Thread-safe inference: any number of threads may call the {@code predict} methods at once.
 * Each call borrows an inference workspace from a small lock-free pool and returns it; a new
 * workspace is made only when every pooled one is in use. The pool is an array of slots rather
 * than a concurrent queue so that borrowing and returning allocate nothing, which keeps
 * {@link #predict(float[], float[])} and {@link #predictClass} allocation-free once warm.
 *
 * <p>This relies on {@link Network#forward} keeping all per-call state in the workspace, as the
 * generated models do. Each call holds the model's {@link Parameters} gate shared for its forward
 * passes, so a concurrent {@code load}, training step or {@link io.nerva.runtime.Param#set} is seen entirely or not
 * at all, and closing the model waits for the calls in flight. {@link #close()} refuses new calls
 * ({@code IllegalStateException}: "model X is closed") and frees the pooled workspaces; workspaces
 * in use are freed when their call returns. It does not free the model's parameters.
 */
public final class Predictor implements AutoCloseable {
    /** Rows per workspace unless told otherwise. */
    public static final int DEFAULT_CAPACITY = 256;

    private final Network model;
    private final String name;
    private final int capacity;
    private final int inputSize;
    private final int outputSize;
    private final String shape;
    private final AtomicReferenceArray<Workspace> pool;
    /**
     * One-row workspaces for {@link #predict(float[], float[])} and {@link #predictClass}: a sample
     * needs 4 KB where a full workspace is {@code capacity} rows (1 MB for a 784-input MLP), whose
     * first touch costs milliseconds, e.g. in an application that predicts one image and exits.
     */
    private final AtomicReferenceArray<Workspace> singlePool;
    /** Input-gradient workspaces ({@link #inputGradient}), made on first use. */
    private final AtomicReferenceArray<Workspace> gradientPool;

    private volatile boolean closed;

    public Predictor(Network model) {
        this(model, DEFAULT_CAPACITY);
    }

    /** A predictor whose workspaces hold {@code capacity} rows (larger batches go in chunks). */
    public Predictor(Network model, int capacity) {
        this.model = Objects.requireNonNull(model, "model");
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1 row, got " + capacity);
        this.capacity = capacity;
        this.inputSize = model.inputSize();
        this.outputSize = model.outputSize();
        this.name = model.name();
        Parameters params = model.parameters();
        if (params != null) params.owner(name);
        this.shape = shapeString(model.inputShape());
        this.pool =
                new AtomicReferenceArray<>(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
        this.gradientPool = new AtomicReferenceArray<>(pool.length());
        this.singlePool = new AtomicReferenceArray<>(pool.length());
    }

    /**
     * {@code "28x28x1"}. A loop, not a stream: a predictor is made by every model's constructor, on
     * the way to an embedded model's first prediction, where a stream's lambda bootstrap shows.
     */
    private static String shapeString(int[] shape) {
        StringBuilder s = new StringBuilder();
        for (int d = 0; d < shape.length; d++) {
            if (d > 0) s.append('x');
            s.append(shape[d]);
        }
        return s.toString();
    }

    public Network model() {
        return model;
    }

    public int inputSize() {
        return inputSize;
    }

    public int outputSize() {
        return outputSize;
    }

    /** The model's output for one sample. */
    public float[] predict(float[] sample) {
        float[] out = new float[outputSize];
        predict(sample, out);
        return out;
    }

    /** Writes the output for one sample into {@code out} (at least {@link #outputSize()} floats); returns {@code out}. */
    public float[] predict(float[] sample, float[] out) {
        checkSample(sample);
        checkOut(out, outputSize);
        checkOpen();
        Parameters params = model.parameters();
        long stamp = params.beginRead(name);
        try {
            Workspace ws = borrow(singlePool, 1);
            try {
                MemorySegment.copy(sample, 0, ws.input(), ValueLayout.JAVA_FLOAT, 0, inputSize);
                model.forward(ws, 1, false);
                MemorySegment.copy(ws.output(), ValueLayout.JAVA_FLOAT, 0, out, 0, outputSize);
            } finally {
                giveBack(singlePool, ws);
            }
        } finally {
            params.endRead(stamp);
        }
        return out;
    }

    /** The index of the largest output (the first one on ties): the predicted class. Allocation-free. */
    public int predictClass(float[] sample) {
        checkSample(sample);
        checkOpen();
        Parameters params = model.parameters();
        long stamp = params.beginRead(name);
        try {
            Workspace ws = borrow(singlePool, 1);
            try {
                MemorySegment.copy(sample, 0, ws.input(), ValueLayout.JAVA_FLOAT, 0, inputSize);
                model.forward(ws, 1, false);
                MemorySegment output = ws.output();
                int best = 0;
                float max = output.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
                for (int j = 1; j < outputSize; j++) {
                    float v = output.getAtIndex(ValueLayout.JAVA_FLOAT, j);
                    if (v > max) {
                        max = v;
                        best = j;
                    }
                }
                return best;
            } finally {
                giveBack(singlePool, ws);
            }
        } finally {
            params.endRead(stamp);
        }
    }

    /** One output row per input row. */
    public float[][] predict(float[][] batch) {
        Objects.requireNonNull(batch, "batch");
        float[] flat = new float[batch.length * inputSize];
        for (int r = 0; r < batch.length; r++) {
            float[] row = Objects.requireNonNull(batch[r], "row " + r);
            if (row.length != inputSize) {
                throw new IllegalArgumentException(
                        "row " + r + ": expected " + inputSize + " floats (shape " + shape + "), got " + row.length);
            }
            System.arraycopy(row, 0, flat, r * inputSize, inputSize);
        }
        float[] outFlat = predictBatch(flat, batch.length);
        float[][] out = new float[batch.length][];
        for (int r = 0; r < batch.length; r++)
            out[r] = Arrays.copyOfRange(outFlat, r * outputSize, (r + 1) * outputSize);
        return out;
    }

    /** Outputs for {@code rows} row-major samples, as {@code rows × outputSize} floats. */
    public float[] predictBatch(float[] flat, int rows) {
        return predictBatch(flat, rows, new float[Math.multiplyExact(rows, outputSize)]);
    }

    /** As {@link #predictBatch(float[], int)} into {@code out}; runs in chunks of the workspace capacity. */
    public float[] predictBatch(float[] flat, int rows, float[] out) {
        Objects.requireNonNull(flat, "flat");
        if (rows < 0) throw new IllegalArgumentException("rows must not be negative, got " + rows);
        if ((long) rows * inputSize != flat.length) {
            throw new IllegalArgumentException("expected " + rows + " rows × " + inputSize + " floats (shape " + shape
                    + ") = " + (long) rows * inputSize + ", got " + flat.length);
        }
        checkFinite(flat, true);
        checkOut(out, (long) rows * outputSize);
        checkOpen();
        if (rows == 0) return out;
        Parameters params = model.parameters();
        long stamp = params.beginRead(name);
        try {
            Workspace ws = borrow();
            try {
                for (int start = 0; start < rows; start += capacity) {
                    int n = Math.min(capacity, rows - start);
                    MemorySegment.copy(flat, start * inputSize, ws.input(), ValueLayout.JAVA_FLOAT, 0, n * inputSize);
                    model.forward(ws, n, false);
                    MemorySegment.copy(ws.output(), ValueLayout.JAVA_FLOAT, 0, out, start * outputSize, n * outputSize);
                }
            } finally {
                giveBack(ws);
            }
        } finally {
            params.endRead(stamp);
        }
        return out;
    }

    // ---------------------------------------------------------------- looking inside

    /**
     * The outputs of layer {@code layer} (declaration order) for {@code rows} row-major samples, into {@code out}
     * ({@code rows ×} that layer's output size {@code width}; only that much is copied). The network runs only up
     * to that layer. {@code Model.intermediate} finds the layer and its width by name.
     */
    public float[] intermediate(int layer, int width, float[] flat, int rows, float[] out) {
        if (layer < 0 || width < 1) {
            throw new IndexOutOfBoundsException(
                    "layer " + layer + " of " + name + " with " + width + " floats per sample");
        }
        checkRows(flat, rows);
        checkOut(out, (long) rows * width);
        checkOpen();
        if (rows == 0) return out;
        Parameters params = model.parameters();
        long stamp = params.beginRead(name);
        try {
            Workspace ws = borrow();
            try {
                long have = ws.layerOutput(layer).byteSize() / Float.BYTES / ws.capacity();
                if (have != width) {
                    throw new IllegalArgumentException(
                            "layer " + layer + " of " + name + " has " + have + " floats per sample, not " + width);
                }
                for (int start = 0; start < rows; start += capacity) {
                    int n = Math.min(capacity, rows - start);
                    MemorySegment.copy(flat, start * inputSize, ws.input(), ValueLayout.JAVA_FLOAT, 0, n * inputSize);
                    model.forwardTo(ws, n, layer);
                    MemorySegment.copy(ws.layerOutput(layer), ValueLayout.JAVA_FLOAT, 0, out, start * width, n * width);
                }
            } finally {
                giveBack(ws);
            }
        } finally {
            params.endRead(stamp);
        }
        return out;
    }

    /**
     * Gradients of {@code function} w.r.t. the input, for {@code rows} row-major samples and their targets
     * ({@code rows ×} the loss' target columns): row {@code r} of {@code out} is the gradient of sample
     * {@code r}'s own loss w.r.t. sample {@code r}. The forward pass runs as {@link #predict} does (inference
     * mode); the model's parameter gradients are not touched, so this may run beside predictions.
     */
    public float[] inputGradient(float[] flat, int rows, float[] targets, float[] out, LossFunction function) {
        Objects.requireNonNull(function, "loss");
        if (function == LossFunction.UNSPECIFIED) {
            throw new IllegalArgumentException(
                    name + " declares no loss (@Network(loss = ...)): name the loss whose gradient you want");
        }
        Loss loss = Loss.of(function);
        checkRows(flat, rows);
        int columns = loss.targetColumns(outputSize);
        Objects.requireNonNull(targets, "targets");
        if ((long) rows * columns != targets.length) {
            throw new IllegalArgumentException("expected " + rows + " target rows × " + columns + " floats for "
                    + function + " = " + (long) rows * columns + ", got " + targets.length);
        }
        checkOut(out, (long) rows * inputSize);
        checkOpen();
        if (rows == 0) return out;
        boolean fused = loss.fusesWith(model.outputActivation());
        MemorySegment allTargets = MemorySegment.ofArray(targets);
        Parameters params = model.parameters();
        long stamp = params.beginRead(name);
        try {
            Workspace ws = borrowGradient();
            try {
                for (int start = 0; start < rows; start += capacity) {
                    int n = Math.min(capacity, rows - start);
                    MemorySegment.copy(flat, start * inputSize, ws.input(), ValueLayout.JAVA_FLOAT, 0, n * inputSize);
                    model.forward(ws, n, false);
                    loss.compute(
                            ws.logits(),
                            ws.output(),
                            allTargets.asSlice((long) start * columns * Float.BYTES),
                            n,
                            outputSize,
                            model.outputActivation(),
                            ws.outputGrad());
                    model.backward(ws, n, fused);
                    // the loss is the mean over the n rows: scale back to each sample's own loss
                    MemorySegment grad = ws.inputGrad();
                    for (int i = 0; i < n * inputSize; i++) {
                        out[start * inputSize + i] = grad.getAtIndex(ValueLayout.JAVA_FLOAT, i) * n;
                    }
                }
            } finally {
                giveBack(gradientPool, ws);
            }
        } finally {
            params.endRead(stamp);
        }
        return out;
    }

    private static long count(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    private void checkRows(float[] flat, int rows) {
        Objects.requireNonNull(flat, "samples");
        if (rows < 0) throw new IllegalArgumentException("rows must not be negative, got " + rows);
        if ((long) rows * inputSize != flat.length) {
            throw new IllegalArgumentException("expected " + rows + " rows × " + inputSize + " floats (shape " + shape
                    + ") = " + (long) rows * inputSize + ", got " + flat.length);
        }
        checkFinite(flat, true);
    }

    // ---------------------------------------------------------------- checks

    private void checkSample(float[] sample) {
        Objects.requireNonNull(sample, "sample");
        if (sample.length != inputSize) {
            throw new IllegalArgumentException(
                    "expected " + inputSize + " floats (shape " + shape + "), got " + sample.length);
        }
        checkFinite(sample, false);
    }

    private void checkFinite(float[] values, boolean rows) {
        int i = Finite.firstNonFinite(values);
        if (i >= 0) {
            throw new IllegalArgumentException(
                    (rows ? "row " + i / inputSize + ", feature " + i % inputSize : "sample[" + i + "]") + " is "
                            + values[i]);
        }
    }

    private static void checkOut(float[] out, long needed) {
        Objects.requireNonNull(out, "out");
        if (out.length < needed)
            throw new IllegalArgumentException("out has " + out.length + " floats, needs " + needed);
    }

    // ---------------------------------------------------------------- pool

    private void checkOpen() {
        if (closed) throw Parameters.closedException(name, "");
    }

    private Workspace borrow() {
        return borrow(pool, capacity);
    }

    /** An inference workspace of {@code rows} rows from {@code from}, or a new one if every pooled one is in use. */
    private Workspace borrow(AtomicReferenceArray<Workspace> from, int rows) {
        checkOpen();
        for (int i = 0; i < from.length(); i++) {
            Workspace ws = from.get(i);
            if (ws != null && from.compareAndSet(i, ws, null)) return ws;
        }
        return model.newWorkspace(rows, false, 0L);
    }

    private Workspace borrowGradient() {
        checkOpen();
        for (int i = 0; i < gradientPool.length(); i++) {
            Workspace ws = gradientPool.get(i);
            if (ws != null && gradientPool.compareAndSet(i, ws, null)) return ws;
        }
        return model.newWorkspace(capacity, true, 0L, true);
    }

    private void giveBack(Workspace ws) {
        giveBack(pool, ws);
    }

    private void giveBack(AtomicReferenceArray<Workspace> pool, Workspace ws) {
        for (int i = 0; i < pool.length(); i++) {
            if (pool.get(i) == null && pool.compareAndSet(i, null, ws)) {
                // close() may have emptied the pool meanwhile: take it back out unless close() got it
                if (closed && pool.compareAndSet(i, ws, null)) ws.close();
                return;
            }
        }
        ws.close(); // pool full: more threads than slots at this moment
    }

    /**
     * Refuses new calls and frees the pooled workspaces; workspaces in use are freed when their
     * call returns. Idempotent. The model's parameters are freed by {@link Parameters#close()},
     * which waits for the calls in flight.
     */
    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < pool.length(); i++) {
            Workspace ws = pool.getAndSet(i, null);
            if (ws != null) ws.close();
            ws = gradientPool.getAndSet(i, null);
            if (ws != null) ws.close();
            ws = singlePool.getAndSet(i, null);
            if (ws != null) ws.close();
        }
    }

    /**
     * The outputs of every sample of {@code data}, in batches of {@code batch} rows through one
     * inference workspace; {@code bar} (or null) advances once per batch. The data's sample size
     * must match the network's input.
     */
    public static float[][] predictDataset(Network network, Dataset data, int batch, ProgressBar bar) {
        int n = data.size();
        int cols = network.outputSize();
        float[][] out = new float[n][cols];
        try (Workspace ws = network.newWorkspace(batch, false, 0)) {
            int step = 0;
            for (int start = 0; start < n; start += batch) {
                int rows = Math.min(batch, n - start);
                data.copyFeatures(start, rows, ws.input(), 0);
                network.forward(ws, rows, false);
                for (int r = 0; r < rows; r++) {
                    MemorySegment.copy(
                            ws.output(),
                            ValueLayout.JAVA_FLOAT,
                            (long) r * cols * Float.BYTES,
                            out[start + r],
                            0,
                            cols);
                }
                if (bar != null) bar.update(++step, null);
            }
        }
        return out;
    }
}
