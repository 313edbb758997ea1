package io.nerva.runtime.kernels;

import static io.nerva.runtime.kernels.SequenceKernels.F;

import java.lang.foreign.MemorySegment;

/**
 * Keras' {@code Embedding(inputDim V, outputDim D)}: token ids {@code [rows, T]} (floats holding
 * whole numbers) look up rows of the table {@code embeddings [V, D]} at float offset {@code embOff}
 * of {@code w}, giving {@code [rows, T, D]}. Every id is checked: NaN, infinite, fractional,
 * negative or ≥ V is an {@link IllegalArgumentException} naming the batch row, the position, the
 * value and the valid range — never a silent lookup. The ids get no gradient.
 */
public final class EmbeddingKernels {
    private EmbeddingKernels() {}

    /** The constants of one Embedding layer: {@code timesteps} ids per row, {@code inputDim} rows of {@code outputDim}. */
    public record Spec(int timesteps, int inputDim, int outputDim) {
        public Spec {
            if (timesteps < 1 || inputDim < 1 || outputDim < 1) {
                throw new IllegalArgumentException("Embedding: timesteps, inputDim and outputDim must be ≥ 1, got T="
                        + timesteps + " inputDim=" + inputDim + " outputDim=" + outputDim);
            }
        }

        /** {@code V·D} floats of the table. */
        public long tableSize() {
            return (long) inputDim * outputDim;
        }

        /** {@code T} ids per row. */
        public long inputPerRow() {
            return timesteps;
        }

        /** {@code T·D} floats per row. */
        public long outputPerRow() {
            return (long) timesteps * outputDim;
        }

        /** {@code out[r, t, :] = embeddings[ids[r, t], :]}. */
        public void forward(MemorySegment ids, MemorySegment w, long embOff, MemorySegment out, int rows) {
            check(ids, rows);
            SequenceKernels.require("Embedding", "out", out, rows * outputPerRow(), rows, outputPerRow(), this);
            SequenceKernels.requireParam("Embedding", "w", "embeddings", w, embOff, tableSize());
            final int D = outputDim;
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < timesteps; t++) {
                    long i = (long) r * timesteps + t;
                    int id = id(ids, i, r, t);
                    SequenceKernels.copy(w, embOff + (long) id * D, out, i * D, D);
                }
            }
        }

        /**
         * OVERWRITES the table's gradient at {@code embOff} of {@code g}: zero, then
         * {@code g[ids[r, t], :] += outGrad[r, t, :]} (repeated ids accumulate).
         */
        public void backward(MemorySegment ids, MemorySegment outGrad, MemorySegment g, long embOff, int rows) {
            check(ids, rows);
            SequenceKernels.require("Embedding", "outGrad", outGrad, rows * outputPerRow(), rows, outputPerRow(), this);
            SequenceKernels.requireParam("Embedding", "g", "embeddings", g, embOff, tableSize());
            SequenceKernels.zero(g, embOff, tableSize());
            final int D = outputDim;
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < timesteps; t++) {
                    long i = (long) r * timesteps + t;
                    int id = id(ids, i, r, t);
                    addRow(outGrad, i * D, g, embOff + (long) id * D, D);
                }
            }
        }

        private void check(MemorySegment ids, int rows) {
            SequenceKernels.checkRows("Embedding", rows);
            SequenceKernels.require("Embedding", "ids", ids, rows * inputPerRow(), rows, inputPerRow(), this);
        }

        /** The id at flat index {@code i} (batch row {@code r}, position {@code t}), checked. */
        private int id(MemorySegment ids, long i, int r, int t) {
            float v = ids.getAtIndex(F, i);
            // a whole number in [0, V): NaN fails every comparison, ±∞ fails the range
            if (v >= 0f && v < inputDim && v == (float) (int) v) return (int) v;
            throw badId(r, t, v);
        }

        private IllegalArgumentException badId(int r, int t, float v) {
            String why = Float.isNaN(v)
                    ? "NaN"
                    : Float.isInfinite(v)
                            ? "infinite"
                            : v != Math.rint(v) ? "not a whole number" : v < 0 ? "negative" : "≥ inputDim " + inputDim;
            return new IllegalArgumentException("Embedding: token id at batch row " + r + ", position " + t + " is " + v
                    + " (" + why + "); ids must be whole numbers in [0, " + inputDim + ")");
        }
    }

    private static void addRow(MemorySegment src, long from, MemorySegment dst, long to, int n) {
        for (int j = 0; j < n; j++) dst.setAtIndex(F, to + j, dst.getAtIndex(F, to + j) + src.getAtIndex(F, from + j));
    }
}
