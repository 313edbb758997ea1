package io.nerva.processor.nets;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SIGMOID;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** XOR-sized: 2-4-1. */
@Network(input = {2})
public abstract class Tiny {
    @Dense(4)
    @Activation(RELU)
    Layer hidden;

    @Dense(1)
    @Activation(SIGMOID)
    Layer out;
}
