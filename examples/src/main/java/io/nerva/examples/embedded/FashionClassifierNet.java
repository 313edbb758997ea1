package io.nerva.examples.embedded;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/**
 * The Fashion-MNIST MLP with trained weights built in: javac checks fashion_mlp.safetensors
 * (next to this class) against these layers before the application compiles.
 */
@Network(
        input = {28, 28, 1},
        inferenceOnly = true,
        weights = "fashion_mlp.safetensors")
public abstract class FashionClassifierNet {
    @Flatten
    Layer pixels;

    @Dense(128)
    @Activation(RELU)
    Layer hidden;

    @Dense(10)
    @Activation(SOFTMAX)
    Layer clothing;
}
