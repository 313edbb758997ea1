package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** The maximum of each channel over all pixels; backward routes each gradient to its maximum. */
final class GlobalMaxPoolEmitter implements LayerEmitter {
    private final LayerPlan.GlobalMaxPool2D layer;

    GlobalMaxPoolEmitter(LayerPlan.GlobalMaxPool2D layer) {
        this.layer = layer;
    }

    private int pixels() {
        return layer.input().dims()[0] * layer.input().dims()[1];
    }

    private CodeBlock argmax(Wiring w) {
        return LayerEmitter.bufferOrNull(w.inGrad() == null ? null : layer.name() + "Argmax");
    }

    @Override
    public String describe(Wiring w) {
        return layer.name() + ": GlobalMaxPool2D " + layer.input() + " → " + layer.output();
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder().addStatement("$T.globalMaxForward(ws.$L, ws.$L, $L, rows, $L, $L)", POOL_KERNELS,
                w.in(), w.out(), argmax(w), pixels(), layer.output().size()).build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        return CodeBlock.builder().addStatement("$T.globalMaxBackward(ws.$L, $L, ws.$L, rows, $L, $L)", POOL_KERNELS,
                w.outGrad(), argmax(w), w.inGrad(), pixels(), layer.output().size()).build();
    }
}
