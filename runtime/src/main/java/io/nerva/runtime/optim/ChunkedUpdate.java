package io.nerva.runtime.optim;

import io.nerva.blas.Parallel;
import io.nerva.runtime.optim.Optimizers.Scratch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The loop every built-in optimizer shares: chunk by chunk, weights, gradients and state are copied
 * into a thread's heap {@link Scratch} (C2 vectorises loops over heap arrays, not over native
 * segments), updated by the optimizer's {@link Rule}, guarded, and copied back. Large buffers are
 * split over {@link Parallel}'s threads, each with its own scratch: by the rows of each tensor when
 * the {@link TensorRows} are known (each core then updates the rows its products used), else into
 * contiguous runs of chunks. Every parameter gets the same arithmetic either way. One object per
 * calling thread, refilled per update: an update allocates nothing.
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

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** The rule's per-step constants, set by the optimizer before {@link #run}. */
    final float[] k = new float[8];

    private Rule rule;
    private int slots;
    private MemorySegment params, grads, state;
    private long count;
    private long[] firstBad = new long[2];
    /**
     * This update's chunks, part by part: part p runs chunks {@code [partStart[p], partStart[p+1])},
     * chunk c covering {@code [chunkAt[c], chunkAt[c] + chunkLength[c])}: listed before the parts
     * start, so a part runs one loop over its chunks whichever way the buffer was split.
     */
    private long[] chunkAt = new long[64];

    private int[] chunkLength = new int[64], partStart = new int[3];
    private int chunkCount;

    static ChunkedUpdate get() {
        return LOCAL.get();
    }

    /**
     * Updates {@code count} parameters with {@code rule}; {@code slots} (0–2) state floats per
     * parameter, the first slot at {@code state[i]}, the second at {@code state[count + i]}; the
     * buffer holds {@code tensors} when not null. Returns the index of the first parameter whose new
     * value was not finite (it kept its old value), or -1.
     */
    long run(
            Rule rule,
            int slots,
            MemorySegment params,
            MemorySegment grads,
            MemorySegment state,
            long count,
            TensorRows tensors) {
        if (tensors != null && tensors.count() != count)
            throw new IllegalArgumentException(
                    "the tensors hold " + tensors.count() + " parameters, the buffer " + count);
        this.rule = rule;
        this.slots = slots;
        this.params = params;
        this.grads = grads;
        this.state = state;
        this.count = count;
        int parts = count >= MIN_PARALLEL
                        && Parallel.available()
                        && Parallel.shared(params)
                        && Parallel.shared(grads)
                        && Parallel.shared(state)
                ? Parallel.threads()
                : 1;
        listChunks(tensors, parts);
        if (firstBad.length < parts) firstBad = new long[parts];
        try {
            if (parts == 1) {
                run(0, 1);
            } else {
                Parallel.run(this, parts);
            }
            long first = -1;
            for (int p = 0; p < parts; p++) {
                if (firstBad[p] >= 0 && (first < 0 || firstBad[p] < first)) first = firstBad[p];
            }
            return first;
        } finally {
            this.rule = null;
            this.params = this.grads = this.state = null;
        }
    }

    /** Lists the chunks of each part: the tensors' row blocks when known, else contiguous runs of whole chunks. */
    private void listChunks(TensorRows tensors, int parts) {
        if (partStart.length < parts + 1) partStart = new int[parts + 1];
        chunkCount = 0;
        long chunks = (count + Scratch.CHUNK - 1) / Scratch.CHUNK;
        for (int p = 0; p < parts; p++) {
            partStart[p] = chunkCount;
            if (tensors == null) {
                long from = Parallel.start(p, (int) chunks, parts) * (long) Scratch.CHUNK;
                addChunks(from, Math.min(count, Parallel.start(p + 1, (int) chunks, parts) * (long) Scratch.CHUNK));
            } else {
                for (int t = 0; t < tensors.tensors(); t++) {
                    addChunks(tensors.start(t, p, parts), tensors.start(t, p + 1, parts));
                }
            }
        }
        partStart[parts] = chunkCount;
    }

    private void addChunks(long from, long to) {
        for (long at = from; at < to; at += Scratch.CHUNK) {
            if (chunkCount == chunkAt.length) {
                chunkAt = Arrays.copyOf(chunkAt, 2 * chunkCount);
                chunkLength = Arrays.copyOf(chunkLength, 2 * chunkCount);
            }
            chunkAt[chunkCount] = at;
            chunkLength[chunkCount++] = (int) Math.min(Scratch.CHUNK, to - at);
        }
    }

    @Override
    public void run(int part, int parts) {
        Scratch s = Scratch.get();
        long first = -1;
        for (int c = partStart[part], end = partStart[part + 1]; c < end; c++) {
            long at = chunkAt[c];
            int len = chunkLength[c];
            // whole vectors only (zeros update to zeros); a short run takes its own copies
            int padded = Math.min(Scratch.CHUNK, (len + 63) & ~63);
            if (len == padded) copyIn(s, at, len);
            else copyInShort(s, at, len, padded);
            if (!(rule.chunk(s, padded, k) <= Float.MAX_VALUE)) { // rare: a new value is not finite; keep the old one
                long bad = Scratch.restoreNonFinite(s.w, params, at, len);
                if (first < 0) first = bad;
            }
            if (len == padded) copyOut(s, at, len);
            else copyOutShort(s, at, len);
        }
        firstBad[part] = first;
    }

    /*
     * The bulk copies and the rule only ever see whole vectors of 64 floats. A buffer whose last
     * chunk was 10 floats ran Adam 3× slower once warm (as slow as with C2's vectorisation turned
     * off, -XX:-UseSuperWord), measured on JDK 25; copying short runs element by element and
     * zero-padding them for the rule keeps the update vectorised. The element copies are plain
     * loops: with a per-element condition C2 kept deoptimising them (profile_predicate).
     */

    private void copyIn(Scratch s, long at, int len) {
        long bytes = (long) len * Float.BYTES, off = at * Float.BYTES;
        MemorySegment.copy(params, off, s.segW, 0, bytes);
        MemorySegment.copy(grads, off, s.segG, 0, bytes);
        if (slots > 0) MemorySegment.copy(state, off, s.segA, 0, bytes);
        if (slots > 1) MemorySegment.copy(state, (count + at) * Float.BYTES, s.segB, 0, bytes);
    }

    private void copyOut(Scratch s, long at, int len) {
        long bytes = (long) len * Float.BYTES, off = at * Float.BYTES;
        MemorySegment.copy(s.segW, 0, params, off, bytes);
        if (slots > 0) MemorySegment.copy(s.segA, 0, state, off, bytes);
        if (slots > 1) MemorySegment.copy(s.segB, 0, state, (count + at) * Float.BYTES, bytes);
    }

    private void copyInShort(Scratch s, long at, int len, int padded) {
        for (int i = 0; i < len; i++) s.w[i] = params.getAtIndex(F, at + i);
        for (int i = 0; i < len; i++) s.g[i] = grads.getAtIndex(F, at + i);
        if (slots > 0) for (int i = 0; i < len; i++) s.a[i] = state.getAtIndex(F, at + i);
        if (slots > 1) for (int i = 0; i < len; i++) s.b[i] = state.getAtIndex(F, count + at + i);
        Arrays.fill(s.w, len, padded, 0f);
        Arrays.fill(s.g, len, padded, 0f);
        Arrays.fill(s.a, len, padded, 0f);
        Arrays.fill(s.b, len, padded, 0f);
    }

    private void copyOutShort(Scratch s, long at, int len) {
        for (int i = 0; i < len; i++) params.setAtIndex(F, at + i, s.w[i]);
        if (slots > 0) for (int i = 0; i < len; i++) state.setAtIndex(F, at + i, s.a[i]);
        if (slots > 1) for (int i = 0; i < len; i++) state.setAtIndex(F, count + at + i, s.b[i]);
    }
}
