package io.nerva.examples;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** Iris: 4 measurements → 3 species. */
@Network(
        input = {4},
        loss = LossFunction.CATEGORICAL_CROSSENTROPY)
public abstract class IrisNet {
    @Dense(16)
    @Activation(RELU)
    Layer hidden;

    @Dense(3)
    @Activation(SOFTMAX)
    Layer species;
}
