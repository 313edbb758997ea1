package io.nerva.examples;

import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.LSTM;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** Fashion-MNIST as sequences: each image is 28 steps (rows) of 28 pixels → LSTM(128) → 10 classes. */
@Network(
        input = {28, 28},
        loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
public abstract class FashionLstmNet {
    @LSTM(128)
    Layer rows;

    @Dense(10)
    @Activation(SOFTMAX)
    Layer clothing;
}
