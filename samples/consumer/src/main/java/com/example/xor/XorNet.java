package com.example.xor;

import io.nerva.annotations.Activation;
import io.nerva.annotations.ActivationType;
import io.nerva.annotations.Dense;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Network;
import io.nerva.runtime.Layer;

/** XOR: 2 inputs, 32 hidden units (enough for OpenBLAS to do the products), 1 output. javac generates XorNetModel. */
@Network(input = {2}, loss = LossFunction.BINARY_CROSSENTROPY)
public abstract class XorNet {
    @Dense(32) @Activation(ActivationType.TANH)   Layer hidden;
    @Dense(1) @Activation(ActivationType.SIGMOID) Layer out;
}
