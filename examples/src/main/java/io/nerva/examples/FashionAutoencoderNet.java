package io.nerva.examples;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SIGMOID;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** A dense autoencoder 784-128-32-128-784: the 32 units of {@code code} are all the decoder gets. */
@Network(
        input = {28, 28, 1},
        loss = LossFunction.MEAN_SQUARED_ERROR)
public abstract class FashionAutoencoderNet {
    @Flatten
    Layer pixels;

    @Dense(128)
    @Activation(RELU)
    Layer encode;

    @Dense(32)
    @Activation(RELU)
    Layer code;

    @Dense(128)
    @Activation(RELU)
    Layer decode;

    @Dense(784)
    @Activation(SIGMOID)
    Layer reconstruction;
}
