package io.nerva.runtime.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The activation and gradient buffers of one forward/backward pass, allocated once for up to
 * {@link #capacity()} rows and reused, so a training step allocates nothing. Each generated
 * model subclasses this with one field per buffer. A workspace is used by one thread at a time.
 */
public abstract class Workspace implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int capacity;
    private final boolean training;
    private final Rng rng;
    private final boolean inputGradients;
    private boolean dropoutMasksFrozen;
    private boolean lastForwardTraining;

    protected Workspace(int capacity, boolean training, long seed) {
        this(capacity, training, seed, false);
    }

    /**
     * {@code inputGradients}: a workspace for the gradient w.r.t. the input ({@code Model.inputGradient}); it has
     * the training buffers and the gradient buffers down to the input, and its backward pass computes no
     * parameter gradient (it leaves {@link Parameters#grads()} alone).
     */
    protected Workspace(int capacity, boolean training, long seed, boolean inputGradients) {
        if (capacity < 1)
            throw new IllegalArgumentException("workspace capacity must be at least 1 row, got " + capacity);
        this.capacity = capacity;
        this.training = training || inputGradients;
        this.inputGradients = inputGradients;
        this.rng = new Rng(seed);
    }

    /** A zeroed, 64-byte aligned buffer of the given number of floats, freed with this workspace. */
    protected final MemorySegment allocate(long floats) {
        return arena.allocate(Math.max(1, floats) * Float.BYTES, 64);
    }

    /** Input rows, {@code capacity × inputSize}. */
    public abstract MemorySegment input();

    /** Output of the last layer after its activation, {@code capacity × outputSize}. */
    public abstract MemorySegment output();

    /** Output of the last layer before its activation (the same buffer when it has none). */
    public abstract MemorySegment logits();

    /** Gradient of the loss w.r.t. {@link #output()}, or w.r.t. {@link #logits()} when fused. */
    public abstract MemorySegment outputGrad();

    /**
     * The output of layer {@code index} (in declaration order) after the last forward pass,
     * {@code capacity × size of that layer's output}. Generated workspaces override this.
     */
    public MemorySegment layerOutput(int index) {
        throw new UnsupportedOperationException(getClass().getName() + " does not expose layer outputs");
    }

    /** Gradient of the loss w.r.t. {@link #input()}; {@code NULL} unless this is an input-gradient workspace. */
    public MemorySegment inputGrad() {
        return MemorySegment.NULL;
    }

    /** Whether this workspace computes gradients w.r.t. the input instead of the parameters. */
    public final boolean inputGradients() {
        return inputGradients;
    }

    /** Recorded by the forward pass: backward undoes dropout and batch statistics only after a training forward. */
    public final void ranForward(boolean training) {
        this.lastForwardTraining = training;
    }

    /** Whether the last forward pass on this workspace ran in training mode. */
    public final boolean lastForwardTraining() {
        return lastForwardTraining;
    }

    public final int capacity() {
        return capacity;
    }

    /** Whether this workspace has the buffers for a backward pass. */
    public final boolean training() {
        return training;
    }

    /** Randomness for dropout masks. */
    public final Rng rng() {
        return rng;
    }

    /** When frozen, dropout reuses its last masks instead of drawing new ones (for gradient checks). */
    public final void freezeDropoutMasks(boolean frozen) {
        this.dropoutMasksFrozen = frozen;
    }

    public final boolean dropoutMasksFrozen() {
        return dropoutMasksFrozen;
    }

    @Override
    public void close() {
        arena.close();
    }
}
