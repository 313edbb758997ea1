package io.nerva.processor.writing;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** Maxout over the last axis: its own output and gradient buffers, as it changes the shape. */
final class MaxoutEmitter implements LayerEmitter {
    private static final ClassName KERNELS = ClassName.get(RUNTIME + ".kernels", "MaxoutKernels");
    private final LayerPlan.Maxout layer;

    MaxoutEmitter(LayerPlan.Maxout layer) {
        this.layer = layer;
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        var out = layout.add(
                layer.name() + "Out",
                layer.output().count(),
                layer.name() + ": the largest of each " + layer.pieces() + " pieces of "
                        + up.in().name());
        return new Wiring(layer, up.in(), out, out, up.inGrad(), layout.shapeGrad(layer, up), up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": Maxout " + layer.input() + " → " + layer.output() + ", " + layer.pieces()
                + " pieces per unit";
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement(
                        "$T.forward($L, $L, $L, $L, $L)",
                        KERNELS,
                        w.in(),
                        w.out(),
                        LayerEmitter.rowsTimes(layer.vectors()),
                        layer.units(),
                        layer.pieces())
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        return CodeBlock.builder()
                .addStatement("if (!dx) return")
                .addStatement(
                        "$T.backward($L, $L, $L, $L, $L, $L)",
                        KERNELS,
                        w.in(),
                        w.outGrad(),
                        w.inGrad(),
                        LayerEmitter.rowsTimes(layer.vectors()),
                        layer.units(),
                        layer.pieces())
                .build();
    }
}
