package io.nerva.processor.writing;

import static javax.lang.model.element.Modifier.FINAL;
import static javax.lang.model.element.Modifier.PRIVATE;
import static javax.lang.model.element.Modifier.PUBLIC;
import static javax.lang.model.element.Modifier.STATIC;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.nerva.processor.model.Fingerprint;
import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.NetworkPlan;
import io.nerva.processor.model.ParamTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Element;

/**
 * The writing room: emits {@code <Network>Model}, a subclass of the user's class implementing
 * {@code io.nerva.runtime.Model} with one straight-line method per pass and one private method
 * per layer and pass. Every size is a literal; every buffer is a field of the nested
 * {@code Buffers} workspace.
 */
public final class ModelWriter {
    private static final String RUNTIME = "io.nerva.runtime";
    private static final ClassName GENERATED_MODEL = ClassName.get(RUNTIME, "GeneratedModel");
    private static final ClassName NETWORK_INFO = ClassName.get(RUNTIME + ".core", "NetworkInfo");
    private static final ClassName WORKSPACE = ClassName.get(RUNTIME + ".core", "Workspace");
    private static final ClassName PARAMETERS = ClassName.get(RUNTIME + ".core", "Parameters");
    private static final ClassName PARAM_SPEC = ClassName.get(RUNTIME + ".core", "ParamSpec");
    private static final ClassName PARAM = ClassName.get(RUNTIME, "Param");
    private static final ClassName LAYER = ClassName.get(RUNTIME, "Layer");
    private static final ClassName RNG = ClassName.get(RUNTIME + ".core", "Rng");
    private static final ClassName PREDICTOR = ClassName.get(RUNTIME + ".predict", "Predictor");
    private static final ClassName LOSS_FUNCTION = ClassName.get("io.nerva.annotations", "LossFunction");
    private static final ClassName INITIALIZERS = ClassName.get(RUNTIME + ".kernels", "Initializers");
    private static final ClassName INITIALIZER = ClassName.get("io.nerva.annotations", "Initializer");
    private static final ClassName ACTIVATION_TYPE = ClassName.get("io.nerva.annotations", "ActivationType");
    private static final ClassName MEMORY_SEGMENT = ClassName.get("java.lang.foreign", "MemorySegment");
    private static final ClassName LIST = ClassName.get("java.util", "List");
    private static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");

    private final NetworkPlan plan;
    private final ClassName self;
    private final ClassName buffersType;
    private final BufferLayout layout;
    private final boolean publicApi;
    private final Element origin;

    /** {@code origin} is the user's class: incremental builds regenerate when it changes. */
    public ModelWriter(NetworkPlan plan, boolean publicApi, Element origin) {
        this.origin = origin;
        this.plan = plan;
        this.self = ClassName.get(plan.packageName(), plan.modelClass());
        this.buffersType = self.nestedClass("Buffers");
        this.layout = new BufferLayout(plan);
        this.publicApi = publicApi;
    }

    /** The user's class, {@code Outer.Net} when nested. */
    private ClassName userType() {
        List<String> path = new ArrayList<>(plan.enclosing());
        path.add(plan.userClass());
        return ClassName.get(
                plan.packageName(), path.get(0), path.subList(1, path.size()).toArray(String[]::new));
    }

    public JavaFile write() {
        TypeSpec.Builder type = TypeSpec.classBuilder(self)
                .addModifiers(FINAL)
                .superclass(userType())
                .addSuperinterface(GENERATED_MODEL)
                .addOriginatingElement(origin)
                .addAnnotation(AnnotationSpec.builder(GENERATED)
                        .addMember("value", "$S", "io.nerva.processor.NetworkProcessor")
                        .build())
                .addJavadoc(
                        "The network {@link $L}, compiled by Nerva: forward and backward passes for exactly\n"
                                + "this architecture. Create it with {@link #create(long)}.\n\n<pre>\n$L</pre>\n",
                        plan.userClass(),
                        Summary.of(plan).replace("<", "&lt;").replace(">", "&gt;"));
        if (publicApi) type.addModifiers(PUBLIC);
        addConstants(type);
        addState(type);
        addFactories(type);
        addModelMethods(type);
        addPasses(type);
        type.addType(buffersClass());
        return JavaFile.builder(plan.packageName(), type.build())
                .addFileComment(
                        "Generated by Nerva from $L. Do not edit: change $L and recompile.",
                        plan.userClass(),
                        plan.userClass())
                .indent("    ")
                .build();
    }

