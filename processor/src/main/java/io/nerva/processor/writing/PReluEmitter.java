package io.nerva.processor.writing;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** Parametric ReLU: element-wise with one slope per value of a sample, its gradient worked in place. */
final class PReluEmitter implements LayerEmitter {
    private static final ClassName KERNELS = ClassName.get(RUNTIME + ".kernels", "PReluKernels");
    private final LayerPlan.PRelu layer;

    PReluEmitter(LayerPlan.PRelu layer) {
        this.layer = layer;
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        var out = layout.add(
                layer.name() + "Out",
                layer.output().count(),
                layer.name() + ": PReLU(" + up.in().name() + ")");
        return new Wiring(layer, up.in(), out, out, up.inGrad(), layout.elementwiseGrad(layer, up), up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": PReLU over " + layer.input() + ", "
                + layer.input().size() + " slopes";
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement(
                        "$T.forward($L, w, $L, $L, rows, $L)",
                        KERNELS,
                        w.in(),
                        LayerEmitter.offset(layer, "alpha"),
                        w.out(),
                        layer.input().size())
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        return CodeBlock.builder()
                .add(LayerEmitter.skipUnlessWanted(w))
                .add("// dAlpha = Σ dy·x where x ≤ 0; dx = dy·(x > 0 ? 1 : alpha), in place\n")
                .addStatement(
                        "$T.backward($L, w, $L, $L, $L, g, rows, $L)",
                        KERNELS,
                        w.in(),
                        LayerEmitter.offset(layer, "alpha"),
                        w.outGrad(),
                        LayerEmitter.inGradIfWanted(w),
                        layer.input().size())
                .build();
    }
}
