package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/** Max pooling, SAME (5x7 → 3x4) and VALID with a rectangular window and stride 1 (2x3 → 1x1). */
@Network(input = {5, 7, 2})
public abstract class MaxPoolNet {
    @Conv2D(filters = 3, kernel = 2, padding = SAME)
    @Activation(TANH)
    public Layer a;

    @MaxPool2D(size = 2, padding = SAME)
    public Layer pool1;

    @Conv2D(filters = 2, kernel = 2)
    @Activation(TANH)
    public Layer b;

    @MaxPool2D(
            size = {2, 3},
            strides = 1)
    public Layer pool2;
}
