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
 *
 * <p>A hidden ReLU layer takes the fused path: the product goes straight into {@code out}, bias and
 * ReLU are applied there in place, and backward masks by {@code out > 0} and sums the bias gradient
 * in the same pass, so it has no {@code z} buffer at all. The output layer keeps {@code z}: it is
 * the logits.
 */
final class Conv2DEmitter implements LayerEmitter {
    private final LayerPlan.Conv2D layer;
    private BufferLayout.Buffer cols;
    private boolean fusedRelu;

    Conv2DEmitter(LayerPlan.Conv2D layer) {
        this.layer = layer;
    }

    /** Whether the input is its own patch matrix (no cols buffer, no im2col). */
    static boolean pointwise(LayerPlan.Conv2D c) {
        return c.window().kh() == 1
                && c.window().kw() == 1
                && c.window().sh() == 1
                && c.window().sw() == 1;
    }

    private boolean linear() {
        return layer.activation() == ActivationType.LINEAR;
    }

    private int pixels() {
        return layer.output().dims()[0] * layer.output().dims()[1];
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        String name = layer.name();
        long width = layer.output().count();
        if (!pointwise(layer)) {
            cols = layout.add(
                    name + "Cols",
                    (long) pixels() * layer.patch(),
                    name + ": im2col patches [oh·ow, kh·kw·cin] per row; backward reuses it for dz·Wᵀ");
        }
        fusedRelu = layer.activation() == ActivationType.RELU && !up.last();
        BufferLayout.Buffer z = null, out;
        if (fusedRelu) {
            out = layout.add(
                    name + "Out", width, name + ": RELU(conv(X, W)" + (layer.useBias() ? " + b" : "") + "), in place");
        } else {
            z = layout.add(
                    name + (linear() ? "Out" : "Z"), width, name + ": conv(X, W)" + (layer.useBias() ? " + b" : ""));
            out = linear() ? z : layout.add(name + "Out", width, name + ": " + layer.activation() + "(z)");
        }
        var outGrad = layout.addTraining(name + "Grad", width, name + ": dLoss/d" + out.name());
        return new Wiring(layer, up.in(), out, z == null ? out : z, up.inGrad(), outGrad, up.last());
    }

    @Override
    public String describe() {
        var win = layer.window();
        return layer.name() + ": Conv2D " + layer.input() + " → " + layer.output() + ", kernel " + win.kh() + "x"
                + win.kw()
                + ", strides " + win.sh() + "x" + win.sw()
                + (win.dh() > 1 || win.dw() > 1 ? ", dilation " + win.dh() + "x" + win.dw() : "") + ", " + win.padding()
                + (linear() ? "" : ", " + layer.activation())
                + (layer.useBias() ? "" : ", no bias");
    }

    @Override
    public List<FieldSpec> constants() {
        return List.of(LayerEmitter.geometry(layer.name(), layer.input(), layer.output(), layer.window()));
    }

    private String kernel() {
        return LayerEmitter.offset(layer, "kernel");
    }

    @Override
    public CodeBlock forward(Wiring w) {
        int filters = layer.filters();
        CodeBlock m = LayerEmitter.rowsTimes(pixels());
        CodeBlock.Builder code = CodeBlock.builder()
                .addStatement(
                        "$T.forward($L, $L, $L, $L, w, $L, $L, rows)",
                        CONV_KERNELS,
                        LayerEmitter.geometryName(layer.name()),
                        filters,
                        w.in(),
                        LayerEmitter.bufferOrNull(cols),
                        kernel(),
                        w.logits());
        if (fusedRelu) {
            return code.addStatement(
                            "$T.biasRelu($L, w, $L, $L, $L)",
                            CONV_KERNELS,
                            w.out(),
                            LayerEmitter.biasOffset(layer, layer.useBias()),
                            m,
                            filters)
                    .build();
        }
        if (layer.useBias() || !linear()) {
            code.addStatement(
                    "$T.biasActivation($L, w, $L, $L, $L, $L, $T.$L, $L)",
                    DENSE_KERNELS,
                    w.logits(),
                    LayerEmitter.biasOffset(layer, layer.useBias()),
                    w.out(),
                    m,
                    filters,
                    ACTIVATION_TYPE,
                    layer.activation(),
                    LayerEmitter.alpha(layer.activation(), layer.alpha()));
        }
        return code.build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        int filters = layer.filters();
        CodeBlock m = LayerEmitter.rowsTimes(pixels());
        CodeBlock.Builder code = CodeBlock.builder();
        code.add(LayerEmitter.skipUnlessWanted(w));
        if (fusedRelu) {
            code.add(
                    layer.useBias()
                            ? "// dLoss/dz = dLoss/dout ⊙ [out > 0] in place, and db = its column sums\n"
                            : "// dLoss/dz = dLoss/dout ⊙ [out > 0], in place\n");
            code.addStatement(
                    "$T.reluBackward($L, $L, $L, $L, g, $L)",
                    CONV_KERNELS,
                    w.out(),
                    w.outGrad(),
                    m,
                    filters,
                    layer.useBias()
                            ? CodeBlock.of(
                                    "trains ? $L : $T.NO_BIAS", LayerEmitter.offset(layer, "bias"), DENSE_KERNELS)
                            : LayerEmitter.biasOffset(layer, false));
        } else if (!linear()) {
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
                    m,
                    filters);
            if (w.last()) {
                code.add("// dLoss/dz: the loss may already have given it\n");
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
        code.add(w.inGrad() == null ? "// dW = colsᵀ·dz\n" : "// dW = colsᵀ·dz, then dX = col2im(dz·Wᵀ) when wanted\n");
        code.addStatement(
                "$T.backward($L, $L, $L, $L, w, $L, $L, g, $L, $L, rows)",
                CONV_KERNELS,
                LayerEmitter.geometryName(layer.name()),
                filters,
                w.in(),
                LayerEmitter.bufferOrNull(cols),
                kernel(),
                w.outGrad(),
                kernel(),
                LayerEmitter.inGradIfWanted(w));
        if (layer.useBias() && !fusedRelu) {
            code.add("// db = column sums of dz over every output pixel\n");
            code.addStatement(
                    "$T.biasGradient($L, $L, $L, g, $L)",
                    DENSE_KERNELS,
                    w.outGrad(),
                    m,
                    filters,
                    LayerEmitter.offset(layer, "bias"));
        }
        if (w.inGrad() != null) {
            code.nextControlFlow("else");
            code.add("// frozen: dX = col2im(dz·Wᵀ) only\n");
            int k = layer.patch();
            if (pointwise(layer)) {
                code.addStatement(
                        "$T.matmul(false, true, $L, $L, $L, $L, 0, w, $L, $L, 0, 0f)",
                        DENSE_KERNELS,
                        m,
                        layer.cin(),
                        filters,
                        w.outGrad(),
                        kernel(),
                        w.inGrad());
            } else {
                code.addStatement(
                        "$T.matmul(false, true, $L, $L, $L, $L, 0, w, $L, $L, 0, 0f)",
                        DENSE_KERNELS,
                        m,
                        k,
                        filters,
                        w.outGrad(),
                        kernel(),
                        cols);
                code.addStatement(
                        "$T.col2im($L, $L, $L, rows)",
                        CONV_KERNELS,
                        LayerEmitter.geometryName(layer.name()),
                        cols,
                        w.inGrad());
            }
        }
        code.endControlFlow();
        return code.build();
    }
}