    // ---- constants ------------------------------------------------------------------------

    private void addConstants(TypeSpec.Builder type) {
        type.addField(FieldSpec.builder(String.class, "SUMMARY", PUBLIC, STATIC, FINAL)
                .addJavadoc("Keras-like summary of this network.\n")
                .initializer("$S", Summary.of(plan))
                .build());
        type.addField(FieldSpec.builder(String.class, "FINGERPRINT", PUBLIC, STATIC, FINAL)
                .addJavadoc("Hash of the architecture; weight files record it.\n")
                .initializer("$S", Fingerprint.of(plan))
                .build());
        type.addField(FieldSpec.builder(int.class, "INPUT_SIZE", PUBLIC, STATIC, FINAL)
                .initializer("$L", plan.input().size())
                .build());
        type.addField(FieldSpec.builder(int.class, "OUTPUT_SIZE", PUBLIC, STATIC, FINAL)
                .initializer("$L", plan.output().size())
                .build());

        List<CodeBlock> specs = new ArrayList<>();
        long offset = 0;
        for (LayerPlan layer : plan.layers()) {
            for (ParamTensor t : layer.params()) {
                String shape = java.util.Arrays.stream(t.shape())
                        .mapToObj(Integer::toString)
                        .collect(Collectors.joining(", "));
                type.addField(offsetConstant(
                        LayerEmitter.offset(layer, t.suffix()),
                        offset,
                        layer.name() + "." + t.suffix() + " [" + shape + "]"));
                double[] penalty = plan.regularization(layer.name()).factors(t.suffix());
                boolean regularized = penalty[0] != 0 || penalty[1] != 0;
                // optional trailing arguments: ", false" for state (moving averages), the @Regularize L1, L2
                CodeBlock extra = CodeBlock.of(
                        "$L$L",
                        t.trainable() ? "" : ", false",
                        regularized ? CodeBlock.of(", $L, $L", penalty[0], penalty[1]) : "");
                specs.add(CodeBlock.of(
                        "new $T($S, new int[] {$L}, $LL, $T.$L, $Lf, $L, $L$L)",
                        PARAM_SPEC,
                        layer.name() + "." + t.suffix(),
                        shape,
                        offset,
                        INITIALIZER,
                        t.init(),
                        Float.toString(t.initValue()),
                        t.fanIn(),
                        t.fanOut(),
                        extra));
                offset += t.size();
            }
        }
        for (LayerEmitter emitter : layout.emitters) {
            emitter.constants().forEach(type::addField);
        }
        type.addField(FieldSpec.builder(ParameterizedTypeName.get(LIST, PARAM_SPEC), "PARAMS", PRIVATE, STATIC, FINAL)
                .addJavadoc("Every parameter tensor, back to back in one buffer.\n")
                .initializer(
                        specs.isEmpty()
                                ? CodeBlock.of("$T.of()", LIST)
                                : CodeBlock.of("$T.of(\n$>$L$<)", LIST, CodeBlock.join(specs, ",\n")))
                .build());
        type.addField(FieldSpec.builder(NETWORK_INFO, "INFO", PRIVATE, STATIC, FINAL)
                .initializer(
                        "new $T($S, new int[] {$L}, INPUT_SIZE, OUTPUT_SIZE, $T.$L, $T.$L, $L, SUMMARY, FINGERPRINT, PARAMS)",
                        NETWORK_INFO,
                        plan.userClass(),
                        java.util.Arrays.stream(plan.input().dims())
                                .mapToObj(Integer::toString)
                                .collect(Collectors.joining(", ")),
                        ACTIVATION_TYPE,
                        plan.outputActivation(),
                        LOSS_FUNCTION,
                        plan.loss(),
                        plan.trainable())
                .build());
    }

    private static FieldSpec offsetConstant(String name, long offset, String doc) {
        return FieldSpec.builder(long.class, name, PRIVATE, STATIC, FINAL)
                .addJavadoc("Offset of $L in the parameter buffer, in floats.\n", doc)
                .initializer("$LL", offset)
                .build();
    }

