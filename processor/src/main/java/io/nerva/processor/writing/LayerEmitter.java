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
    ClassName CONV_KERNELS = ClassName.get(RUNTIME + ".kernels", "ConvKernels");
    ClassName GEOMETRY = CONV_KERNELS.nestedClass("Geometry");
    ClassName POOL_KERNELS = ClassName.get(RUNTIME + ".kernels", "PoolKernels");
    ClassName BATCH_NORM_KERNELS = ClassName.get(RUNTIME + ".kernels", "BatchNormKernels");

    /** One line describing the layer, used as the javadoc of its methods. */
    String describe(Wiring wiring);

    CodeBlock forward(Wiring wiring);

    /** Static constants of the generated model this layer's code refers to (a window geometry). */
    default java.util.List<com.palantir.javapoet.FieldSpec> constants() {
        return java.util.List.of();
    }

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
            case io.nerva.processor.model.LayerPlan.Conv2D c -> new Conv2DEmitter(c);
            case io.nerva.processor.model.LayerPlan.MaxPool2D p -> new MaxPoolEmitter(p);
            case io.nerva.processor.model.LayerPlan.AvgPool2D p -> new AvgPoolEmitter(p);
            case io.nerva.processor.model.LayerPlan.GlobalMaxPool2D p -> new GlobalMaxPoolEmitter(p);
            case io.nerva.processor.model.LayerPlan.GlobalAvgPool2D p -> new GlobalAvgPoolEmitter(p);
            case io.nerva.processor.model.LayerPlan.BatchNorm b -> new BatchNormEmitter(b);
        };
    }

    /** {@code ws.<name>}, or {@code MemorySegment.NULL} for a buffer that does not exist. */
    static CodeBlock bufferOrNull(String name) {
        return name == null ? CodeBlock.of("$T.NULL", MEMORY_SEGMENT) : CodeBlock.of("ws.$L", name);
    }

    /** {@code rows}, or {@code rows * n} when each row holds {@code n} pixels. */
    static CodeBlock rowsTimes(int n) {
        return n == 1 ? CodeBlock.of("rows") : CodeBlock.of("rows * $L", n);
    }

    /**
     * {@code private static final Geometry <NAME>_GEOMETRY = new Geometry(h, w, c, kh, kw, sh, sw, dh, dw,
     * padTop, padLeft, oh, ow)}: the window of a conv or pooling layer, created once with the model class.
     */
    static com.palantir.javapoet.FieldSpec geometry(String layer, io.nerva.processor.model.Shape in,
                                                   io.nerva.processor.model.Shape out, io.nerva.processor.model.Window win) {
        int[] i = in.dims(), o = out.dims();
        return com.palantir.javapoet.FieldSpec.builder(GEOMETRY, geometryName(layer),
                        javax.lang.model.element.Modifier.PRIVATE, javax.lang.model.element.Modifier.STATIC,
                        javax.lang.model.element.Modifier.FINAL)
                .addJavadoc("$L: $Lx$L window, strides $Lx$L, dilation $Lx$L, $L (pad top $L, left $L), $L → $L.\n",
                        layer, win.kh(), win.kw(), win.sh(), win.sw(), win.dh(), win.dw(), win.padding(),
                        win.padTop(), win.padLeft(), in, out)
                .initializer("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", GEOMETRY, i[0], i[1], i[2],
                        win.kh(), win.kw(), win.sh(), win.sw(), win.dh(), win.dw(), win.padTop(), win.padLeft(), o[0], o[1])
                .build();
    }

    static String geometryName(String layer) {
        return Names.constant(layer) + "_GEOMETRY";
    }

    /** {@code Float.NaN} or a float literal for an activation's alpha. */
    static CodeBlock alpha(float alpha) {
        return Float.isNaN(alpha) ? CodeBlock.of("Float.NaN") : CodeBlock.of("$Lf", Float.toString(alpha));
    }
}
