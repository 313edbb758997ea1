package io.nerva.processor.nets.custom;

import io.nerva.annotations.CustomShape;
import io.nerva.annotations.CustomShape.Dim;
import io.nerva.annotations.Initializer;
import io.nerva.runtime.custom.CustomLayer;
import io.nerva.runtime.custom.CustomPass;

/** A user's Dense over the last axis: {@code y = x·W + b}, per step of a sequence. */
@CustomShape(
        output = CustomShape.Rule.LAST_AXIS_TO_UNITS,
        params = {
            @CustomShape.Param(
                    name = "kernel",
                    shape = {Dim.INPUT_LAST, Dim.UNITS}),
            @CustomShape.Param(name = "bias", shape = Dim.UNITS, init = Initializer.CONSTANT, initValue = 0.1f)
        })
public final class Affine implements CustomLayer {
    @Override
    public void forward(CustomPass p) {
        int[] in = p.inputShape();
        int features = in[in.length - 1], units = p.units(), steps = p.inputSize() / features;
        for (int r = 0; r < p.rows(); r++) {
            for (int t = 0; t < steps; t++) {
                for (int u = 0; u < units; u++) {
                    float z = p.param(1, u);
                    for (int f = 0; f < features; f++)
                        z += p.input(r, t * features + f) * p.param(0, (long) f * units + u);
                    p.setOutput(r, t * units + u, z);
                }
            }
        }
    }

    @Override
    public void backward(CustomPass p) {
        int[] in = p.inputShape();
        int features = in[in.length - 1], units = p.units(), steps = p.inputSize() / features;
        for (int r = 0; r < p.rows(); r++) {
            for (int t = 0; t < steps; t++) {
                for (int u = 0; u < units; u++) {
                    float dy = p.outputGrad(r, t * units + u);
                    p.addParamGrad(1, u, dy);
                    for (int f = 0; f < features; f++) {
                        p.addParamGrad(0, (long) f * units + u, dy * p.input(r, t * features + f));
                        p.addInputGrad(r, t * features + f, dy * p.param(0, (long) f * units + u));
                    }
                }
            }
        }
    }
}