    // ---- state, construction ---------------------------------------------------------------

    private void addState(TypeSpec.Builder type) {
        type.addField(PARAMETERS, "parameters", PRIVATE, FINAL);
        type.addField(ParameterizedTypeName.get(LIST, LAYER), "layerList", PRIVATE, FINAL);
        type.addField(PREDICTOR, "predictor", PRIVATE, FINAL);

        MethodSpec.Builder ctor = MethodSpec.constructorBuilder()
                .addModifiers(PRIVATE)
                .addParameter(boolean.class, "withGradients")
                .addStatement("this.parameters = new $T(PARAMS, withGradients)", PARAMETERS);
        List<String> names = new ArrayList<>();
        int spec = 0;
        for (LayerPlan layer : plan.layers()) {
            CodeBlock shape = CodeBlock.of(
                    "new int[] {$L}",
                    java.util.Arrays.stream(layer.output().dims())
                            .mapToObj(Integer::toString)
                            .collect(Collectors.joining(", ")));
            List<CodeBlock> views = new ArrayList<>();
            for (int i = 0; i < layer.params().size(); i++) {
                views.add(CodeBlock.of("new $T(parameters, PARAMS.get($L))", PARAM, spec + i));
            }
            spec += layer.params().size();
            ctor.addStatement(
                    "super.$L = new $T($S, $S, $L, $T.of($L))",
                    layer.name(),
                    LAYER,
                    layer.name(),
                    layer.typeName(),
                    shape,
                    LIST,
                    CodeBlock.join(views, ", "));
            if (plan.frozen(layer))
                ctor.addStatement("super.$L.setTrainable(false)", layer.name()); // declared trainable = false
            names.add("super." + layer.name());
        }
        ctor.addStatement("this.layerList = $T.of($L)", LIST, String.join(", ", names));
        ctor.addStatement("this.predictor = new $T(this)", PREDICTOR);
        type.addMethod(ctor.build());
    }

    private void addFactories(TypeSpec.Builder type) {
        type.addMethod(MethodSpec.methodBuilder("create")
                .addModifiers(PUBLIC, STATIC)
                .returns(self)
                .addJavadoc(
                        "A trainable model with parameters initialised from {@code seed} (same seed, same weights).\n")
                .addParameter(long.class, "seed")
                .addStatement("$T model = new $T(true)", self, self)
                .addStatement("model.initialize(seed)")
                .addStatement("return model")
                .build());
        type.addMethod(MethodSpec.methodBuilder("forInference")
                .addModifiers(PUBLIC, STATIC)
                .returns(self)
                .addJavadoc(
                        "A model without gradient buffers, all parameters zero: set or load its weights before use.\n")
                .addStatement("return new $T(false)", self)
                .build());
        if (!plan.weights().isEmpty()) {
            ClassName user = userType();
            type.addMethod(MethodSpec.methodBuilder("pretrained")
                    .addModifiers(PUBLIC, STATIC)
                    .returns(self)
                    .addJavadoc(
                            "An inference model with the trained weights of class-path resource {@code $L},\n"
                                    + "whose tensor names and shapes were checked against this network when it was compiled.\n",
                            plan.weights())
                    .addStatement("$T model = new $T(false)", self, self)
                    .addStatement("model.loadResource($T.class, $S)", user, plan.weights())
                    .addStatement("return model")
                    .build());
        }
        type.addMethod(MethodSpec.methodBuilder("initialize")
                .addModifiers(PUBLIC)
                .addJavadoc(
                        "Re-initialises every parameter with its layer's initializer, from {@code seed}; atomically\n"
                                + "against predictions on other threads, and refused once the model is closed.\n")
                .addParameter(long.class, "seed")
                .addStatement("$T rng = new $T(seed)", RNG, RNG)
                .addStatement("long gate = parameters.beginWrite(name())")
                .beginControlFlow("try")
                .addStatement("$T values = parameters.values()", MEMORY_SEGMENT)
                .beginControlFlow("for ($T spec : PARAMS)", PARAM_SPEC)
                .addStatement("$T.fill(spec, values, rng)", INITIALIZERS)
                .endControlFlow()
                .addCode(afterInitialize())
                .nextControlFlow("finally")
                .addStatement("parameters.endWrite(gate)")
                .endControlFlow()
                .build());
    }

