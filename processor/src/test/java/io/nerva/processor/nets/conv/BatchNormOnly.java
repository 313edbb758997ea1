package io.nerva.processor.nets.conv;

import io.nerva.annotations.BatchNorm;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** BatchNorm directly on a 3x2x4 image input: statistics over rows·3·2 values per channel. */
@Network(input = {3, 2, 4})
public abstract class BatchNormOnly {
    @BatchNorm(momentum = 0.8)
    public Layer bn;
}
