package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import io.nerva.annotations.ActivationType;
import io.nerva.processor.model.LayerPlan;

import java.util.List;

/**
 * {@code z = im2col(X)·W (+ b)}, {@code out = act(z)}: one sgemm for the batch writes the NHWC
 * output directly (its rows are the GEMM's rows), then bias and activation in one pass over
 * {@code rows·oh·ow} rows of {@code filters}. A 1x1 stride-1 convolution skips im2col.
 */
final class Conv2DEmitter implements LayerEmitter {
    private final LayerPlan.Conv2D layer;

    Conv2DEmitter(LayerPlan.Conv2D layer) {
        this.layer = layer;
    }

    /** Whether the input is its own patch matrix (no cols buffer, no im2col). */
    static boolean pointwise(LayerPlan.Conv2D c) {
        return c.window().kh() == 1 && c.window().kw() == 1 && c.window().sh() == 1 && c.window().sw() == 1;
    }

    private int pixels() {
        return layer.output().dims()[0] * layer.output().dims()[1];
    }

    @Override
    public String describe(Wiring w) {
        var win = layer.window();
        return layer.name() + ": Conv2D " + layer.input() + " → " + layer.output() + ", kernel " + win.kh() + "x" + win.kw()
                + ", strides " + win.sh() + "x" + win.sw()
                + (win.dh() > 1 || win.dw() > 1 ? ", dilation " + win.dh() + "x" + win.dw() : "") + ", " + win.padding()
                + (layer.activation() == ActivationType.LINEAR ? "" : ", " + layer.activation())
                + (layer.useBias() ? "" : ", no bias");
    }

    @Override
    public List<FieldSpec> constants() {
        return List.of(LayerEmitter.geometry(layer.name(), layer.input(), layer.output(), layer.window()));
    }

    private CodeBlock cols() {
        return LayerEmitter.bufferOrNull(pointwise(layer) ? null : layer.name() + "Cols");
    }

    /**
     * A hidden ReLU layer takes the fused path: the product goes straight into {@code out}, bias and
     * ReLU are applied there in place ({@link io.nerva.runtime.kernels.ConvKernels#biasRelu}), and
     * backward masks by {@code out > 0} and sums the bias gradient in the same pass. The {@code z}
     * buffer is then unused; the output layer keeps it (it is the logits).
     */
    private boolean fusedRelu(Wiring w) {
        return layer.activation() == ActivationType.RELU && !w.last();
    }

    @Override
    public CodeBlock forward(Wiring w) {
        int filters = layer.filters();
        if (fusedRelu(w)) {
            return CodeBlock.builder()
                    .addStatement("$T.forward($L, $L, ws.$L, $L, w, $L, ws.$L, rows)", CONV_KERNELS,
                            LayerEmitter.geometryName(layer.name()), filters, w.in(), cols(), w.kernelOffset(), w.out())
                    .addStatement("$T.biasRelu(ws.$L, w, $L, $L, $L)", CONV_KERNELS, w.out(),
                            layer.useBias() ? w.biasOffset() : "-1", LayerEmitter.rowsTimes(pixels()), filters)
                    .build();
        }
        CodeBlock.Builder code = CodeBlock.builder()
                .addStatement("$T.forward($L, $L, ws.$L, $L, w, $L, ws.$L, rows)", CONV_KERNELS,
                        LayerEmitter.geometryName(layer.name()), filters, w.in(), cols(), w.kernelOffset(), w.z());
        boolean linear = layer.activation() == ActivationType.LINEAR;
        if (layer.useBias() || !linear) {
            code.addStatement("$T.biasActivation(ws.$L, w, $L, ws.$L, $L, $L, $T.$L, $L)",
                    DENSE_KERNELS, w.z(), layer.useBias() ? w.biasOffset() : "-1", w.out(), LayerEmitter.rowsTimes(pixels()),
                    filters, ACTIVATION_TYPE, layer.activation(), LayerEmitter.alpha(layer.alpha()));
        }
        return code.build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        int filters = layer.filters();
        CodeBlock m = LayerEmitter.rowsTimes(pixels());
        CodeBlock.Builder code = CodeBlock.builder();
        if (fusedRelu(w)) {
            code.add(layer.useBias() ? "// dLoss/dz = dLoss/dout ⊙ [out > 0] in place, and db = its column sums\n"
                    : "// dLoss/dz = dLoss/dout ⊙ [out > 0], in place\n");
            code.addStatement("$T.reluBackward(ws.$L, ws.$L, $L, $L, g, $L)", CONV_KERNELS, w.out(), w.outGrad(), m, filters,
                    layer.useBias() ? w.biasOffset() : "-1");
            code.add(w.inGrad() == null ? "// dW = colsᵀ·dz\n" : "// dW = colsᵀ·dz, then dX = col2im(dz·Wᵀ)\n");
            code.addStatement("$T.backward($L, $L, ws.$L, $L, w, $L, ws.$L, g, $L, $L, rows)", CONV_KERNELS,
                    LayerEmitter.geometryName(layer.name()), filters, w.in(), cols(), w.kernelOffset(), w.outGrad(),
                    w.kernelOffset(), LayerEmitter.bufferOrNull(w.inGrad()));
            return code.build();
        }
        if (layer.activation() != ActivationType.LINEAR) {
            CodeBlock derivative = CodeBlock.of("$T.backward($T.$L, $L, ws.$L, ws.$L, ws.$L, ws.$L, $L, $L)",
                    ACTIVATIONS, ACTIVATION_TYPE, layer.activation(), LayerEmitter.alpha(layer.alpha()),
                    w.z(), w.out(), w.outGrad(), w.outGrad(), m, filters);
            if (w.last()) {
                code.add("// dLoss/dz: the loss may already have given it\n");
                code.beginControlFlow("if (!gradWrtLogits)").addStatement(derivative).endControlFlow();
            } else {
                code.add("// dLoss/dz = dLoss/dout ⊙ $L'(z), in place\n", layer.activation().name().toLowerCase());
                code.addStatement(derivative);
            }
        }
        code.add(w.inGrad() == null ? "// dW = colsᵀ·dz\n" : "// dW = colsᵀ·dz, then dX = col2im(dz·Wᵀ)\n");
        code.addStatement("$T.backward($L, $L, ws.$L, $L, w, $L, ws.$L, g, $L, $L, rows)", CONV_KERNELS,
                LayerEmitter.geometryName(layer.name()), filters, w.in(), cols(), w.kernelOffset(), w.outGrad(),
                w.kernelOffset(), LayerEmitter.bufferOrNull(w.inGrad()));
        if (layer.useBias()) {
            code.add("// db = column sums of dz over every output pixel\n");
            code.addStatement("$T.biasGradient(ws.$L, $L, $L, g, $L)", DENSE_KERNELS, w.outGrad(), m, filters, w.biasOffset());
        }
        return code.build();
    }
}
