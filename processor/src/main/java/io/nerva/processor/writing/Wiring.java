package io.nerva.processor.writing;

import io.nerva.processor.model.LayerPlan;

/**
 * The buffers one layer reads and writes, as its emitter declared them. A null gradient means no
 * gradient is needed there.
 *
 * @param in      the layer's input
 * @param out     the layer's output
 * @param logits  where the values before the output activation are (the loss fuses with it); {@code out} when none
 * @param inGrad  gradient w.r.t. the input, or null when no earlier layer has parameters
 * @param outGrad gradient w.r.t. the output
 * @param last    whether this is the output layer
 */
record Wiring(
        LayerPlan layer,
        BufferLayout.Buffer in,
        BufferLayout.Buffer out,
        BufferLayout.Buffer logits,
        BufferLayout.Buffer inGrad,
        BufferLayout.Buffer outGrad,
        boolean last) {}
