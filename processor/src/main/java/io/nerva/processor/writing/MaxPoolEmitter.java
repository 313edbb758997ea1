package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import io.nerva.processor.model.LayerPlan;
import java.util.List;

/** Max over each window; remembers where each maximum was, where a gradient has to flow back. */
final class MaxPoolEmitter implements LayerEmitter {
    private final LayerPlan.MaxPool2D layer;
    private BufferLayout.Buffer argmax;

    MaxPoolEmitter(LayerPlan.MaxPool2D layer) {
        this.layer = layer;
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        long width = layer.output().count();
        var out = layout.add(layer.name() + "Out", width, layer.name() + ": max over each window");
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
        var win = layer.window();
        return layer.name() + ": MaxPool2D " + layer.input() + " → " + layer.output() + ", window " + win.kh() + "x"
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
                        "$T.maxForward($L, $L, $L, $L, rows)",
                        POOL_KERNELS,
                        LayerEmitter.geometryName(layer.name()),
                        w.in(),
                        w.out(),
                        LayerEmitter.bufferOrNull(argmax))
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        return CodeBlock.builder()
                .addStatement("if (!dx) return")
                .addStatement(
                        "$T.maxBackward($L, $L, $L, $L, rows)",
                        POOL_KERNELS,
                        LayerEmitter.geometryName(layer.name()),
                        w.outGrad(),
                        argmax,
                        w.inGrad())
                .build();
    }
}
