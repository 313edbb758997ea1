package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/** The end-to-end shape of a small CNN: Conv → MaxPool → Conv → Flatten → Dense softmax. */
@Network(input = {8, 8, 1})
public abstract class SmallCnn {
    @Conv2D(filters = 4, kernel = 3, padding = SAME)
    @Activation(TANH)
    public Layer conv1;

    @MaxPool2D
    public Layer pool1;

    @Conv2D(filters = 6, kernel = 3)
    @Activation(TANH)
    public Layer conv2;

    @Flatten
    public Layer flat;

    @Dense(3)
    @Activation(SOFTMAX)
    public Layer out;
}