    private CodeBlock afterInitialize() {
        CodeBlock.Builder code = CodeBlock.builder();
        layout.emitters.forEach(e -> code.add(e.afterInitialize()));
        return code.build();
    }

    private void addModelMethods(TypeSpec.Builder type) {
        type.addMethod(
                override("info", NETWORK_INFO).addStatement("return INFO").build());
        type.addMethod(override("trainable", boolean.class)
                .addStatement(plan.trainable() ? "return parameters.hasGradients()" : "return false")
                .build());
        type.addMethod(override("parameters", PARAMETERS)
                .addStatement("return parameters")
                .build());
        type.addMethod(override("layers", ParameterizedTypeName.get(LIST, LAYER))
                .addStatement("return layerList")
                .build());
        type.addMethod(override("newWorkspace", WORKSPACE)
                .addParameter(int.class, "capacity")
                .addParameter(boolean.class, "training")
                .addParameter(long.class, "seed")
                .beginControlFlow("if (training && !trainable())")
                .addStatement(
                        "throw new $T($S)",
                        IllegalStateException.class,
                        plan.userClass()
                                + " cannot be trained: "
                                + (plan.trainable()
                                        ? "it was created for inference only (forInference())"
                                        : "it is declared @Network(inferenceOnly = true)"))
                .endControlFlow()
                .addStatement("return new Buffers(capacity, training, seed, false)")
                .build());
        MethodSpec.Builder gradientWorkspace = override("newWorkspace", WORKSPACE)
                .addParameter(int.class, "capacity")
                .addParameter(boolean.class, "training")
                .addParameter(long.class, "seed")
                .addParameter(boolean.class, "inputGradients")
                .addStatement("if (!inputGradients) return newWorkspace(capacity, training, seed)");
        if (layout.inputGrad == null) {
            gradientWorkspace.addStatement(
                    "throw new $T($S)",
                    UnsupportedOperationException.class,
                    plan.userClass() + " takes token ids (its first layer is an Embedding), which have no gradient");
        } else if (!plan.trainable()) {
            gradientWorkspace.addStatement(
                    "throw new $T($S)",
                    IllegalStateException.class,
                    plan.userClass()
                            + " is declared @Network(inferenceOnly = true): its layers need not have derivatives");
        } else {
            gradientWorkspace.addStatement("return new Buffers(capacity, true, seed, true)");
        }
        type.addMethod(gradientWorkspace.build());
        type.addMethod(override("predictor", PREDICTOR)
                .addStatement("return predictor")
                .build());
        type.addMethod(override("close", void.class)
                .addStatement("predictor.close()")
                .addStatement("parameters.close()")
                .build());
        type.addMethod(override("toString", String.class)
                .addStatement("return SUMMARY")
                .build());
    }

    private static MethodSpec.Builder override(String name, TypeName returns) {
        return MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(PUBLIC)
                .returns(returns);
    }

    private static MethodSpec.Builder override(String name, Class<?> returns) {
        return override(name, TypeName.get(returns));
    }

    // ---- the passes --------------------------------------------------------------------------

