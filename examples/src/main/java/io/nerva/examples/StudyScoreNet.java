package io.nerva.examples;

import static io.nerva.annotations.ActivationType.SIGMOID;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** (hours slept, hours studied) → test score, a regression with a sigmoid output on scores / 100. */
@Network(
        input = {2},
        loss = LossFunction.MEAN_SQUARED_ERROR)
public abstract class StudyScoreNet {
    @Dense(3)
    @Activation(SIGMOID)
    Layer hidden;

    @Dense(1)
    @Activation(SIGMOID)
    Layer score;
}
