package io.nerva.processor.model;

import io.nerva.annotations.Initializer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One parameter tensor of a layer, named {@code <field>.<suffix>}, in the order of the model's
 * parameter buffer. Weight files use the same names and shapes.
 */
public record ParamTensor(String suffix, int[] shape, Initializer init, float initValue, int fanIn, int fanOut) {

    public long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /**
     * The parameter tensors of a layer, in buffer order; the first two are the runtime
     * {@code Layer}'s kernel and bias views. Fans as Keras: a conv kernel's are
     * {@code kh·kw·cin} and {@code kh·kw·filters}; a bias gets its layer's.
     */
    public static List<ParamTensor> of(LayerPlan layer) {
        return switch (layer) {
            case LayerPlan.Dense d -> {
                List<ParamTensor> t = new ArrayList<>();
                t.add(new ParamTensor("kernel", new int[] {d.in(), d.units()}, d.kernelInit(), d.initValue(), d.in(), d.units()));
                if (d.useBias()) t.add(new ParamTensor("bias", new int[] {d.units()}, d.biasInit(), d.initValue(), d.in(), d.units()));
                yield t;
            }
            case LayerPlan.Conv2D c -> {
                int fanIn = c.patch(), fanOut = c.window().kh() * c.window().kw() * c.filters();
                List<ParamTensor> t = new ArrayList<>();
                t.add(new ParamTensor("kernel", new int[] {c.window().kh(), c.window().kw(), c.cin(), c.filters()},
                        c.kernelInit(), c.initValue(), fanIn, fanOut));
                if (c.useBias()) t.add(new ParamTensor("bias", new int[] {c.filters()}, c.biasInit(), c.initValue(), fanIn, fanOut));
                yield t;
            }
            case LayerPlan.BatchNorm b -> {
                int[] shape = {b.channels()};
                yield List.of(new ParamTensor("gamma", shape, Initializer.ONES, 0f, b.channels(), b.channels()),
                        new ParamTensor("beta", shape, Initializer.ZEROS, 0f, b.channels(), b.channels()),
                        new ParamTensor("moving_mean", shape, Initializer.ZEROS, 0f, b.channels(), b.channels()),
                        new ParamTensor("moving_variance", shape, Initializer.ONES, 0f, b.channels(), b.channels()));
            }
            default -> List.of();
        };
    }
}
