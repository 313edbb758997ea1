package io.nerva.runtime.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;

/**
 * All parameters of a model in one contiguous, 64-byte aligned off-heap buffer, and their
 * gradients in a second buffer with the same offsets, so that an optimizer step is one loop.
 *
 * <p><b>Concurrency.</b> The buffer is guarded by a read/write gate: passes that read the
 * weights (a prediction, a save's snapshot) hold it shared, and anything that changes them as a
 * whole (a load's final copy, a training step, {@link io.nerva.runtime.Param#set}) holds it exclusively, so a
 * prediction sees all-old or all-new weights, never a mix. {@link #close()} takes the gate
 * exclusively, so it waits for every pass in flight before freeing the memory; any later
 * {@link #beginRead}/{@link #beginWrite} throws {@link IllegalStateException} ("model X is
 * closed"). Closing twice is a no-op. The gate is not reentrant: a thread holding it must not
 * take it again.
 */
public final class Parameters implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final StampedLock gate = new StampedLock();
    /**
     * Held by a writer from before it asks for the gate until it releases it. StampedLock lets a
     * reader in whenever no writer holds the gate, even while one waits, so a steady stream of
     * overlapping predictions would starve a load or close forever; readers that see a writer
     * waiting queue on this lock first.
     */
    private final ReentrantLock writerTurn = new ReentrantLock();

    private volatile int writersWaiting;
    /** Written only under the exclusive gate; volatile for {@link #isClosed()}. */
    private volatile boolean closed;
    /** The model's name in messages; set by the model's {@link io.nerva.runtime.predict.Predictor}. */
    private volatile String owner = "this model";

    private final List<ParamSpec> specs;
    private final Map<String, ParamSpec> byName = new LinkedHashMap<>();
    private final long count;
    private final MemorySegment values;
    private final MemorySegment grads;
    /** Per tensor, in spec order: whether the optimizer updates it now (a trainable spec whose layer is not frozen). */
    private final boolean[] trained;
    /** The trained tensors merged into runs of the buffer, {@code [start, end)} pairs in floats; replaced, never changed. */
    private volatile long[] trainedRanges;
    /** Counts changes of {@link #trained}, so a training run can tell that it changed under it. */
    private volatile int trainableVersion;

    /** Lays out the given tensors back to back; their offsets must already be consecutive. */
    public Parameters(List<ParamSpec> specs, boolean withGradients) {
        this.specs = List.copyOf(specs);
        long next = 0;
        for (ParamSpec s : specs) {
            if (s.offset() != next) {
                throw new IllegalArgumentException(
                        "parameter " + s.name() + " at offset " + s.offset() + ", expected " + next);
            }
            next += s.size();
            byName.put(s.name(), s);
        }
        this.count = next;
        long bytes = Math.max(1, count) * Float.BYTES;
        this.values = arena.allocate(bytes, 64);
        this.grads = withGradients ? arena.allocate(bytes, 64) : MemorySegment.NULL;
        this.trained = new boolean[this.specs.size()];
        for (int i = 0; i < trained.length; i++) trained[i] = this.specs.get(i).trainable();
        this.trainedRanges = ranges();
    }

    // ---- freezing ----------------------------------------------------------------------------

    /** Whether tensor {@code index} (in {@link #specs()} order) is trained now. Read by generated backward passes. */
    public boolean trains(int index) {
        return trained[index];
    }

    /** The position of tensor {@code name} in {@link #specs()}. */
    public int indexOf(String name) {
        ParamSpec s = spec(name);
        return specs.indexOf(s);
    }

    /**
     * Freezes ({@code false}) or unfreezes the given tensors: a frozen tensor gets no gradient work
     * and the optimizer skips it, so it stays bit-identical while the rest trains. Tensors whose spec
     * is not trainable (BatchNorm's moving averages) stay untrained either way. Freezing zeroes the
     * tensor's gradient, which backward passes then leave alone. Takes the write gate.
     */
    public void setTrainable(List<ParamSpec> tensors, boolean trainable) {
        long stamp = beginWrite(null);
        try {
            for (ParamSpec t : tensors) {
                int i = indexOf(t.name());
                if (!specs.get(i).trainable() || trained[i] == trainable) continue;
                trained[i] = trainable;
                if (!trainable && hasGradients())
                    grads.asSlice(t.offset() * Float.BYTES, t.size() * Float.BYTES)
                            .fill((byte) 0);
            }
            trainedRanges = ranges();
            trainableVersion++;
        } finally {
            endWrite(stamp);
        }
    }

    /**
     * The trained tensors as runs of the buffer: {@code [start0, end0, start1, end1, …]} in floats,
     * adjacent tensors merged (one run over everything when nothing is frozen). A copy.
     */
    public long[] trainedRanges() {
        return trainedRanges.clone();
    }

    /** Floats the optimizer updates now. */
    public long trainedCount() {
        long[] r = trainedRanges;
        long n = 0;
        for (int i = 0; i < r.length; i += 2) n += r[i + 1] - r[i];
        return n;
    }

    /** Changes each time {@link #setTrainable} runs. */
    public int trainableVersion() {
        return trainableVersion;
    }

    private long[] ranges() {
        long[] out = new long[2 * specs.size()];
        int n = 0;
        for (int i = 0; i < trained.length; i++) {
            if (!trained[i]) continue;
            ParamSpec s = specs.get(i);
            if (n > 0 && out[n - 1] == s.offset()) {
                out[n - 1] = s.offset() + s.size();
            } else {
                out[n++] = s.offset();
                out[n++] = s.offset() + s.size();
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    public List<ParamSpec> specs() {
        return specs;
    }

    public ParamSpec spec(String name) {
        ParamSpec s = byName.get(name);
        if (s == null)
            throw new NoSuchElementException("no parameter '" + name + "'; this model has " + byName.keySet());
        return s;
    }

    /** Number of floats in all parameters together. */
    public long count() {
        return count;
    }

    public MemorySegment values() {
        return values;
    }

    /** The gradient buffer, or {@link MemorySegment#NULL} for an inference-only model. */
    public MemorySegment grads() {
        return grads;
    }

    public boolean hasGradients() {
        return grads != MemorySegment.NULL;
    }

    /** A copy of all parameter values, in buffer order. */
    public float[] toArray() {
        long stamp = beginRead(null);
        try {
            return values.asSlice(0, count * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
        } finally {
            endRead(stamp);
        }
    }

    /** Overwrites all parameter values from an array of {@link #count()} floats. */
    public void copyFrom(float[] all) {
        if (all.length != count) {
            throw new IllegalArgumentException("expected " + count + " parameter values, got " + all.length);
        }
        long stamp = beginWrite(null);
        try {
            MemorySegment.copy(all, 0, values, ValueLayout.JAVA_FLOAT, 0, all.length);
        } finally {
            endWrite(stamp);
        }
    }

    /** The name used in "model X is closed" messages when a caller does not give one. */
    public void owner(String modelName) {
        if (modelName != null) this.owner = modelName;
    }

    public String owner() {
        return owner;
    }

    /** True once {@link #close()} has freed the buffers. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Takes the gate shared (many readers at once) for a pass that reads the weights; returns
     * the stamp for {@link #endRead}. Allocation-free when uncontended.
     *
     * @throws IllegalStateException when the model is closed
     */
    public long beginRead(String modelName) {
        if (writersWaiting != 0) {
            writerTurn.lock(); // let the waiting writer go first
            writerTurn.unlock();
        }
        long stamp = gate.readLock();
        if (closed) {
            gate.unlockRead(stamp);
            throw closedException(modelName);
        }
        return stamp;
    }

    public void endRead(long stamp) {
        gate.unlockRead(stamp);
    }

    /**
     * Takes the gate exclusively, waiting for passes in flight, for a change of the weights;
     * returns the stamp for {@link #endWrite}.
     *
     * @throws IllegalStateException when the model is closed
     */
    public long beginWrite(String modelName) {
        long stamp = acquireWrite();
        if (closed) {
            endWrite(stamp);
            throw closedException(modelName);
        }
        return stamp;
    }

    public void endWrite(long stamp) {
        gate.unlockWrite(stamp);
        writersWaiting--; // only ever changed under writerTurn
        writerTurn.unlock();
    }

    private long acquireWrite() {
        writerTurn.lock();
        writersWaiting++;
        try {
            return gate.writeLock();
        } catch (RuntimeException | Error e) {
            writersWaiting--;
            writerTurn.unlock();
            throw e;
        }
    }

    /** Throws the "model X is closed" exception when closed. */
    public void checkOpen(String modelName) {
        if (closed) throw closedException(modelName);
    }

    private IllegalStateException closedException(String modelName) {
        return closedException(modelName == null ? owner : modelName, "");
    }

    /** The exception every use of a closed model throws. */
    public static IllegalStateException closedException(String modelName, String detail) {
        return new IllegalStateException(
                "model " + modelName + " is closed" + detail + "; create or load a new model to use it again");
    }

    /**
     * Waits for every pass holding the gate to finish, then frees the parameter and gradient
     * buffers. Idempotent.
     */
    @Override
    public void close() {
        if (closed) return;
        long stamp = acquireWrite();
        try {
            if (closed) return;
            closed = true;
            arena.close();
        } finally {
            endWrite(stamp);
        }
    }
}
