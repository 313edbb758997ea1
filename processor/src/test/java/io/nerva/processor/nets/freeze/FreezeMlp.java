package io.nerva.processor.nets.freeze;

import static io.nerva.annotations.ActivationType.TANH;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** The middle layer is declared frozen: gradients pass through it to {@code first}, which trains. */
@Network(
        input = {6},
        loss = LossFunction.MEAN_SQUARED_ERROR)
public abstract class FreezeMlp {
    @Dense(5)
    @Activation(TANH)
    public Layer first;

    @Dense(value = 4, trainable = false)
    @Activation(TANH)
    public Layer middle;

    @Dense(3)
    public Layer out;
}
