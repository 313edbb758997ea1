package io.nerva.examples;

import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Custom;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Network;
import io.nerva.examples.custom.BentIdentity;
import io.nerva.examples.custom.Rbf;
import io.nerva.runtime.Layer;

/**
 * Iris through pieces written in plain Java: a radial-basis layer of 12 units ({@link Rbf}: its own parameters,
 * shape rule, forward and backward) and a bent-identity activation ({@link BentIdentity}), both checked by
 * javac's annotation processor like built-in layers, before a softmax head.
 */
@Network(input = {4})
public abstract class IrisCustomNet {
    @Custom(value = Rbf.class, units = 12)
    Layer rbf;

    @Custom(BentIdentity.class)
    Layer bent;

    @Dense(3)
    @Activation(SOFTMAX)
    Layer species;
}
