package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** Max of each channel over the whole image. */
final class GlobalMaxPoolEmitter implements LayerEmitter {
    private final LayerPlan.GlobalMaxPool2D layer;
    private BufferLayout.Buffer argmax;

    GlobalMaxPoolEmitter(LayerPlan.GlobalMaxPool2D layer) {
        this.layer = layer;
    }

    private int pixels() {
        return layer.input().dims()[0] * layer.input().dims()[1];
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        long width = layer.output().count();
        var out = layout.add(layer.name() + "Out", width, layer.name() + ": max of each channel");
        if (up.inGrad() != null) {
            argmax = layout.addWith(
                    up.inGrad(),
                    layer.name() + "Argmax",
                    width,
                    layer.name() + ": index of each maximum in its sample (ints)");
        }
        return new Wiring(layer, up.in(), out, out, up.inGrad(), layout.shapeGrad(layer, up), up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": GlobalMaxPool2D " + layer.input() + " → " + layer.output();
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement(
                        "$T.globalMaxForward($L, $L, $L, rows, $L, $L)",
                        POOL_KERNELS,
                        w.in(),
                        w.out(),
                        LayerEmitter.bufferOrNull(argmax),
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
                        "$T.globalMaxBackward($L, $L, $L, rows, $L, $L)",
                        POOL_KERNELS,
                        w.outGrad(),
                        argmax,
                        w.inGrad(),
                        pixels(),
                        layer.output().size())
                .build();
    }
}
