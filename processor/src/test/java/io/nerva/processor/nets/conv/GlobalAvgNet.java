package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/** Global average pooling: 4x5x3 → 3, then a softmax classifier. */
@Network(input = {4, 5, 2})
public abstract class GlobalAvgNet {
    @Conv2D(filters = 3, kernel = 2, padding = SAME)
    @Activation(TANH)
    public Layer a;

    @GlobalAvgPool2D
    public Layer gap;

    @Dense(2)
    @Activation(SOFTMAX)
    public Layer out;
}
