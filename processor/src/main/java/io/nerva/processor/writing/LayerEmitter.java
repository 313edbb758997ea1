package io.nerva.processor.writing;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import io.nerva.annotations.ActivationType;
import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.Shape;
import io.nerva.processor.model.Window;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Emits one layer kind: declares its workspace buffers ({@link #wire}, called once, in layer order,
 * before anything else), then its forward and backward statements. Generated layer methods see
 * {@code ws} (the workspace), {@code w} (parameter values), {@code g} (parameter gradients),
 * {@code rows} and, in backward, {@code trains} (compute this layer's parameter gradients: it has
 * parameters, is not frozen, and this is not an input-gradient pass), {@code dx} (compute the gradient
 * w.r.t. the layer's input: an earlier layer trains, or the input gradient is asked for) and
 * {@code gradWrtLogits}.
 */
sealed interface LayerEmitter
        permits DenseEmitter,
                ActivationEmitter,
                DropoutEmitter,
                FlattenEmitter,
                Conv2DEmitter,
                MaxPoolEmitter,
                AvgPoolEmitter,
                GlobalMaxPoolEmitter,
                GlobalAvgPoolEmitter,
                BatchNormEmitter,
                RecurrentEmitter,
                EmbeddingEmitter,
                PReluEmitter,
                MaxoutEmitter,
                CustomEmitter {
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

    static LayerEmitter forLayer(LayerPlan layer) {
        return layer.accept(new LayerPlan.Visitor<LayerEmitter>() {
            @Override
            public LayerEmitter dense(LayerPlan.Dense d) {
                return new DenseEmitter(d);
            }

            @Override
            public LayerEmitter activation(LayerPlan.Activation a) {
                return new ActivationEmitter(a);
            }

            @Override
            public LayerEmitter dropout(LayerPlan.Dropout d) {
                return new DropoutEmitter(d);
            }

            @Override
            public LayerEmitter flatten(LayerPlan.Flatten f) {
                return new FlattenEmitter(f);
            }

            @Override
            public LayerEmitter conv2D(LayerPlan.Conv2D c) {
                return new Conv2DEmitter(c);
            }

            @Override
            public LayerEmitter maxPool2D(LayerPlan.MaxPool2D p) {
                return new MaxPoolEmitter(p);
            }

            @Override
            public LayerEmitter avgPool2D(LayerPlan.AvgPool2D p) {
                return new AvgPoolEmitter(p);
            }

            @Override
            public LayerEmitter globalMaxPool2D(LayerPlan.GlobalMaxPool2D p) {
                return new GlobalMaxPoolEmitter(p);
            }

            @Override
            public LayerEmitter globalAvgPool2D(LayerPlan.GlobalAvgPool2D p) {
                return new GlobalAvgPoolEmitter(p);
            }

            @Override
            public LayerEmitter batchNorm(LayerPlan.BatchNorm b) {
                return new BatchNormEmitter(b);
            }

            @Override
            public LayerEmitter recurrent(LayerPlan.Recurrent r) {
                return new RecurrentEmitter(r);
            }

            @Override
            public LayerEmitter embedding(LayerPlan.Embedding e) {
                return new EmbeddingEmitter(e);
            }

            @Override
            public LayerEmitter pRelu(LayerPlan.PRelu p) {
                return new PReluEmitter(p);
            }

            @Override
            public LayerEmitter maxout(LayerPlan.Maxout m) {
                return new MaxoutEmitter(m);
            }

            @Override
            public LayerEmitter custom(LayerPlan.Custom c) {
                return new CustomEmitter(c);
            }
        });
    }

    /** Declares this layer's buffers in {@code layout} and says where its output and gradients are. */
    Wiring wire(BufferLayout layout, BufferLayout.Upstream up);

    /** One line describing the layer, used as the javadoc of its methods. */
    String describe();

    CodeBlock forward(Wiring wiring);

    /** Backward statements, or an empty block when the layer has nothing to do. */
    CodeBlock backward(Wiring wiring);

    /** Static constants of the generated model this layer's code refers to (a window geometry). */
    default List<FieldSpec> constants() {
        return List.of();
    }

    /** Whether forward needs the {@code training} flag (dropout does). */
    default boolean usesTrainingFlag() {
        return false;
    }

    /** Statements run after every parameter got its initializer (LSTM's unit forget bias); sees {@code values}. */
    default CodeBlock afterInitialize() {
        return CodeBlock.of("");
    }

    // ---- helpers shared by the emitters ----------------------------------------------------

    /** {@code if (!trains && !dx) return;}: a frozen layer with nothing training below it has nothing to do. */
    static CodeBlock skipUnlessWanted(Wiring w) {
        return w.inGrad() == null
                ? CodeBlock.builder().addStatement("if (!trains) return").build()
                : CodeBlock.builder().addStatement("if (!trains && !dx) return").build();
    }

    /** {@code dx ? ws.<inGrad> : MemorySegment.NULL}, or {@code NULL} when the layer has no input gradient. */
    static CodeBlock inGradIfWanted(Wiring w) {
        return w.inGrad() == null
                ? CodeBlock.of("$T.NULL", MEMORY_SEGMENT)
                : CodeBlock.of("(dx ? $L : $T.NULL)", w.inGrad(), MEMORY_SEGMENT);
    }

    /** {@code ws.<name>}, or {@code MemorySegment.NULL} for a buffer that does not exist. */
    static CodeBlock bufferOrNull(BufferLayout.Buffer buffer) {
        return buffer == null ? CodeBlock.of("$T.NULL", MEMORY_SEGMENT) : CodeBlock.of("$L", buffer);
    }

    /** {@code rows}, or {@code rows * n} when each row holds {@code n} pixels or steps. */
    static CodeBlock rowsTimes(int n) {
        return n == 1 ? CodeBlock.of("rows") : CodeBlock.of("rows * $L", n);
    }

    /** The constant holding the offset of parameter tensor {@code <layer>.<suffix>}. */
    static String offset(LayerPlan layer, String suffix) {
        return Names.constant(layer.name()) + "_" + suffix.toUpperCase(java.util.Locale.ROOT);
    }

    /** The bias offset constant, or {@code DenseKernels.NO_BIAS}. */
    static CodeBlock biasOffset(LayerPlan layer, boolean useBias) {
        return useBias ? CodeBlock.of("$L", offset(layer, "bias")) : CodeBlock.of("$T.NO_BIAS", DENSE_KERNELS);
    }

    /**
     * {@code private static final Geometry <NAME>_GEOMETRY = new Geometry(h, w, c, kh, kw, sh, sw, dh, dw,
     * padTop, padLeft, oh, ow)}: the window of a conv or pooling layer, created once with the model class.
     */
    static FieldSpec geometry(String layer, Shape in, Shape out, Window win) {
        int[] i = in.dims(), o = out.dims();
        return FieldSpec.builder(GEOMETRY, geometryName(layer), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc(
                        "$L: $Lx$L window, strides $Lx$L, dilation $Lx$L, $L (pad top $L, left $L), $L → $L.\n",
                        layer,
                        win.kh(),
                        win.kw(),
                        win.sh(),
                        win.sw(),
                        win.dh(),
                        win.dw(),
                        win.padding(),
                        win.padTop(),
                        win.padLeft(),
                        in,
                        out)
                .initializer(
                        "new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)",
                        GEOMETRY,
                        i[0],
                        i[1],
                        i[2],
                        win.kh(),
                        win.kw(),
                        win.sh(),
                        win.sw(),
                        win.dh(),
                        win.dw(),
                        win.padTop(),
                        win.padLeft(),
                        o[0],
                        o[1])
                .build();
    }

    static String geometryName(String layer) {
        return Names.constant(layer) + "_GEOMETRY";
    }

    /** An activation's alpha as the float literal the kernels use: the declared value or the function's default. */
    static CodeBlock alpha(ActivationType type, float alpha) {
        float resolved = Float.isNaN(alpha) ? (float) type.defaultAlpha() : alpha;
        return CodeBlock.of("$Lf", Float.toString(resolved));
    }
}
