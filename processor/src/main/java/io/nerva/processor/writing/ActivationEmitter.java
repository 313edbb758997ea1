package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** An activation on its own field, over the last axis (softmax per pixel or per step on images and sequences). */
final class ActivationEmitter implements LayerEmitter {
    private final LayerPlan.Activation layer;

    ActivationEmitter(LayerPlan.Activation layer) {
        this.layer = layer;
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        var out = layout.add(
                layer.name() + "Out",
                layer.output().count(),
                layer.name() + ": " + layer.activation() + "(" + up.in().name() + ")");
        return new Wiring(layer, up.in(), out, up.in(), up.inGrad(), layout.elementwiseGrad(layer, up), up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": " + layer.activation() + " over " + layer.input();
    }

    /** Rows times vectors per sample, and the last axis: the kernels' {@code rows x cols}. */
    private CodeBlock shape() {
        int cols = layer.input().last();
        return CodeBlock.of("$L, $L", LayerEmitter.rowsTimes(layer.input().size() / cols), cols);
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement(
                        "$T.forward($T.$L, $L, $L, $L, $L)",
                        ACTIVATIONS,
                        ACTIVATION_TYPE,
                        layer.activation(),
                        LayerEmitter.alpha(layer.activation(), layer.alpha()),
                        w.in(),
                        w.out(),
                        shape())
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        CodeBlock derivative = CodeBlock.of(
                "$T.backward($T.$L, $L, $L, $L, $L, $L, $L)",
                ACTIVATIONS,
                ACTIVATION_TYPE,
                layer.activation(),
                LayerEmitter.alpha(layer.activation(), layer.alpha()),
                w.in(),
                w.out(),
                w.outGrad(),
                w.inGrad(),
                shape());
        CodeBlock.Builder code = CodeBlock.builder().addStatement("if (!dx) return");
        if (w.last()) {
            code.beginControlFlow("if (!gradWrtLogits)")
                    .addStatement(derivative)
                    .endControlFlow();
        } else {
            code.addStatement(derivative);
        }
        return code.build();
    }
}
