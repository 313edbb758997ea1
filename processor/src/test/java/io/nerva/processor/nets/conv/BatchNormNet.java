package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/** BatchNorm over the channels of an image (after a bias-free conv) and over flat features. */
@Network(input = {5, 4, 2})
public abstract class BatchNormNet {
    @Conv2D(filters = 3, kernel = 2, useBias = false)
    public Layer conv;

    @BatchNorm
    public Layer bn1;

    @Activation(TANH)
    public Layer act;

    @Flatten
    public Layer flat;

    @Dense(4)
    public Layer dense;

    @BatchNorm(momentum = 0.9, epsilon = 0.01)
    public Layer bn2;

    @Activation(SIGMOID)
    public Layer out;
}
