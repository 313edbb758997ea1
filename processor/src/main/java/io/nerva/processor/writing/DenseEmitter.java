package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.annotations.ActivationType;
import io.nerva.processor.model.LayerPlan;

/** {@code z = X·W (+ b)}, {@code out = act(z)}: one sgemm, then bias and activation in one pass. */
final class DenseEmitter implements LayerEmitter {
    private final LayerPlan.Dense layer;

    DenseEmitter(LayerPlan.Dense layer) {
        this.layer = layer;
    }

    @Override
    public String describe(Wiring w) {
        return layer.name() + ": Dense " + layer.in() + " → " + layer.units()
                + (layer.activation() == ActivationType.LINEAR ? "" : ", " + layer.activation())
                + (layer.useBias() ? "" : ", no bias");
    }

    @Override
    public CodeBlock forward(Wiring w) {
        int in = layer.in(), units = layer.units();
        CodeBlock.Builder code = CodeBlock.builder()
                .addStatement("$T.matmul(false, false, rows, $L, $L, ws.$L, 0, w, $L, ws.$L, 0, 0f)",
                        DENSE_KERNELS, units, in, w.in(), w.kernelOffset(), w.z());
        boolean linear = layer.activation() == ActivationType.LINEAR;
        if (layer.useBias() || !linear) {
            code.addStatement("$T.biasActivation(ws.$L, w, $L, ws.$L, rows, $L, $T.$L, $L)",
                    DENSE_KERNELS, w.z(), layer.useBias() ? w.biasOffset() : "-1", w.out(), units,
                    ACTIVATION_TYPE, layer.activation(), LayerEmitter.alpha(layer.alpha()));
        }
        return code.build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        int in = layer.in(), units = layer.units();
        CodeBlock.Builder code = CodeBlock.builder();
        if (layer.activation() != ActivationType.LINEAR) {
            CodeBlock derivative = CodeBlock.of("$T.backward($T.$L, $L, ws.$L, ws.$L, ws.$L, ws.$L, rows, $L)",
                    ACTIVATIONS, ACTIVATION_TYPE, layer.activation(), LayerEmitter.alpha(layer.alpha()),
                    w.z(), w.out(), w.outGrad(), w.outGrad(), units);
            if (w.last()) {
                code.add("// dLoss/dz: the loss may already have given it (fused softmax/sigmoid + cross-entropy)\n");
                code.beginControlFlow("if (!gradWrtLogits)").addStatement(derivative).endControlFlow();
            } else {
                code.add("// dLoss/dz = dLoss/dout ⊙ $L'(z), in place\n", layer.activation().name().toLowerCase());
                code.addStatement(derivative);
            }
        }
        code.add("// dW = Xᵀ·dz\n");
        code.addStatement("$T.matmul(true, false, $L, $L, rows, ws.$L, 0, ws.$L, 0, g, $L, 0f)",
                DENSE_KERNELS, in, units, w.in(), w.outGrad(), w.kernelOffset());
        if (layer.useBias()) {
            code.add("// db = column sums of dz\n");
            code.addStatement("$T.biasGradient(ws.$L, rows, $L, g, $L)", DENSE_KERNELS, w.outGrad(), units, w.biasOffset());
        }
        if (w.inGrad() != null) {
            code.add("// dX = dz·Wᵀ\n");
            code.addStatement("$T.matmul(false, true, rows, $L, $L, ws.$L, 0, w, $L, ws.$L, 0, 0f)",
                    DENSE_KERNELS, in, units, w.outGrad(), w.kernelOffset(), w.inGrad());
        }
        return code.build();
    }
}
