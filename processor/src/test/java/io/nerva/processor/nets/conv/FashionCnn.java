package io.nerva.processor.nets.conv;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.Padding.*;

import io.nerva.annotations.*;
import io.nerva.runtime.Layer;

/** The course's Fashion-MNIST CNN. */
@Network(
        input = {28, 28, 1},
        loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
public abstract class FashionCnn {
    @Conv2D(filters = 32, kernel = 3, padding = SAME)
    @Activation(RELU)
    public Layer conv1;

    @MaxPool2D(size = 2)
    public Layer pool1;

    @Conv2D(filters = 64, kernel = 3)
    @Activation(RELU)
    public Layer conv2;

    @MaxPool2D(size = 2)
    public Layer pool2;

    @Flatten
    public Layer flat;

    @Dropout(0.25)
    public Layer drop;

    @Dense(128)
    @Activation(RELU)
    public Layer hidden;

    @Dense(10)
    @Activation(SOFTMAX)
    public Layer out;
}
