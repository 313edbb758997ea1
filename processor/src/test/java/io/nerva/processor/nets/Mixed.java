package io.nerva.processor.nets;

import static io.nerva.annotations.ActivationType.ELU;
import static io.nerva.annotations.ActivationType.SOFTPLUS;
import static io.nerva.annotations.ActivationType.SWISH;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Dropout;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.Initializer;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** Image input, Flatten, a bias-free Dense, stand-alone activations and Dropout. */
@Network(input = {3, 2, 2})
public abstract class Mixed {
    @Flatten
    Layer flat;

    @Dense(value = 9, useBias = false)
    Layer noBias;

    @Activation(SWISH)
    Layer swish;

    @Dropout(0.3)
    Layer drop;

    @Dense(value = 5, biasInit = Initializer.CONSTANT, initValue = 0.1f)
    @Activation(value = ELU, alpha = 0.7)
    Layer h2;

    @Dense(3)
    Layer logits;

    @Activation(SOFTPLUS)
    Layer out;
}
