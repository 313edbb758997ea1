package io.nerva.processor.nets;

import io.nerva.annotations.Dense;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.Initializer;
import io.nerva.annotations.Maxout;
import io.nerva.annotations.Network;
import io.nerva.annotations.PReLU;
import io.nerva.runtime.Layer;

/** PReLU and Maxout on a sequence: slopes per step and unit, maxout per step, then a flat head. */
@Network(input = {2, 5})
public abstract class Parametric {
    @Dense(6)
    Layer mix;

    @PReLU(alphaInit = Initializer.CONSTANT, initValue = 0.25f)
    public Layer slopes;

    @Maxout(3)
    public Layer pieces;

    @Flatten
    Layer flat;

    @Dense(4)
    Layer out;

    @PReLU(alphaInit = Initializer.RANDOM_UNIFORM)
    Layer outSlopes;
}
