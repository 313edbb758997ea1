package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** The mean of each channel over all pixels; backward spreads each gradient evenly. */
final class GlobalAvgPoolEmitter implements LayerEmitter {
    private final LayerPlan.GlobalAvgPool2D layer;

    GlobalAvgPoolEmitter(LayerPlan.GlobalAvgPool2D layer) {
        this.layer = layer;
    }

    private int pixels() {
        return layer.input().dims()[0] * layer.input().dims()[1];
    }

    @Override
    public String describe(Wiring w) {
        return layer.name() + ": GlobalAvgPool2D " + layer.input() + " → " + layer.output();
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder().addStatement("$T.globalAvgForward(ws.$L, ws.$L, rows, $L, $L)", POOL_KERNELS,
                w.in(), w.out(), pixels(), layer.output().size()).build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        return CodeBlock.builder().addStatement("$T.globalAvgBackward(ws.$L, ws.$L, rows, $L, $L)", POOL_KERNELS,
                w.outGrad(), w.inGrad(), pixels(), layer.output().size()).build();
    }
}
