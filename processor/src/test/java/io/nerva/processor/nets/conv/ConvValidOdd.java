package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/** Odd-sized 5x7x3 input, 3x3 VALID, 3 → 4 channels: output 3x5x4. */
@Network(input = {5, 7, 3})
public abstract class ConvValidOdd {
    @Conv2D(filters = 4)
    @Activation(TANH)
    public Layer conv;
}
