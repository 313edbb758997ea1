package io.nerva.processor.writing;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;

/**
 * Emits the forward and backward statements of one layer kind. Generated layer methods see
 * {@code ws} (the workspace), {@code w} (parameter values), {@code g} (parameter gradients),
 * {@code rows} and, in backward, {@code gradWrtLogits}.
 */
interface LayerEmitter {
    String RUNTIME = "io.nerva.runtime";
    ClassName ACTIVATION_TYPE = ClassName.get("io.nerva.annotations", "ActivationType");
    ClassName ACTIVATIONS = ClassName.get(RUNTIME + ".kernels", "Activations");
    ClassName DENSE_KERNELS = ClassName.get(RUNTIME + ".kernels", "DenseKernels");
    ClassName DROPOUT = ClassName.get(RUNTIME + ".kernels", "Dropout");
    ClassName MEMORY_SEGMENT = ClassName.get("java.lang.foreign", "MemorySegment");

    /** One line describing the layer, used as the javadoc of its methods. */
    String describe(Wiring wiring);

    CodeBlock forward(Wiring wiring);

    /** Whether forward needs the {@code training} flag (dropout does). */
    default boolean usesTrainingFlag() {
        return false;
    }

    /** Backward statements, or an empty block when the layer has nothing to do. */
    CodeBlock backward(Wiring wiring);

    static LayerEmitter forLayer(io.nerva.processor.model.LayerPlan layer) {
        return switch (layer) {
            case io.nerva.processor.model.LayerPlan.Dense d -> new DenseEmitter(d);
            case io.nerva.processor.model.LayerPlan.Activation a -> new ActivationEmitter(a);
            case io.nerva.processor.model.LayerPlan.Dropout d -> new DropoutEmitter(d);
            case io.nerva.processor.model.LayerPlan.Flatten f -> new FlattenEmitter(f);
        };
    }

    /** {@code Float.NaN} or a float literal for an activation's alpha. */
    static CodeBlock alpha(float alpha) {
        return Float.isNaN(alpha) ? CodeBlock.of("Float.NaN") : CodeBlock.of("$Lf", Float.toString(alpha));
    }
}
