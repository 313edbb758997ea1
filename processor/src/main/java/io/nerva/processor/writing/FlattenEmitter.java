package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** Flatten moves no data: an NHWC row is already a flat vector, so the buffers are shared. */
final class FlattenEmitter implements LayerEmitter {
    private final LayerPlan.Flatten layer;

    FlattenEmitter(LayerPlan.Flatten layer) {
        this.layer = layer;
    }

    @Override
    public String describe(Wiring w) {
        return layer.name() + ": Flatten " + layer.input() + " → " + layer.output() + " (no data moves)";
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.of("");
    }

    @Override
    public CodeBlock backward(Wiring w) {
        return CodeBlock.of("");
    }
}
