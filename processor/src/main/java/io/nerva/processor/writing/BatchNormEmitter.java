package io.nerva.processor.writing;

import com.palantir.javapoet.CodeBlock;
import io.nerva.processor.model.LayerPlan;

/**
 * Batch normalization over the last axis: batch statistics (and a moving-average update) while
 * training, the moving averages at inference. The parameters {@code gamma, beta, moving_mean,
 * moving_variance} lie back to back from {@code <NAME>_GAMMA}.
 */
final class BatchNormEmitter implements LayerEmitter {
    private final LayerPlan.BatchNorm layer;

    BatchNormEmitter(LayerPlan.BatchNorm layer) {
        this.layer = layer;
    }

    /** Rows of the {@code [m, channels]} matrix per sample: the pixels of an image, 1 for a flat input. */
    private CodeBlock m() {
        return LayerEmitter.rowsTimes(layer.input().size() / layer.channels());
    }

    private String params() {
        return Names.constant(layer.name()) + "_GAMMA";
    }

    @Override
    public String describe(Wiring w) {
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
                .addStatement("$T.forwardTraining(ws.$L, ws.$L, ws.$LXhat, ws.$LStats, w, $L, $L, $L, $Lf, $Lf)",
                        BATCH_NORM_KERNELS, w.in(), w.out(), layer.name(), layer.name(), params(), m(), layer.channels(),
                        Float.toString(layer.momentum()), Float.toString(layer.epsilon()))
                .nextControlFlow("else")
                .addStatement("$T.forwardInference(ws.$L, ws.$L, w, $L, $L, $L, $Lf)", BATCH_NORM_KERNELS,
                        w.in(), w.out(), params(), m(), layer.channels(), Float.toString(layer.epsilon()))
                .endControlFlow()
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        return CodeBlock.builder()
                .add("// dgamma, dbeta; zero for the moving averages; dX through the batch statistics\n")
                .addStatement("$T.backward(ws.$L, ws.$LXhat, ws.$LStats, w, g, $L, $L, $L, $L)", BATCH_NORM_KERNELS,
                        w.outGrad(), layer.name(), layer.name(), params(), LayerEmitter.bufferOrNull(w.inGrad()), m(),
                        layer.channels())
                .build();
    }
}
