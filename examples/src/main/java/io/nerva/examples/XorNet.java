package io.nerva.examples;

import static io.nerva.annotations.ActivationType.SIGMOID;
import static io.nerva.annotations.ActivationType.TANH;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** XOR, the problem a single perceptron cannot solve: 2 inputs, 4 hidden units, 1 output. */
@Network(
        input = {2},
        loss = LossFunction.BINARY_CROSSENTROPY)
public abstract class XorNet {
    @Dense(4)
    @Activation(TANH)
    Layer hidden;

    @Dense(1)
    @Activation(SIGMOID)
    Layer out;
}
