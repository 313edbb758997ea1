package io.nerva.processor.writing;

import io.nerva.processor.model.LayerPlan;

/**
 * Which workspace buffers one layer reads and writes. Names are fields of the generated
 * {@code Buffers} class; a null gradient name means no gradient is needed there.
 *
 * @param in        the layer's input
 * @param z         a Dense layer's pre-activation output (the same as {@code out} when linear)
 * @param out       the layer's output
 * @param inGrad    gradient w.r.t. the input, or null when no earlier layer has parameters
 * @param outGrad   gradient w.r.t. the output
 * @param last      whether this is the output layer
 */
record Wiring(LayerPlan layer, String in, String z, String out, String inGrad, String outGrad, boolean last,
              String kernelOffset, String biasOffset) {
}
