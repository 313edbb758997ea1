package io.nerva.examples;

import static io.nerva.annotations.ActivationType.SIGMOID;
import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** 5×3 digit bitmaps (15 pixels) → 10 digits. */
@Network(
        input = {15},
        loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
public abstract class DigitsNet {
    @Dense(20)
    @Activation(SIGMOID)
    Layer hidden;

    @Dense(10)
    @Activation(SOFTMAX)
    Layer digit;
}
