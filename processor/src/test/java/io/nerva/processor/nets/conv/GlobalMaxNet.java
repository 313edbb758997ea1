package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/** Global max pooling: 4x5x3 → 3. */
@Network(input = {4, 5, 2})
public abstract class GlobalMaxNet {
    @Conv2D(filters = 3, kernel = 2, padding = SAME)
    @Activation(TANH)
    public Layer a;

    @GlobalMaxPool2D
    public Layer gmp;
}
