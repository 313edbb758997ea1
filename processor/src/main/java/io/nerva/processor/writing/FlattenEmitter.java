package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** Row-major NHWC (or steps x features) is already flat: the output is the input's memory, nothing moves. */
final class FlattenEmitter implements LayerEmitter {
    private final LayerPlan.Flatten layer;

    FlattenEmitter(LayerPlan.Flatten layer) {
        this.layer = layer;
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        return new Wiring(layer, up.in(), up.in(), up.in(), up.inGrad(), layout.elementwiseGrad(layer, up), up.last());
    }

    @Override
    public String describe() {
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
