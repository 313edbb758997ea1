package io.nerva.runtime.optim;

import io.nerva.blas.Parallel;
import io.nerva.runtime.optim.Optimizers.Scratch;
import java.lang.foreign.MemorySegment;

/**
 * The loop every built-in optimizer shares: chunk by chunk, weights, gradients and state are copied
 * into a thread's heap {@link Scratch} (C2 vectorises loops over heap arrays, not over native
 * segments), updated by the optimizer's {@link Rule}, guarded, and copied back. Large buffers are
 * split into contiguous runs of chunks on {@link Parallel}'s threads, each with its own scratch;
 * every parameter gets the same arithmetic either way. One object per calling thread, refilled per
 * update: an update allocates nothing.
 */
final class ChunkedUpdate implements Parallel.Task {
    /** One optimizer's update of a chunk, reading its per-step constants from {@code k}. */
    interface Rule {
        /** Updates {@code s.w} (and the state in {@code s.a}, {@code s.b}); returns the largest |new weight|, not finite when one is not. */
        float chunk(Scratch s, int n, float[] k);
    }

    /** Buffers of fewer parameters update on the calling thread (system property {@code nerva.parallelUpdate}). */
    static final long MIN_PARALLEL = Long.getLong("nerva.parallelUpdate", 1L << 15);

    private static final ThreadLocal<ChunkedUpdate> LOCAL = ThreadLocal.withInitial(ChunkedUpdate::new);

    /** The rule's per-step constants, set by the optimizer before {@link #run}. */
    final float[] k = new float[8];

    private Rule rule;
    private int slots;
    private MemorySegment params, grads, state;
    private long count;
    private long[] firstBad = new long[2];

    static ChunkedUpdate get() {
        return LOCAL.get();
    }

    /**
     * Updates {@code count} parameters with {@code rule}; {@code slots} (0–2) state floats per
     * parameter, the first slot at {@code state[i]}, the second at {@code state[count + i]}. Returns
     * the index of the first parameter whose new value was not finite (it kept its old value), or -1.
     */
    long run(Rule rule, int slots, MemorySegment params, MemorySegment grads, MemorySegment state, long count) {
        this.rule = rule;
        this.slots = slots;
        this.params = params;
        this.grads = grads;
        this.state = state;
        this.count = count;
        long chunks = (count + Scratch.CHUNK - 1) / Scratch.CHUNK;
        int parts = count >= MIN_PARALLEL
                        && Parallel.available()
                        && Parallel.shared(params)
                        && Parallel.shared(grads)
                        && Parallel.shared(state)
                ? (int) Math.min(Parallel.threads(), chunks)
                : 1;
        if (firstBad.length < parts) firstBad = new long[parts];
        try {
            if (parts == 1) {
                run(0, 1);
            } else {
                Parallel.run(this, parts);
            }
            long first = -1;
            for (int p = 0; p < parts && first < 0; p++) first = firstBad[p];
            return first;
        } finally {
            this.rule = null;
            this.params = this.grads = this.state = null;
        }
    }

    @Override
    public void run(int part, int parts) {
        long chunks = (count + Scratch.CHUNK - 1) / Scratch.CHUNK;
        long from = Parallel.start(part, (int) chunks, parts), to = Parallel.start(part + 1, (int) chunks, parts);
        Scratch s = Scratch.get();
        long first = -1;
        for (long c = from; c < to; c++) {
            long at = c * Scratch.CHUNK;
            int len = (int) Math.min(Scratch.CHUNK, count - at);
            long bytes = (long) len * Float.BYTES, off = at * Float.BYTES, secondOff = (count + at) * Float.BYTES;
            MemorySegment.copy(params, off, s.segW, 0, bytes);
            MemorySegment.copy(grads, off, s.segG, 0, bytes);
            if (slots > 0) MemorySegment.copy(state, off, s.segA, 0, bytes);
            if (slots > 1) MemorySegment.copy(state, secondOff, s.segB, 0, bytes);
            if (!(rule.chunk(s, len, k) <= Float.MAX_VALUE)) { // rare: some new value is not finite; keep the old one
                long bad = Scratch.restoreNonFinite(s.w, params, at, len);
                if (first < 0) first = bad;
            }
            MemorySegment.copy(s.segW, 0, params, off, bytes);
            if (slots > 0) MemorySegment.copy(s.segA, 0, state, off, bytes);
            if (slots > 1) MemorySegment.copy(s.segB, 0, state, secondOff, bytes);
        }
        firstBad[part] = first;
    }
}
