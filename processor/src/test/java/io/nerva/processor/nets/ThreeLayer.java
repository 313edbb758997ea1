package io.nerva.processor.nets;

import static io.nerva.annotations.ActivationType.SIGMOID;
import static io.nerva.annotations.ActivationType.SOFTMAX;
import static io.nerva.annotations.ActivationType.TANH;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** A 3-layer MLP with smooth activations and a softmax output. */
@Network(input = {5})
public abstract class ThreeLayer {
    @Dense(7)
    @Activation(TANH)
    public Layer h1;

    @Dense(6)
    @Activation(SIGMOID)
    Layer h2;

    @Dense(4)
    @Activation(SOFTMAX)
    Layer out;
}
