package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import io.nerva.processor.model.LayerPlan;
import java.util.List;

/** Mean over each window (SAME padding: over the window's part inside the image, as Keras). */
final class AvgPoolEmitter implements LayerEmitter {
    private final LayerPlan.AvgPool2D layer;

    AvgPoolEmitter(LayerPlan.AvgPool2D layer) {
        this.layer = layer;
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        var out = layout.add(layer.name() + "Out", layer.output().count(), layer.name() + ": mean over each window");
        return new Wiring(layer, up.in(), out, out, up.inGrad(), layout.shapeGrad(layer, up), up.last());
    }

    @Override
    public String describe() {
        var win = layer.window();
        return layer.name() + ": AvgPool2D " + layer.input() + " → " + layer.output() + ", window " + win.kh() + "x"
                + win.kw() + ", strides " + win.sh() + "x" + win.sw() + ", " + win.padding();
    }

    @Override
    public List<FieldSpec> constants() {
        return List.of(LayerEmitter.geometry(layer.name(), layer.input(), layer.output(), layer.window()));
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement(
                        "$T.avgForward($L, $L, $L, rows)",
                        POOL_KERNELS,
                        LayerEmitter.geometryName(layer.name()),
                        w.in(),
                        w.out())
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        return CodeBlock.builder()
                .addStatement("if (!dx) return")
                .addStatement(
                        "$T.avgBackward($L, $L, $L, rows)",
                        POOL_KERNELS,
                        LayerEmitter.geometryName(layer.name()),
                        w.outGrad(),
                        w.inGrad())
                .build();
    }
}