    private void addPasses(TypeSpec.Builder type) {
        MethodSpec.Builder forward = override("forward", void.class)
                .addParameter(WORKSPACE, "workspace")
                .addParameter(int.class, "rows")
                .addParameter(boolean.class, "training")
                .addStatement("Buffers ws = buffers(workspace, rows, training)")
                .addStatement("$T w = parameters.values()", MEMORY_SEGMENT)
                .addStatement("ws.ranForward(training)");
        MethodSpec.Builder forwardTo = override("forwardTo", void.class)
                .addJavadoc("Inference through layers {@code 0..lastLayer} only (feature extraction).\n")
                .addParameter(WORKSPACE, "workspace")
                .addParameter(int.class, "rows")
                .addParameter(int.class, "lastLayer")
                .beginControlFlow("if (lastLayer < 0 || lastLayer >= $L)", layout.wirings.size())
                .addStatement(
                        "throw new $T($S + lastLayer + $S)",
                        IndexOutOfBoundsException.class,
                        "layer ",
                        " of " + plan.userClass() + ", which has " + layout.wirings.size() + " layers")
                .endControlFlow()
                .addStatement("Buffers ws = buffers(workspace, rows, false)")
                .addStatement("$T w = parameters.values()", MEMORY_SEGMENT)
                .addStatement("ws.ranForward(false)");
        MethodSpec.Builder backward = override("backward", void.class)
                .addParameter(WORKSPACE, "workspace")
                .addParameter(int.class, "rows")
                .addParameter(boolean.class, "gradWrtLogits")
                .addStatement("Buffers ws = buffers(workspace, rows, true)")
                .addStatement("$T w = parameters.values()", MEMORY_SEGMENT)
                .addStatement("$T g = parameters.grads()", MEMORY_SEGMENT)
                .addCode(
                        "// trains$$<layer>: its parameter gradients are wanted (not frozen, not an input-gradient pass);\n")
                .addCode(
                        "// dx$$<layer>: the gradient w.r.t. its input is wanted (an earlier layer trains, or the input's is asked for)\n")
                .addStatement("boolean inputOnly = ws.inputGradients()");
        // the spec index of each layer's first tensor, and the flags in layer order
        List<String> trainsFlag = new ArrayList<>(), dxFlag = new ArrayList<>();
        int spec = 0;
        String below = "inputOnly";
        for (Wiring wiring : layout.wirings) {
            LayerPlan layer = wiring.layer();
            String dx = "false";
            if (wiring.inGrad() != null) {
                dx = "dx$" + layer.name();
                backward.addStatement("boolean $L = $L", dx, below);
            }
            String trains = "false";
            if (!layer.params().isEmpty()) {
                trains = "trains$" + layer.name();
                backward.addStatement("boolean $L = !inputOnly && parameters.trains($L)", trains, spec);
                below = below + " || " + trains;
                if (below.length() > 60) { // keep the expressions short: name the running disjunction
                    backward.addStatement("boolean below$$$L = $L", layer.name(), below);
                    below = "below$" + layer.name();
                }
            }
            trainsFlag.add(trains);
            dxFlag.add(dx);
            spec += layer.params().size();
        }
        List<MethodSpec> forwardMethods = new ArrayList<>();
        List<MethodSpec> backwardMethods = new ArrayList<>();
        for (int i = layout.wirings.size() - 1; i >= 0; i--) {
            Wiring wiring = layout.wirings.get(i);
            LayerEmitter emitter = layout.emitters.get(i);
            CodeBlock body = emitter.backward(wiring);
            if (body.isEmpty()) continue;
            String name = wiring.layer().name() + "Backward";
            MethodSpec.Builder m = layerMethod(name, emitter.describe(), body)
                    .addParameter(MEMORY_SEGMENT, "g")
                    .addParameter(boolean.class, "trains")
                    .addParameter(boolean.class, "dx");
            if (wiring.last()) {
                m.addParameter(boolean.class, "gradWrtLogits");
                backward.addStatement(
                        "$L(ws, w, rows, g, $L, $L, gradWrtLogits)", name, trainsFlag.get(i), dxFlag.get(i));
            } else {
                backward.addStatement("$L(ws, w, rows, g, $L, $L)", name, trainsFlag.get(i), dxFlag.get(i));
            }
            backwardMethods.add(m.build());
        }
        spec = 0;
        for (int i = 0; i < layout.wirings.size(); i++) {
            Wiring wiring = layout.wirings.get(i);
            LayerEmitter emitter = layout.emitters.get(i);
            CodeBlock body = emitter.forward(wiring);
            int first = spec;
            spec += wiring.layer().params().size();
            if (!body.isEmpty()) {
                String name = wiring.layer().name() + "Forward";
                MethodSpec.Builder m = layerMethod(name, emitter.describe(), body);
                if (emitter.usesTrainingFlag()) {
                    m.addParameter(boolean.class, "training");
                    // a frozen layer with training behaviour (BatchNorm) runs as at inference, as in Keras
                    String flag = wiring.layer().params().isEmpty()
                            ? "training"
                            : "training && parameters.trains(" + first + ")";
                    forward.addStatement("$L(ws, w, rows, $L)", name, flag);
                    forwardTo.addStatement("$L(ws, w, rows, false)", name);
                } else {
                    forward.addStatement("$L(ws, w, rows)", name);
                    forwardTo.addStatement("$L(ws, w, rows)", name);
                }
                forwardMethods.add(m.build());
            }
            if (i < layout.wirings.size() - 1) forwardTo.addStatement("if (lastLayer == $L) return", i);
        }
        type.addMethod(forward.build());
        type.addMethod(forwardTo.build());
        type.addMethod(backward.build());
        type.addMethods(forwardMethods);
        type.addMethods(backwardMethods);
        type.addMethod(MethodSpec.methodBuilder("buffers")
                .addModifiers(PRIVATE, STATIC)
                .returns(buffersType)
                .addParameter(WORKSPACE, "workspace")
                .addParameter(int.class, "rows")
                .addParameter(boolean.class, "training")
                .addStatement(
                        "return $T.checkedWorkspace(workspace, Buffers.class, $S, rows, training)",
                        GENERATED_MODEL,
                        plan.modelClass())
                .build());
    }

