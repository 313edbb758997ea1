package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/** Rectangular 3x2 kernel, stride 2, SAME on 7x6x2 (asymmetric padding): output 4x3x3. */
@Network(input = {7, 6, 2})
public abstract class ConvSameStride {
    @Conv2D(
            filters = 3,
            kernel = {3, 2},
            strides = 2,
            padding = SAME,
            biasInit = Initializer.CONSTANT,
            initValue = 0.1f)
    @Activation(SIGMOID)
    public Layer conv;
}
