package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/** A 2x2 SAME convolution, then a 1x1 one (no im2col; its input gradient is dz·Wᵀ directly): 4x5x3 → 4x5x4. */
@Network(input = {4, 5, 2})
public abstract class ConvPointwise {
    @Conv2D(filters = 3, kernel = 2, padding = SAME)
    @Activation(TANH)
    public Layer a;

    @Conv2D(filters = 4, kernel = 1)
    @Activation(TANH)
    public Layer pw;
}
