package io.nerva.processor.nets.freeze;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SOFTMAX;
import static io.nerva.annotations.ActivationType.TANH;

import io.nerva.annotations.Activation;
import io.nerva.annotations.BatchNorm;
import io.nerva.annotations.Conv2D;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Dropout;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.MaxPool2D;
import io.nerva.annotations.Network;
import io.nerva.annotations.Padding;
import io.nerva.runtime.Layer;

/** Every kind with a frozen path: a fused-ReLU conv, BatchNorm, max pooling, a frozen conv, dropout. */
@Network(
        input = {6, 6, 2},
        loss = LossFunction.MEAN_SQUARED_ERROR)
public abstract class FreezeCnn {
    @Conv2D(filters = 3, kernel = 3, padding = Padding.SAME)
    @Activation(RELU)
    public Layer conv1;

    @BatchNorm(momentum = 0.9)
    public Layer bn;

    @MaxPool2D(size = 2)
    public Layer pool;

    @Conv2D(filters = 2, kernel = 2, trainable = false)
    @Activation(TANH)
    public Layer conv2;

    @Flatten
    public Layer flat;

    @Dropout(0.2)
    public Layer drop;

    @Dense(3)
    @Activation(SOFTMAX)
    public Layer out;
}
