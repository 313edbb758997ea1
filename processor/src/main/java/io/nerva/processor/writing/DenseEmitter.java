package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.annotations.ActivationType;
import io.nerva.processor.model.LayerPlan;

/**
 * {@code z = X·W (+ b)}, {@code out = act(z)}: one sgemm over {@code rows·steps} rows (every step of a
 * sequence at once), then bias and activation fused in one pass.
 */
final class DenseEmitter implements LayerEmitter {
    private final LayerPlan.Dense layer;

    DenseEmitter(LayerPlan.Dense layer) {
        this.layer = layer;
    }

    private boolean linear() {
        return layer.activation() == ActivationType.LINEAR;
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        String name = layer.name();
        long width = layer.output().count();
        var z = layout.add(name + (linear() ? "Out" : "Z"), width, name + ": X·W" + (layer.useBias() ? " + b" : ""));
        var out = linear() ? z : layout.add(name + "Out", width, name + ": " + layer.activation() + "(z)");
        var outGrad = layout.addTraining(name + "Grad", width, name + ": dLoss/d" + out.name());
        return new Wiring(layer, up.in(), out, z, up.inGrad(), outGrad, up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": Dense " + layer.in() + " → " + layer.units()
                + (layer.steps() > 1 ? " on each of " + layer.steps() + " steps" : "")
                + (linear() ? "" : ", " + layer.activation())
                + (layer.useBias() ? "" : ", no bias");
    }

    private CodeBlock rows() {
        return LayerEmitter.rowsTimes(layer.steps());
    }

    @Override
    public CodeBlock forward(Wiring w) {
        int in = layer.in(), units = layer.units();
        CodeBlock.Builder code = CodeBlock.builder()
                .addStatement(
                        "$T.matmul(false, false, $L, $L, $L, $L, 0, w, $L, $L, 0, 0f)",
                        DENSE_KERNELS,
                        rows(),
                        units,
                        in,
                        w.in(),
                        LayerEmitter.offset(layer, "kernel"),
                        w.logits());
        if (layer.useBias() || !linear()) {
            code.addStatement(
                    "$T.biasActivation($L, w, $L, $L, $L, $L, $T.$L, $L)",
                    DENSE_KERNELS,
                    w.logits(),
                    LayerEmitter.biasOffset(layer, layer.useBias()),
                    w.out(),
                    rows(),
                    units,
                    ACTIVATION_TYPE,
                    layer.activation(),
                    LayerEmitter.alpha(layer.activation(), layer.alpha()));
        }
        return code.build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        int in = layer.in(), units = layer.units();
        CodeBlock.Builder code = CodeBlock.builder();
        code.add(LayerEmitter.skipUnlessWanted(w));
        if (!linear()) {
            CodeBlock derivative = CodeBlock.of(
                    "$T.backward($T.$L, $L, $L, $L, $L, $L, $L, $L)",
                    ACTIVATIONS,
                    ACTIVATION_TYPE,
                    layer.activation(),
                    LayerEmitter.alpha(layer.activation(), layer.alpha()),
                    w.logits(),
                    w.out(),
                    w.outGrad(),
                    w.outGrad(),
                    rows(),
                    units);
            if (w.last()) {
                code.add("// dLoss/dz: the loss may already have given it (fused softmax/sigmoid + cross-entropy)\n");
                code.beginControlFlow("if (!gradWrtLogits)")
                        .addStatement(derivative)
                        .endControlFlow();
            } else {
                code.add(
                        "// dLoss/dz = dLoss/dout ⊙ $L'(z), in place\n",
                        layer.activation().name().toLowerCase());
                code.addStatement(derivative);
            }
        }
        code.beginControlFlow("if (trains)");
        code.add("// dW = Xᵀ·dz\n");
        code.addStatement(
                "$T.matmul(true, false, $L, $L, $L, $L, 0, $L, 0, g, $L, 0f)",
                DENSE_KERNELS,
                in,
                units,
                rows(),
                w.in(),
                w.outGrad(),
                LayerEmitter.offset(layer, "kernel"));
        if (layer.useBias()) {
            code.add("// db = column sums of dz\n");
            code.addStatement(
                    "$T.biasGradient($L, $L, $L, g, $L)",
                    DENSE_KERNELS,
                    w.outGrad(),
                    rows(),
                    units,
                    LayerEmitter.offset(layer, "bias"));
        }
        code.endControlFlow();
        if (w.inGrad() != null) {
            code.beginControlFlow("if (dx)");
            code.add("// dX = dz·Wᵀ\n");
            code.addStatement(
                    "$T.matmul(false, true, $L, $L, $L, $L, 0, w, $L, $L, 0, 0f)",
                    DENSE_KERNELS,
                    rows(),
                    in,
                    units,
                    w.outGrad(),
                    LayerEmitter.offset(layer, "kernel"),
                    w.inGrad());
            code.endControlFlow();
        }
        return code.build();
    }
}
