package io.nerva.processor.nets;

import static io.nerva.annotations.ActivationType.TANH;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Network;
import io.nerva.annotations.Regularize;
import io.nerva.runtime.Layer;

/** {@link Unregularized} with L1 and L2 penalties on the hidden layer and L2 on the output kernel. */
@Network(input = {3})
public abstract class Regularized {
    @Regularize(kernelL1 = 0.01, kernelL2 = 0.02, biasL2 = 0.03)
    @Dense(4)
    @Activation(TANH)
    public Layer hidden;

    @Regularize(kernelL2 = 0.05)
    @Dense(2)
    public Layer out;
}
