package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/**
 * Average pooling, 3x3 stride 2 SAME (5x7 → 3x4; border windows count only their cells inside
 * the input), then 2x2 with strides {1, 2} VALID (→ 2x2).
 */
@Network(input = {5, 7, 2})
public abstract class AvgPoolNet {
    @Conv2D(filters = 3, kernel = 2, padding = SAME)
    @Activation(TANH)
    public Layer a;

    @AvgPool2D(size = 3, strides = 2, padding = SAME)
    public Layer pool1;

    @AvgPool2D(
            size = {2, 2},
            strides = {1, 2})
    public Layer pool2;
}
