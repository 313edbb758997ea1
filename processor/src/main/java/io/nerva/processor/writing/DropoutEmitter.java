package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** Inverted dropout while training; a pass-through at inference. */
final class DropoutEmitter implements LayerEmitter {
    private final LayerPlan.Dropout layer;

    DropoutEmitter(LayerPlan.Dropout layer) {
        this.layer = layer;
    }

    @Override
    public String describe(Wiring w) {
        return layer.name() + ": Dropout rate " + layer.rate() + " over " + layer.input();
    }

    @Override
    public boolean usesTrainingFlag() {
        return true;
    }

    @Override
    public CodeBlock forward(Wiring w) {
        int width = layer.input().size();
        return CodeBlock.builder()
                .beginControlFlow("if (training)")
                .addStatement("$T.forward(ws.$L, ws.$L, ws.$LMask, (long) rows * $L, $Lf, ws.rng(), !ws.dropoutMasksFrozen())",
                        DROPOUT, w.in(), w.out(), layer.name(), width, Float.toString(layer.rate()))
                .nextControlFlow("else if (ws.$L != ws.$L)", w.out(), w.in())
                .addStatement("$T.copy(ws.$L, 0, ws.$L, 0, (long) rows * $L * Float.BYTES)", MEMORY_SEGMENT, w.in(), w.out(), width)
                .endControlFlow()
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        return CodeBlock.builder()
                .addStatement("$T.backward(ws.$L, ws.$L, ws.$LMask, (long) rows * $L)",
                        DROPOUT, w.outGrad(), w.inGrad(), layer.name(), layer.input().size())
                .build();
    }
}
