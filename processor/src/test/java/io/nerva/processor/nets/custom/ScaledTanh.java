package io.nerva.processor.nets.custom;

import io.nerva.runtime.custom.ActivationFunction;

/** LeCun's scaled tanh, {@code 1.7159·tanh(2x/3)}: a user's activation with its derivative. */
public final class ScaledTanh implements ActivationFunction {
    public static final float A = 1.7159f, B = 2f / 3f;

    @Override
    public float apply(float x) {
        return A * (float) Math.tanh(B * x);
    }

    @Override
    public float derivative(float x, float y) {
        float t = y / A;
        return A * B * (1 - t * t);
    }
}
