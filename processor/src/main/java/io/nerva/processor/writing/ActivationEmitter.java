package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** An activation on its own field: {@code out = act(in)}; backward works in place on the gradient. */
final class ActivationEmitter implements LayerEmitter {
    private final LayerPlan.Activation layer;

    ActivationEmitter(LayerPlan.Activation layer) {
        this.layer = layer;
    }

    @Override
    public String describe(Wiring w) {
        return layer.name() + ": " + layer.activation() + " over " + layer.input();
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement("$T.forward($T.$L, $L, ws.$L, ws.$L, rows, $L)", ACTIVATIONS, ACTIVATION_TYPE,
                        layer.activation(), LayerEmitter.alpha(layer.alpha()), w.in(), w.out(), layer.input().size())
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        CodeBlock derivative = CodeBlock.of("$T.backward($T.$L, $L, ws.$L, ws.$L, ws.$L, ws.$L, rows, $L)",
                ACTIVATIONS, ACTIVATION_TYPE, layer.activation(), LayerEmitter.alpha(layer.alpha()),
                w.in(), w.out(), w.outGrad(), w.inGrad(), layer.input().size());
        CodeBlock.Builder code = CodeBlock.builder();
        if (w.last()) {
            code.beginControlFlow("if (!gradWrtLogits)").addStatement(derivative).endControlFlow();
        } else {
            code.addStatement(derivative);
        }
        return code.build();
    }
}
