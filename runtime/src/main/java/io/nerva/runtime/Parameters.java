package io.nerva.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * All parameters of a model in one contiguous, 64-byte aligned off-heap buffer, and their
 * gradients in a second buffer with the same offsets, so that an optimizer step is one loop.
 */
public final class Parameters implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final List<ParamSpec> specs;
    private final Map<String, ParamSpec> byName = new LinkedHashMap<>();
    private final long count;
    private final MemorySegment values;
    private final MemorySegment grads;

    /** Lays out the given tensors back to back; their offsets must already be consecutive. */
    public Parameters(List<ParamSpec> specs, boolean withGradients) {
        this.specs = List.copyOf(specs);
        long next = 0;
        for (ParamSpec s : specs) {
            if (s.offset() != next) {
                throw new IllegalArgumentException("parameter " + s.name() + " at offset " + s.offset() + ", expected " + next);
            }
            next += s.size();
            byName.put(s.name(), s);
        }
        this.count = next;
        long bytes = Math.max(1, count) * Float.BYTES;
        this.values = arena.allocate(bytes, 64);
        this.grads = withGradients ? arena.allocate(bytes, 64) : MemorySegment.NULL;
    }

    public List<ParamSpec> specs() {
        return specs;
    }

    public ParamSpec spec(String name) {
        ParamSpec s = byName.get(name);
        if (s == null) throw new NoSuchElementException("no parameter '" + name + "'; this model has " + byName.keySet());
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
        return values.asSlice(0, count * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Overwrites all parameter values from an array of {@link #count()} floats. */
    public void copyFrom(float[] all) {
        if (all.length != count) {
            throw new IllegalArgumentException("expected " + count + " parameter values, got " + all.length);
        }
        MemorySegment.copy(all, 0, values, ValueLayout.JAVA_FLOAT, 0, all.length);
    }

    @Override
    public void close() {
        arena.close();
    }
}
