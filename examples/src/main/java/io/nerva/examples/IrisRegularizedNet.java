package io.nerva.examples;

import io.nerva.annotations.Dense;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Maxout;
import io.nerva.annotations.Network;
import io.nerva.annotations.PReLU;
import io.nerva.annotations.Regularize;
import io.nerva.runtime.Layer;

/**
 * Iris with the course's regularisation and activations: an L2-penalised hidden layer read as 8 maxout units
 * of 3 pieces, trained slopes (PReLU) on them, and linear logits trained with cross-entropy from logits.
 */
@Network(
        input = {4},
        loss = LossFunction.CATEGORICAL_CROSSENTROPY_FROM_LOGITS)
public abstract class IrisRegularizedNet {
    @Regularize(kernelL2 = 1e-3)
    @Dense(24)
    Layer hidden;

    @Maxout(3)
    Layer pieces;

    @PReLU
    Layer slopes;

    @Regularize(kernelL2 = 1e-3)
    @Dense(3)
    Layer logits;
}
