package io.nerva.examples;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Conv2D;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.MaxPool2D;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/**
 * The peers' CNN (shared/peers: conv 32 3×3 VALID, pool 2, conv 64 3×3 VALID, pool 2, dense 128,
 * dense 10), for the side-by-side figures of {@link FashionCnnBench} {@code --peers}.
 */
@Network(
        input = {28, 28, 1},
        loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
public abstract class FashionCnnPeerNet {
    @Conv2D(filters = 32, kernel = 3)
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

    @Dense(128)
    @Activation(RELU)
    Layer hidden;

    @Dense(10)
    @Activation(SOFTMAX)
    Layer out;
}
