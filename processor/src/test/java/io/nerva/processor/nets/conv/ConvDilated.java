package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/**
 * Dilation 2 with SAME padding (9x8x3 → 9x8x4), then a rectangular kernel with rectangular
 * strides and dilation, VALID, without bias (→ 4x4x2).
 */
@Network(input = {9, 8, 3})
public abstract class ConvDilated {
    @Conv2D(filters = 4, kernel = 3, dilation = 2, padding = SAME)
    @Activation(TANH)
    public Layer a;

    @Conv2D(
            filters = 2,
            kernel = {2, 3},
            strides = {2, 1},
            dilation = {1, 2},
            useBias = false)
    public Layer b;
}
