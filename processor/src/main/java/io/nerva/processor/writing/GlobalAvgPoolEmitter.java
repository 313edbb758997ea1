package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** Mean of each channel over the whole image. */
final class GlobalAvgPoolEmitter implements LayerEmitter {
    private final LayerPlan.GlobalAvgPool2D layer;

    GlobalAvgPoolEmitter(LayerPlan.GlobalAvgPool2D layer) {
        this.layer = layer;
    }

    private int pixels() {
        return layer.input().dims()[0] * layer.input().dims()[1];
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        var out = layout.add(layer.name() + "Out", layer.output().count(), layer.name() + ": mean of each channel");
        return new Wiring(layer, up.in(), out, out, up.inGrad(), layout.shapeGrad(layer, up), up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": GlobalAvgPool2D " + layer.input() + " → " + layer.output();
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement(
                        "$T.globalAvgForward($L, $L, rows, $L, $L)",
                        POOL_KERNELS,
                        w.in(),
                        w.out(),
                        pixels(),
                        layer.output().size())
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        return CodeBlock.builder()
                .addStatement("if (!dx) return")
                .addStatement(
                        "$T.globalAvgBackward($L, $L, rows, $L, $L)",
                        POOL_KERNELS,
                        w.outGrad(),
                        w.inGrad(),
                        pixels(),
                        layer.output().size())
                .build();
    }
}
