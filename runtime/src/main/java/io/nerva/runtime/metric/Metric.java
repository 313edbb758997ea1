package io.nerva.runtime.metric;

import java.lang.foreign.MemorySegment;

/** A metric accumulated over batches: {@link #reset()}, {@link #update} per batch, {@link #result()}. */
public interface Metric {

    /** The Keras name, e.g. {@code "accuracy"}, {@code "top_5_accuracy"}, {@code "mse"}. */
    String name();

    void reset();

    /** Adds a batch: outputs {@code rows × cols}, targets {@code rows × targetCols} (1 column = class index). */
    void update(MemorySegment output, MemorySegment targets, int rows, int cols, int targetCols);

    double result();
}
