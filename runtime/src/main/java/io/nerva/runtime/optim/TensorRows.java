package io.nerva.runtime.optim;

import io.nerva.blas.Parallel;
import java.util.Arrays;

/**
 * The tensors of a parameter buffer, in order and back to back, each as rows (all its dimensions
 * but the last) of one row length (the last dimension): a Dense kernel {@code [in, out]} is
 * {@code in} rows of {@code out}, a bias one row. The built-in optimizers split their work over
 * threads by these rows, at the edges the matrix products use for the same weights
 * ({@link Parallel#blockStart}), so each core updates the row block it multiplied and that block
 * stays in its cache.
 */
public final class TensorRows {
    private final long[] offsets;
    private final int[] rows, rowLength;
    private final long count;

    private TensorRows(long[] offsets, int[] rows, int[] rowLength, long count) {
        this.offsets = offsets;
        this.rows = rows;
        this.rowLength = rowLength;
        this.count = count;
    }

    /** Tensors of these shapes, back to back from index 0. */
    public static TensorRows of(int[]... shapes) {
        long[] offsets = new long[shapes.length];
        int[] rows = new int[shapes.length], rowLength = new int[shapes.length];
        long at = 0;
        for (int t = 0; t < shapes.length; t++) {
            int[] shape = shapes[t];
            if (shape.length == 0) throw new IllegalArgumentException("tensor " + t + " has no dimensions");
            long r = 1;
            for (int d = 0; d < shape.length - 1; d++) r *= shape[d];
            int last = shape[shape.length - 1];
            if (last < 1 || r < 1 || r > Integer.MAX_VALUE)
                throw new IllegalArgumentException("tensor " + t + " has shape " + Arrays.toString(shape));
            offsets[t] = at;
            rows[t] = (int) r;
            rowLength[t] = last;
            at += r * last;
        }
        return new TensorRows(offsets, rows, rowLength, at);
    }

    /** Floats in all the tensors. */
    public long count() {
        return count;
    }

    /** The number of tensors. */
    public int tensors() {
        return offsets.length;
    }

    /** The parts tensor {@code t}'s rows split into when a pass has {@code parts}: as a product over them does. */
    int partsOf(int t, int parts) {
        return Math.max(1, Math.min(parts, rows[t] / (2 * Parallel.ROW_ALIGN)));
    }

    /**
     * First float of part {@code p}'s rows of tensor {@code t} when a pass over the buffer has
     * {@code parts} parts; part {@code p + 1}'s start is its end. A tensor too short to split
     * belongs to part 0.
     */
    public long start(int t, int p, int parts) {
        int tp = partsOf(t, parts);
        int row = p >= tp ? rows[t] : Parallel.blockStart(p, rows[t], tp);
        return offsets[t] + (long) row * rowLength[t];
    }
}