    private MethodSpec.Builder layerMethod(String name, String doc, CodeBlock body) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(PRIVATE, STATIC)
                .addJavadoc("$L\n", doc)
                .addParameter(buffersType, "ws")
                .addParameter(MEMORY_SEGMENT, "w")
                .addParameter(int.class, "rows")
                .addCode(body);
    }

    // ---- the workspace -----------------------------------------------------------------------

    private TypeSpec buffersClass() {
        TypeSpec.Builder b = TypeSpec.classBuilder(buffersType)
                .addModifiers(PRIVATE, STATIC, FINAL)
                .superclass(WORKSPACE)
                .addJavadoc("Every activation and gradient buffer of this network, allocated once per workspace.\n");
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder()
                .addParameter(int.class, "capacity")
                .addParameter(boolean.class, "training")
                .addParameter(long.class, "seed")
                .addParameter(boolean.class, "inputGradients")
                .addStatement("super(capacity, training, seed, inputGradients)");
        for (BufferLayout.Buffer buf : layout.buffers) {
            b.addField(FieldSpec.builder(MEMORY_SEGMENT, buf.name(), FINAL)
                    .addJavadoc(
                            "$L, $L floats per $L.\n", buf.comment(), buf.perRow(), buf.perBatch() ? "batch" : "row")
                    .build());
            CodeBlock alloc = buf.perBatch()
                    ? CodeBlock.of("allocate($L)", buf.perRow())
                    : CodeBlock.of("allocate((long) capacity * $L)", buf.perRow());
            if (buf.inputGradientOnly()) {
                ctor.addStatement("this.$L = inputGradients ? $L : $T.NULL", buf.name(), alloc, MEMORY_SEGMENT);
            } else if (buf.trainingOnly()) {
                CodeBlock otherwise = buf.inferenceAlias() != null
                        ? CodeBlock.of("$L", buf.inferenceAlias().name())
                        : CodeBlock.of("$T.NULL", MEMORY_SEGMENT);
                ctor.addStatement("this.$L = training() ? $L : $L", buf.name(), alloc, otherwise);
            } else {
                ctor.addStatement("this.$L = $L", buf.name(), alloc);
            }
        }
        b.addMethod(ctor.build());
        b.addMethod(
                override("input", MEMORY_SEGMENT).addStatement("return input").build());
        b.addMethod(override("output", MEMORY_SEGMENT)
                .addStatement("return $L", layout.output.name())
                .build());
        b.addMethod(override("logits", MEMORY_SEGMENT)
                .addStatement("return $L", layout.logits.name())
                .build());
        b.addMethod(override("outputGrad", MEMORY_SEGMENT)
                .addStatement("return $L", layout.outputGrad.name())
                .build());
        MethodSpec.Builder layerOutput = override("layerOutput", MEMORY_SEGMENT)
                .addParameter(int.class, "index")
                .beginControlFlow("switch (index)");
        for (int i = 0; i < layout.wirings.size(); i++) {
            layerOutput.addStatement(
                    "case $L: return $L", i, layout.wirings.get(i).out().name());
        }
        layerOutput
                .addStatement("default: throw new $T($S + index)", IndexOutOfBoundsException.class, "no layer ")
                .endControlFlow();
        b.addMethod(layerOutput.build());
        if (layout.inputGrad != null) {
            b.addMethod(override("inputGrad", MEMORY_SEGMENT)
                    .addStatement("return $L", layout.inputGrad.name())
                    .build());
        }
        return b.build();
    }
}
