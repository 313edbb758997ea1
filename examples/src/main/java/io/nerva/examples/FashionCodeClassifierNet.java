package io.nerva.examples;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** A small classifier on the autoencoder's 32-d codes. */
@Network(
        input = {32},
        loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
public abstract class FashionCodeClassifierNet {
    @Dense(32)
    @Activation(RELU)
    Layer hidden;

    @Dense(10)
    @Activation(SOFTMAX)
    Layer clothing;
}
