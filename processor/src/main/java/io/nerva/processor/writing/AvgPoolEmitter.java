package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import io.nerva.processor.model.LayerPlan;

import java.util.List;

/** Average pooling; with SAME padding each window divides by its cells inside the input. */
final class AvgPoolEmitter implements LayerEmitter {
    private final LayerPlan.AvgPool2D layer;

    AvgPoolEmitter(LayerPlan.AvgPool2D layer) {
        this.layer = layer;
    }

    @Override
    public String describe(Wiring w) {
        var win = layer.window();
        return layer.name() + ": AvgPool2D " + layer.input() + " → " + layer.output() + ", window " + win.kh() + "x" + win.kw()
                + ", strides " + win.sh() + "x" + win.sw() + ", " + win.padding();
    }

    @Override
    public List<FieldSpec> constants() {
        return List.of(LayerEmitter.geometry(layer.name(), layer.input(), layer.output(), layer.window()));
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder().addStatement("$T.avgForward($L, ws.$L, ws.$L, rows)", POOL_KERNELS,
                LayerEmitter.geometryName(layer.name()), w.in(), w.out()).build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        return CodeBlock.builder().addStatement("$T.avgBackward($L, ws.$L, ws.$L, rows)", POOL_KERNELS,
                LayerEmitter.geometryName(layer.name()), w.outGrad(), w.inGrad()).build();
    }
}
