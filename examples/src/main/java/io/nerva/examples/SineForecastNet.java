package io.nerva.examples;

import io.nerva.annotations.Dense;
import io.nerva.annotations.GRU;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/**
 * Sequence to sequence regression: 24 noisy samples of a sine wave in, the next clean value after
 * each of them out (a GRU returning every step, then the same Dense on every step).
 */
@Network(
        input = {24, 1},
        loss = LossFunction.MEAN_SQUARED_ERROR)
public abstract class SineForecastNet {
    @GRU(value = 32, returnSequences = true)
    Layer gru;

    @Dense(1)
    Layer next;
}
