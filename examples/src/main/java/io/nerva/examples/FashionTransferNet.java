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
 * Transfer learning: the trained Fashion MLP's hidden layer, frozen, under a new head for four of the ten
 * classes (sandal, sneaker, bag, ankle boot).
 */
@Network(
        input = {28, 28, 1},
        loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
public abstract class FashionTransferNet {
    @Flatten
    Layer pixels;

    @Dense(value = 128, trainable = false)
    @Activation(RELU)
    Layer hidden;

    @Dense(4)
    @Activation(SOFTMAX)
    Layer head;
}
