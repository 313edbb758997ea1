package io.nerva.processor.nets.freeze;

import io.nerva.annotations.Dense;
import io.nerva.annotations.GRU;
import io.nerva.annotations.LSTM;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** A frozen LSTM between the input and a trained GRU; the LSTM's kernel computes dW with dX, written aside. */
@Network(
        input = {4, 3},
        loss = LossFunction.MEAN_SQUARED_ERROR)
public abstract class FreezeRnn {
    @LSTM(value = 3, returnSequences = true)
    public Layer lstm;

    @GRU(value = 2, returnSequences = true, trainable = false)
    public Layer gru;

    @Dense(2)
    public Layer out;
}
