package io.nerva.processor.writing;

import io.nerva.annotations.ActivationType;
import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.NetworkPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides the workspace buffers of a network and how layers share them: Flatten aliases its
 * input, element-wise layers work on their gradient in place, and a gradient buffer exists only
 * where some earlier layer has parameters to train.
 */
final class BufferLayout {

    /**
     * A buffer of {@code perRow} floats per batch row, or of {@code perRow} floats in all when
     * {@code perBatch} (per-channel scratch). {@code trainingOnly} buffers are {@code NULL} in
     * inference workspaces; {@code inferenceAlias} names the buffer it stands for in an inference
     * workspace (dropout passes its input through).
     */
    record Buffer(String name, int perRow, boolean trainingOnly, String inferenceAlias, String comment, boolean perBatch) {
        Buffer(String name, int perRow, boolean trainingOnly, String inferenceAlias, String comment) {
            this(name, perRow, trainingOnly, inferenceAlias, comment, false);
        }
    }

    final List<Buffer> buffers = new ArrayList<>();
    final List<Wiring> wirings = new ArrayList<>();
    final String output;
    final String logits;
    final String outputGrad;

    BufferLayout(NetworkPlan plan) {
        buffers.add(new Buffer("input", plan.input().size(), false, null, "network input " + plan.input()));
        List<LayerPlan> layers = plan.layers();
        String current = "input";
        String currentGrad = null;
        boolean paramsSoFar = false;
        String logitsName = "input";
        for (int i = 0; i < layers.size(); i++) {
            LayerPlan layer = layers.get(i);
            boolean last = i == layers.size() - 1;
            String name = layer.name();
            int width = layer.output().size();
            String in = current;
            String inGrad = currentGrad;
            String z = null;
            String out;
            String outGrad;
            String kernel = null;
            String bias = null;
            switch (layer) {
                case LayerPlan.Dense d -> {
                    paramsSoFar = true;
                    kernel = Names.constant(name) + "_KERNEL";
                    bias = d.useBias() ? Names.constant(name) + "_BIAS" : null;
                    z = name + (d.activation() == ActivationType.LINEAR ? "Out" : "Z");
                    buffers.add(new Buffer(z, width, false, null, name + ": X·W" + (d.useBias() ? " + b" : "")));
                    out = z;
                    if (d.activation() != ActivationType.LINEAR) {
                        out = name + "Out";
                        buffers.add(new Buffer(out, width, false, null, name + ": " + d.activation() + "(z)"));
                    }
                    outGrad = name + "Grad";
                    buffers.add(new Buffer(outGrad, width, true, null, name + ": dLoss/d" + out));
                    logitsName = z;
                }
                case LayerPlan.Activation a -> {
                    out = name + "Out";
                    buffers.add(new Buffer(out, width, false, null, name + ": " + a.activation() + "(" + in + ")"));
                    outGrad = gradFor(name, width, inGrad, last, paramsSoFar);
                    logitsName = in;
                }
                case LayerPlan.Dropout dr -> {
                    out = name + "Out";
                    buffers.add(new Buffer(out, width, true, in, name + ": " + in + " with dropped values (training)"));
                    buffers.add(new Buffer(name + "Mask", width, true, null, name + ": dropout mask, 0 or 1/(1 - rate)"));
                    outGrad = gradFor(name, width, inGrad, last, paramsSoFar);
                    logitsName = out;
                }
                case LayerPlan.Flatten f -> {
                    out = in; // same memory, row-major NHWC is already flat
                    outGrad = gradFor(name, width, inGrad, last, paramsSoFar);
                    logitsName = out;
                }
                case LayerPlan.Conv2D c -> {
                    paramsSoFar = true;
                    kernel = Names.constant(name) + "_KERNEL";
                    bias = c.useBias() ? Names.constant(name) + "_BIAS" : null;
                    if (!Conv2DEmitter.pointwise(c)) {
                        int perRow = c.output().dims()[0] * c.output().dims()[1] * c.patch();
                        buffers.add(new Buffer(name + "Cols", perRow, false, null, name
                                + ": im2col patches [oh·ow, kh·kw·cin] per row; backward reuses it for dz·Wᵀ"));
                    }
                    z = name + (c.activation() == ActivationType.LINEAR ? "Out" : "Z");
                    buffers.add(new Buffer(z, width, false, null, name + ": conv(X, W)" + (c.useBias() ? " + b" : "")));
                    out = z;
                    if (c.activation() != ActivationType.LINEAR) {
                        out = name + "Out";
                        buffers.add(new Buffer(out, width, false, null, name + ": " + c.activation() + "(z)"));
                    }
                    outGrad = name + "Grad";
                    buffers.add(new Buffer(outGrad, width, true, null, name + ": dLoss/d" + out));
                    logitsName = z;
                }
                case LayerPlan.MaxPool2D p -> {
                    out = name + "Out";
                    buffers.add(new Buffer(out, width, false, null, name + ": max over each window"));
                    if (inGrad != null) {
                        buffers.add(new Buffer(name + "Argmax", width, true, null, name + ": index of each maximum in its sample (ints)"));
                    }
                    outGrad = shapeGrad(name, width, last, paramsSoFar);
                    logitsName = out;
                }
                case LayerPlan.AvgPool2D p -> {
                    out = name + "Out";
                    buffers.add(new Buffer(out, width, false, null, name + ": mean over each window"));
                    outGrad = shapeGrad(name, width, last, paramsSoFar);
                    logitsName = out;
                }
                case LayerPlan.GlobalMaxPool2D p -> {
                    out = name + "Out";
                    buffers.add(new Buffer(out, width, false, null, name + ": max of each channel"));
                    if (inGrad != null) {
                        buffers.add(new Buffer(name + "Argmax", width, true, null, name + ": index of each maximum in its sample (ints)"));
                    }
                    outGrad = shapeGrad(name, width, last, paramsSoFar);
                    logitsName = out;
                }
                case LayerPlan.GlobalAvgPool2D p -> {
                    out = name + "Out";
                    buffers.add(new Buffer(out, width, false, null, name + ": mean of each channel"));
                    outGrad = shapeGrad(name, width, last, paramsSoFar);
                    logitsName = out;
                }
                case LayerPlan.BatchNorm b -> {
                    paramsSoFar = true;
                    out = name + "Out";
                    buffers.add(new Buffer(out, width, false, null, name + ": gamma·xhat + beta"));
                    buffers.add(new Buffer(name + "Xhat", width, true, null, name + ": normalised input (training)"));
                    buffers.add(new Buffer(name + "Stats", 8 * b.channels(), true, null, name
                            + ": batch mean, 1/√(var + ε) and two backward sums, " + b.channels() + " doubles each", true));
                    outGrad = name + "Grad";
                    buffers.add(new Buffer(outGrad, width, true, null, name + ": dLoss/d" + out));
                    logitsName = out;
                }
            }
            wirings.add(new Wiring(layer, in, z, out, inGrad, outGrad, last, kernel, bias));
            current = out;
            currentGrad = outGrad;
        }
        this.output = current;
        this.logits = logitsName;
        this.outputGrad = currentGrad;
    }

    /** A layer that changes the shape needs its own output gradient, where anything upstream (or the loss) uses it. */
    private String shapeGrad(String name, int width, boolean last, boolean paramsSoFar) {
        if (!last && !paramsSoFar) return null;
        buffers.add(new Buffer(name + "Grad", width, true, null, name + ": dLoss/d" + name));
        return name + "Grad";
    }

    /** Element-wise layers reuse their input's gradient buffer; a fresh one only where none exists. */
    private String gradFor(String name, int width, String inGrad, boolean last, boolean paramsSoFar) {
        if (inGrad != null) return inGrad;
        if (!last && !paramsSoFar) return null;
        buffers.add(new Buffer(name + "Grad", width, true, null, name + ": dLoss/d" + name));
        return name + "Grad";
    }
}
