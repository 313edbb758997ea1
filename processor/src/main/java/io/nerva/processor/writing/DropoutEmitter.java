package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** Inverted dropout while training; inference passes the input through (the output buffer aliases it). */
final class DropoutEmitter implements LayerEmitter {
    private final LayerPlan.Dropout layer;
    private BufferLayout.Buffer mask;

    DropoutEmitter(LayerPlan.Dropout layer) {
        this.layer = layer;
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        long width = layer.output().count();
        var out = layout.addTrainingAliased(
                layer.name() + "Out",
                width,
                up.in(),
                layer.name() + ": " + up.in().name() + " with dropped values (training)");
        mask = layout.addTraining(layer.name() + "Mask", width, layer.name() + ": dropout mask, 0 or 1/(1 - rate)");
        return new Wiring(layer, up.in(), out, out, up.inGrad(), layout.elementwiseGrad(layer, up), up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": Dropout rate " + layer.rate() + " over " + layer.input();
    }

    @Override
    public boolean usesTrainingFlag() {
        return true;
    }

    @Override
    public CodeBlock forward(Wiring w) {
        int width = layer.input().size();
        return CodeBlock.builder()
                .beginControlFlow("if (training)")
                .addStatement(
                        "$T.forward($L, $L, $L, (long) rows * $L, $Lf, ws.rng(), !ws.dropoutMasksFrozen())",
                        DROPOUT,
                        w.in(),
                        w.out(),
                        mask,
                        width,
                        Float.toString(layer.rate()))
                .nextControlFlow("else if ($L != $L)", w.out(), w.in())
                .addStatement(
                        "$T.copy($L, 0, $L, 0, (long) rows * $L * Float.BYTES)", MEMORY_SEGMENT, w.in(), w.out(), width)
                .endControlFlow()
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null) return CodeBlock.of("");
        int width = layer.input().size();
        CodeBlock.Builder code = CodeBlock.builder()
                .addStatement("if (!dx) return")
                .beginControlFlow("if (ws.lastForwardTraining())")
                .addStatement(
                        "$T.backward($L, $L, $L, (long) rows * $L)", DROPOUT, w.outGrad(), w.inGrad(), mask, width);
        if (w.outGrad() != w.inGrad()) {
            code.nextControlFlow("else")
                    .add("// after an inference pass dropout was the identity\n")
                    .addStatement(
                            "$T.copy($L, 0, $L, 0, (long) rows * $L * Float.BYTES)",
                            MEMORY_SEGMENT,
                            w.outGrad(),
                            w.inGrad(),
                            width);
        }
        return code.endControlFlow().build();
    }
}
