package io.nerva.processor.nets;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** The 1024-2048-2048-10 MLP whose close() under 4 predicting threads crashed the JVM (issue 16). */
@Network(input = {1024})
public abstract class Wide {
    @Dense(2048)
    @Activation(RELU)
    Layer h1;

    @Dense(2048)
    @Activation(RELU)
    Layer h2;

    @Dense(10)
    @Activation(SOFTMAX)
    Layer out;
}
