package io.nerva.examples.custom;

import io.nerva.runtime.custom.ActivationFunction;

/** The bent identity from the course's list of activations, {@code (√(x² + 1) − 1)/2 + x}, and its derivative. */
public final class BentIdentity implements ActivationFunction {
    @Override
    public float apply(float x) {
        return (float) ((Math.sqrt((double) x * x + 1) - 1) / 2 + x);
    }

    @Override
    public float derivative(float x, float y) {
        return (float) (x / (2 * Math.sqrt((double) x * x + 1)) + 1);
    }
}
