package io.nerva.processor.writing;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import io.nerva.processor.model.LayerPlan;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Token ids (whole numbers held in floats, checked by the kernel) → rows of the table. Always the
 * first layer, so it never passes a gradient back; backward scatters dLoss/dout into the table's rows.
 */
final class EmbeddingEmitter implements LayerEmitter {
    private static final ClassName KERNELS = ClassName.get(RUNTIME + ".kernels", "EmbeddingKernels");
    private final LayerPlan.Embedding layer;

    EmbeddingEmitter(LayerPlan.Embedding layer) {
        this.layer = layer;
    }

    private String specName() {
        return Names.constant(layer.name()) + "_SPEC";
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        long width = layer.output().count();
        var out = layout.add(layer.name() + "Out", width, layer.name() + ": the vector of every id");
        var outGrad = layout.addTraining(layer.name() + "Grad", width, layer.name() + ": dLoss/d" + out.name());
        return new Wiring(layer, up.in(), out, out, up.inGrad(), outGrad, up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": Embedding of " + layer.timesteps() + " ids < " + layer.inputDim() + " → "
                + layer.output();
    }

    @Override
    public List<FieldSpec> constants() {
        ClassName spec = KERNELS.nestedClass("Spec");
        return List.of(FieldSpec.builder(spec, specName(), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", describe())
                .initializer("new $T($L, $L, $L)", spec, layer.timesteps(), layer.inputDim(), layer.outputDim())
                .build());
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement(
                        "$L.forward($L, w, $L, $L, rows)",
                        specName(),
                        w.in(),
                        LayerEmitter.offset(layer, "embeddings"),
                        w.out())
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        return CodeBlock.builder()
                .addStatement("if (!trains) return")
                .addStatement(
                        "$L.backward($L, $L, g, $L, rows)",
                        specName(),
                        w.in(),
                        w.outGrad(),
                        LayerEmitter.offset(layer, "embeddings"))
                .build();
    }
}
