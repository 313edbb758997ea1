package io.nerva.examples;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** Fashion-MNIST MLP: 28×28 grey images → 128 relu → 10 classes. */
@Network(
        input = {28, 28, 1},
        loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
public abstract class FashionMlpNet {
    @Flatten
    Layer pixels;

    @Dense(128)
    @Activation(RELU)
    Layer hidden;

    @Dense(10)
    @Activation(SOFTMAX)
    Layer clothing;
}
