package io.nerva.examples;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SOFTMAX;
import static io.nerva.annotations.Padding.SAME;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Conv2D;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Dropout;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.MaxPool2D;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** The course's CNN for 28×28 grey images (Fashion-MNIST or MNIST). */
@Network(
        input = {28, 28, 1},
        loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
public abstract class FashionCnnNet {
    @Conv2D(filters = 32, kernel = 3, padding = SAME)
    @Activation(RELU)
    Layer conv1;

    @MaxPool2D(size = 2)
    Layer pool1;

    @Conv2D(filters = 64, kernel = 3)
    @Activation(RELU)
    Layer conv2;

    @MaxPool2D(size = 2)
    Layer pool2;

    @Flatten
    Layer flat;

    @Dropout(0.25)
    Layer drop;

    @Dense(128)
    @Activation(RELU)
    Layer hidden;

    @Dense(10)
    @Activation(SOFTMAX)
    Layer out;
}
