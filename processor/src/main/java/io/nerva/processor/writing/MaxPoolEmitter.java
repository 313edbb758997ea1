package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import io.nerva.processor.model.LayerPlan;

import java.util.List;

/** Max pooling: forward records each maximum's index (training workspaces), backward routes the gradient there. */
final class MaxPoolEmitter implements LayerEmitter {
    private final LayerPlan.MaxPool2D layer;

    MaxPoolEmitter(LayerPlan.MaxPool2D layer) {
        this.layer = layer;
    }

    @Override
    public String describe(Wiring w) {
        var win = layer.window();
        return layer.name() + ": MaxPool2D " + layer.input() + " → " + layer.output() + ", window " + win.kh() + "x" + win.kw()
                + ", strides " + win.sh() + "x" + win.sw() + ", " + win.padding();
    }

    @Override
    public List<FieldSpec> constants() {
        return List.of(LayerEmitter.geometry(layer.name(), layer.input(), layer.output(), layer.window()));
    }

    private CodeBlock argmax(Wiring w) {
        return LayerEmitter.bufferOrNull(w.inGrad() == null ? null : layer.name() + "Argmax");
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder().addStatement("$T.maxForward($L, ws.$L, ws.$L, $L, rows)", POOL_KERNELS,
                LayerEmitter.geometryName(layer.name()), w.in(), w.out(), argmax(w)).build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        return CodeBlock.builder().addStatement("$T.maxBackward($L, ws.$L, $L, ws.$L, rows)", POOL_KERNELS,
                LayerEmitter.geometryName(layer.name()), w.outGrad(), argmax(w), w.inGrad()).build();
    }
}
