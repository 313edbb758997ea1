package io.nerva.examples;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/**
 * A deeper, wider ReLU MLP for Fashion-MNIST (784-512-512-512-10): many of its units die during
 * training, the case where Adam's moments used to decay into subnormals ({@link FashionMlpBench} --deep).
 */
@Network(
        input = {28, 28, 1},
        loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
public abstract class FashionDeepMlpNet {
    @Flatten
    Layer pixels;

    @Dense(512)
    @Activation(RELU)
    Layer hidden1;

    @Dense(512)
    @Activation(RELU)
    Layer hidden2;

    @Dense(512)
    @Activation(RELU)
    Layer hidden3;

    @Dense(10)
    @Activation(SOFTMAX)
    Layer clothing;
}
