package io.nerva.examples;

import static io.nerva.annotations.ActivationType.SIGMOID;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Embedding;
import io.nerva.annotations.LSTM;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** 12 token ids from a vocabulary of 16 → their vectors → an LSTM → one probability. */
@Network(
        input = {12},
        loss = LossFunction.BINARY_CROSSENTROPY)
public abstract class TokenOrderNet {
    @Embedding(inputDim = 16, outputDim = 8)
    Layer tokens;

    @LSTM(24)
    Layer reader;

    @Dense(1)
    @Activation(SIGMOID)
    Layer answer;
}
