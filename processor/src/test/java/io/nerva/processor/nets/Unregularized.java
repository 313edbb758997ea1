package io.nerva.processor.nets;

import static io.nerva.annotations.ActivationType.TANH;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** The twin of {@link Regularized} without penalties: same layers, same parameter layout. */
@Network(input = {3})
public abstract class Unregularized {
    @Dense(4)
    @Activation(TANH)
    Layer hidden;

    @Dense(2)
    Layer out;
}
