package io.nerva.examples.custom;

import io.nerva.annotations.CustomShape;
import io.nerva.annotations.CustomShape.Dim;
import io.nerva.annotations.Initializer;
import io.nerva.runtime.custom.CustomLayer;
import io.nerva.runtime.custom.CustomPass;

/**
 * A radial-basis-function layer, written by the user: unit {@code u} responds to how close the input is to
 * its trained centre, {@code out_u = exp(−e^{s_u}·‖x − c_u‖²)}, with a trained log-sharpness {@code s_u}.
 * Parameters {@code centers [units, features]} and {@code logSharpness [units]}.
 */
@CustomShape(
        output = CustomShape.Rule.UNITS,
        params = {
            @CustomShape.Param(
                    name = "centers",
                    shape = {Dim.UNITS, Dim.INPUT_SIZE},
                    init = Initializer.RANDOM_UNIFORM),
            @CustomShape.Param(name = "logSharpness", shape = Dim.UNITS, init = Initializer.CONSTANT, initValue = -1f)
        })
public final class Rbf implements CustomLayer {
    private static final int CENTERS = 0, SHARPNESS = 1;

    @Override
    public void forward(CustomPass p) {
        int features = p.inputSize();
        for (int r = 0; r < p.rows(); r++) {
            for (int u = 0; u < p.units(); u++) {
                p.setOutput(r, u, (float) Math.exp(-Math.exp(p.param(SHARPNESS, u)) * distance2(p, r, u, features)));
            }
        }
    }

    @Override
    public void backward(CustomPass p) {
        int features = p.inputSize();
        for (int r = 0; r < p.rows(); r++) {
            for (int u = 0; u < p.units(); u++) {
                double beta = Math.exp(p.param(SHARPNESS, u));
                double d2 = distance2(p, r, u, features);
                double dOut = p.outputGrad(r, u) * p.output(r, u); // d out / d(−β·d²) = out
                p.addParamGrad(SHARPNESS, u, (float) (-dOut * beta * d2));
                for (int f = 0; f < features; f++) {
                    double diff = p.input(r, f) - p.param(CENTERS, (long) u * features + f);
                    float g = (float) (-dOut * beta * 2 * diff); // d/dx of −β·d²
                    p.addInputGrad(r, f, g);
                    p.addParamGrad(CENTERS, (long) u * features + f, -g);
                }
            }
        }
    }

    private static double distance2(CustomPass p, int r, int u, int features) {
        double s = 0;
        for (int f = 0; f < features; f++) {
            double d = p.input(r, f) - p.param(CENTERS, (long) u * features + f);
            s += d * d;
        }
        return s;
    }
}
