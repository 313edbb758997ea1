package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/** Batch statistics while training (kept for backward), moving averages at inference. */
final class BatchNormEmitter implements LayerEmitter {
    private final LayerPlan.BatchNorm layer;
    private BufferLayout.Buffer xhat;
    private BufferLayout.Buffer stats;

    BatchNormEmitter(LayerPlan.BatchNorm layer) {
        this.layer = layer;
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        String name = layer.name();
        long width = layer.output().count();
        var out = layout.add(name + "Out", width, name + ": gamma·xhat + beta");
        xhat = layout.addTraining(name + "Xhat", width, name + ": normalised input (training)");
        stats = layout.addTrainingPerBatch(
                name + "Stats",
                8L * layer.channels(),
                name + ": batch mean, 1/√(var + ε) and two backward sums, " + layer.channels() + " doubles each");
        var outGrad = layout.addTraining(name + "Grad", width, name + ": dLoss/d" + out.name());
        return new Wiring(layer, up.in(), out, out, up.inGrad(), outGrad, up.last());
    }

    /** Rows of the {@code [m, channels]} matrix per sample: the pixels of an image, 1 for a flat input. */
    private CodeBlock m() {
        return LayerEmitter.rowsTimes(layer.input().size() / layer.channels());
    }

    private String params() {
        return LayerEmitter.offset(layer, "gamma");
    }

    @Override
    public String describe() {
        return layer.name() + ": BatchNorm over the " + layer.channels() + " channels of " + layer.input()
                + ", momentum " + layer.momentum() + ", epsilon " + layer.epsilon();
    }

    @Override
    public boolean usesTrainingFlag() {
        return true;
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .beginControlFlow("if (training)")
                .addStatement(
                        "$T.forwardTraining($L, $L, $L, $L, w, $L, $L, $L, $Lf, $Lf)",
                        BATCH_NORM_KERNELS,
                        w.in(),
                        w.out(),
                        xhat,
                        stats,
                        params(),
                        m(),
                        layer.channels(),
                        Float.toString(layer.momentum()),
                        Float.toString(layer.epsilon()))
                .nextControlFlow("else")
                .addStatement(
                        "$T.forwardInference($L, $L, w, $L, $L, $L, $Lf)",
                        BATCH_NORM_KERNELS,
                        w.in(),
                        w.out(),
                        params(),
                        m(),
                        layer.channels(),
                        Float.toString(layer.epsilon()))
                .endControlFlow()
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        CodeBlock.Builder code = CodeBlock.builder()
                .add(LayerEmitter.skipUnlessWanted(w))
                .beginControlFlow("if (trains && ws.lastForwardTraining())")
                .add("// dgamma, dbeta; zero for the moving averages; dX through the batch statistics\n")
                .addStatement(
                        "$T.backward($L, $L, $L, w, g, $L, $L, $L, $L)",
                        BATCH_NORM_KERNELS,
                        w.outGrad(),
                        xhat,
                        stats,
                        params(),
                        LayerEmitter.inGradIfWanted(w),
                        m(),
                        layer.channels());
        if (w.inGrad() != null) {
            code.nextControlFlow("else if (dx)")
                    .add(
                            "// frozen, or after an inference pass: the moving averages are constants, dX = dy·gamma/√(var + ε)\n")
                    .addStatement(
                            "$T.backwardInference($L, w, $L, $L, $L, $L, $Lf)",
                            BATCH_NORM_KERNELS,
                            w.outGrad(),
                            params(),
                            w.inGrad(),
                            m(),
                            layer.channels(),
                            Float.toString(layer.epsilon()));
        }
        return code.endControlFlow().build();
    }
}
