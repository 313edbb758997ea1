package io.nerva.processor.checking;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.Initializer;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Padding;
import io.nerva.processor.model.AnnotationUse;
import io.nerva.processor.model.FieldDecl;
import io.nerva.processor.model.LayerKind;
import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.Limits;
import io.nerva.processor.model.NetworkDecl;
import io.nerva.processor.model.NetworkPlan;
import io.nerva.processor.model.ParamTensor;
import io.nerva.processor.model.Regularization;
import io.nerva.processor.model.Shape;
import io.nerva.processor.model.Window;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * The checking room: validates a {@link NetworkDecl}, infers every layer's shape and reports
 * each problem on the field (and annotation value) at fault. Returns a plan only when there is
 * no error.
 */
public final class NetworkChecker {
    public static final String LAYER_TYPE = "io.nerva.runtime.Layer";
    /** The source of the first layer's input, as messages name it. */
    static final String NETWORK_INPUT = "the network input";

    private static final String MODEL_TYPE = "io.nerva.runtime.Model";
    private final Diagnostics diagnostics;
    private final Elements elements;
    private final Types types;
    private final SequenceRules sequenceRules;
    private final CustomRules customRules;

    public NetworkChecker(Diagnostics diagnostics, Elements elements, Types types) {
        this.elements = elements;
        this.types = types;
        this.diagnostics = diagnostics;
        this.sequenceRules = new SequenceRules(diagnostics);
        this.customRules = new CustomRules(diagnostics, elements, types);
    }

    public Optional<NetworkPlan> check(NetworkDecl decl) {
        int errorsBefore = diagnostics.errorCount();
        checkClass(decl.type(), NetworkPlan.modelClassName(decl.enclosing(), decl.simpleName()));
        Optional<Shape> input = checkInput(decl);
        List<LayerPlan> layers = new ArrayList<>();
        if (decl.layerFields().isEmpty()) {
            reportNoLayers(decl);
        } else if (input.isPresent()) {
            inferLayers(decl, input.get(), layers);
        }
        LossFunction loss = LossFunction.valueOf(decl.network().enumValue("loss"));
        boolean inferenceOnly = decl.network().booleanValue("inferenceOnly");
        if (layers.isEmpty() || layers.size() < decl.layerFields().size()) return Optional.empty();

        // Every layer's shape is known: whole-network rules still apply even after a value error,
        // so that one compile reports every mistake; warnings only for networks without errors.
        boolean layerErrors = diagnostics.errorCount() > errorsBefore;
        Map<String, Regularization> regularizers = checkRegularizers(decl, layers);
        NetworkPlan plan = new NetworkPlan(
                decl.packageName(),
                decl.enclosing(),
                decl.simpleName(),
                NetworkPlan.modelClassName(decl.enclosing(), decl.simpleName()),
                input.get(),
                List.copyOf(layers),
                loss,
                !inferenceOnly,
                decl.network().stringValue("weights"),
                regularizers,
                frozenLayers(decl));
        checkTrainability(decl, plan);
        checkOutputAndLoss(decl, plan);
        if (!layerErrors) warnSuspiciousStacks(decl, plan);
        return diagnostics.errorCount() > errorsBefore ? Optional.empty() : Optional.of(plan);
    }

    /** The fields whose layer annotation says {@code trainable = false}. */
    private static List<String> frozenLayers(NetworkDecl decl) {
        List<String> frozen = new ArrayList<>();
        for (FieldDecl field : decl.layerFields()) {
            if (Boolean.FALSE.equals(field.get(field.primaryKind()).values().get("trainable")))
                frozen.add(field.name());
        }
        return List.copyOf(frozen);
    }

    // ---- the class itself -------------------------------------------------------------------

    /** {@code model}: the generated class's simple name ({@code NetModel}, {@code Outer_NetModel}). */
    private void checkClass(TypeElement type, String model) {
        String name = type.getSimpleName().toString();
        if (type.getKind() != ElementKind.CLASS) {
            diagnostics.report(
                    Message.NOT_A_CLASS,
                    type,
                    null,
                    null,
                    name,
                    article(type.getKind().toString().toLowerCase().replace('_', ' ')));
            return;
        }
        if (type.getModifiers().contains(Modifier.PRIVATE)) {
            diagnostics.report(Message.CLASS_PRIVATE, type, null, null, name, model);
        }
        if (type.getModifiers().contains(Modifier.FINAL)) {
            diagnostics.report(Message.CLASS_FINAL, type, null, null, name, model);
        }
        if (!type.getTypeParameters().isEmpty()) {
            diagnostics.report(Message.CLASS_GENERIC, type, null, null, name);
        }
        if (type.getNestingKind() == NestingKind.MEMBER && !type.getModifiers().contains(Modifier.STATIC)) {
            diagnostics.report(Message.CLASS_INNER, type, null, null, name, model);
        }
        // A local class needs no rule: javac gives processors no element inside a method body.
        for (Element e = type.getEnclosingElement(); e instanceof TypeElement outer; e = e.getEnclosingElement()) {
            if (outer.getModifiers().contains(Modifier.PRIVATE)) {
                diagnostics.report(Message.CLASS_IN_PRIVATE_CLASS, type, null, null, name, outer.getSimpleName());
            }
        }
        for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
            if (method.getModifiers().contains(Modifier.ABSTRACT) && !implementedByModel(method)) {
                diagnostics.report(
                        Message.ABSTRACT_METHOD,
                        method,
                        null,
                        null,
                        name,
                        method.getSimpleName()
                                + method.getParameters().stream()
                                        .map(p -> p.asType().toString())
                                        .collect(Collectors.joining(", ", "(", ")")),
                        model);
            }
        }
        List<ExecutableElement> constructors = ElementFilter.constructorsIn(type.getEnclosedElements());
        boolean usable = constructors.stream()
                .anyMatch(c -> c.getParameters().isEmpty() && !c.getModifiers().contains(Modifier.PRIVATE));
        if (!usable) {
            diagnostics.report(Message.NO_CONSTRUCTOR, type, null, null, name, model);
        }
    }

    /** Whether the generated class implements {@code method}: the runtime's Model interface declares it. */
    private boolean implementedByModel(ExecutableElement method) {
        TypeElement model = elements == null ? null : elements.getTypeElement(MODEL_TYPE);
        if (model == null) return false;
        for (ExecutableElement m : ElementFilter.methodsIn(elements.getAllMembers(model))) {
            if (m.getSimpleName().contentEquals(method.getSimpleName())
                    && m.getParameters().size() == method.getParameters().size()
                    && m.getParameters().stream()
                            .map(p -> types.erasure(p.asType()).toString())
                            .toList()
                            .equals(method.getParameters().stream()
                                    .map(p -> types.erasure(p.asType()).toString())
                                    .toList())) {
                return true;
            }
        }
        return false;
    }

    private Optional<Shape> checkInput(NetworkDecl decl) {
        int[] dims = AnnotationUse.ints(decl.network().values().get("input"));
        var where = decl.network().explicitValue("input");
        if (dims.length == 0) {
            diagnostics.report(Message.INPUT_MISSING, decl.type(), decl.mirror(), where);
            return Optional.empty();
        }
        if (dims.length > 3) {
            diagnostics.report(Message.INPUT_RANK, decl.type(), decl.mirror(), where, Shape.of(dims), dims.length);
            return Optional.empty();
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                diagnostics.report(Message.INPUT_DIMENSION, decl.type(), decl.mirror(), where, i, dims[i]);
                return Optional.empty();
            }
        }
        Shape shape = Shape.of(dims);
        if (shape.count() > Limits.MAX_SAMPLE_FLOATS) {
            diagnostics.report(
                    Message.INPUT_TOO_LARGE, decl.type(), decl.mirror(), where, shape, sizeText(shape.count()));
            return Optional.empty();
        }
        return Optional.of(shape);
    }

    private static String sizeText(long n) {
        return n == Long.MAX_VALUE ? "more than " + Limits.format(Long.MAX_VALUE) : Limits.format(n);
    }

    private void reportNoLayers(NetworkDecl decl) {
        String name = decl.simpleName();
        boolean hasFields = decl.type().getEnclosedElements().stream().anyMatch(e -> e.getKind() == ElementKind.FIELD);
        diagnostics.report(
                hasFields ? Message.NETWORK_WITHOUT_LAYERS : Message.NETWORK_EMPTY,
                decl.type(),
                decl.mirror(),
                null,
                name);
    }

    // ---- layers ----------------------------------------------------------------------------

    private void inferLayers(NetworkDecl decl, Shape input, List<LayerPlan> out) {
        Shape shape = input;
        String source = NETWORK_INPUT;
        for (FieldDecl field : decl.layerFields()) {
            if (!checkField(field)) {
                return; // later shapes would be guesses; one error per field chain is clearer
            }
            Optional<LayerPlan> layer = inferLayer(field, shape, source, out.isEmpty());
            if (layer.isEmpty() || !withinLimits(field, layer.get(), out)) return;
            out.add(layer.get());
            shape = layer.get().output();
            source = field.name();
        }
    }

    /** Field-level rules: type, modifiers, a valid combination of annotations. */
    private boolean checkField(FieldDecl field) {
        VariableElement e = field.element();
        boolean ok = true;
        if (!e.asType().toString().equals(LAYER_TYPE)) {
            diagnostics.report(Message.FIELD_TYPE, e, null, null, field.name(), e.asType());
            ok = false;
        }
        for (Modifier m : List.of(Modifier.PRIVATE, Modifier.FINAL, Modifier.STATIC)) {
            if (e.getModifiers().contains(m)) {
                diagnostics.report(Message.FIELD_MODIFIER, e, null, null, field.name(), m);
                ok = false;
            }
        }
        List<AnnotationUse> uses = field.annotations();
        if (uses.isEmpty()) { // only @Regularize
            diagnostics.report(
                    Message.REGULARIZE_WITHOUT_LAYER, e, field.regularizer().mirror(), null, field.name());
            return false;
        }
        if (uses.size() > 1) {
            boolean fused = uses.size() == 2
                    && field.has(LayerKind.ACTIVATION)
                    && (field.has(LayerKind.DENSE) || field.has(LayerKind.CONV2D));
            if (!fused) {
                AnnotationUse second = uses.get(1);
                String names =
                        uses.stream().map(u -> "@" + u.kind().displayName()).collect(Collectors.joining(" and "));
                diagnostics.report(
                        field.has(LayerKind.ACTIVATION) ? Message.ACTIVATION_SHARES_FIELD : Message.LAYERS_SHARE_FIELD,
                        e,
                        second.mirror(),
                        null,
                        field.name(),
                        uses.size(),
                        names);
                ok = false;
            }
        }
        return ok;
    }

    /** One rule per kind; the switch is exhaustive, so a new kind does not compile until it has its rule. */
    private Optional<LayerPlan> inferLayer(FieldDecl field, Shape in, String source, boolean first) {
        LayerKind kind = field.primaryKind();
        AnnotationUse use = field.get(kind);
        return switch (kind) {
            case DENSE -> dense(field, in, source);
            case CONV2D -> conv2d(field, in, source);
            case ACTIVATION -> activationLayer(field, in, source);
            case DROPOUT -> dropout(field, in);
            case FLATTEN -> flatten(field, in, source);
            case MAX_POOL2D, AVG_POOL2D -> pool2d(field, use, in, source);
            case GLOBAL_MAX_POOL2D, GLOBAL_AVG_POOL2D -> globalPool(field, use, in, source);
            case BATCH_NORM -> batchNorm(field, in);
            case SIMPLE_RNN, LSTM, GRU -> sequenceRules.recurrent(field, use, in, source);
            case EMBEDDING -> sequenceRules.embedding(field, use, in, source, first);
            case PRELU -> pRelu(field, use, in);
            case MAXOUT -> maxout(field, use, in, source);
            case CUSTOM -> customRules.custom(field, use, in);
        };
    }

    /**
     * Every buffer and parameter count of the layer within what the runtime indexes; an error on the
     * field that crosses a limit, naming the number and the limit.
     */
    private boolean withinLimits(FieldDecl field, LayerPlan layer, List<LayerPlan> before) {
        AnnotationMirror mirror = field.annotations().get(0).mirror();
        long outFloats = layer.output().count();
        if (layer instanceof LayerPlan.Conv2D c) {
            outFloats = Math.max(
                    outFloats,
                    Shape.saturatingTimes(
                            Shape.saturatingTimes(
                                    c.output().dims()[0], c.output().dims()[1]),
                            c.patch()));
        }
        if (outFloats > Limits.MAX_SAMPLE_FLOATS) {
            diagnostics.report(
                    Message.LAYER_TOO_LARGE,
                    field.element(),
                    mirror,
                    null,
                    field.name(),
                    layer.typeName(),
                    sizeText(outFloats),
                    layer.output());
            return false;
        }
        long total = 0;
        for (LayerPlan l : before) total += l.paramCount();
        for (ParamTensor t : layer.params()) {
            long n = t.size();
            if (n > Limits.MAX_PARAMS) {
                diagnostics.report(
                        Message.TENSOR_TOO_LARGE,
                        field.element(),
                        mirror,
                        null,
                        field.name() + "." + t.suffix(),
                        t.shapeString(),
                        sizeText(n));
                return false;
            }
            total += n;
        }
        if (total > Limits.MAX_PARAMS) {
            diagnostics.report(Message.NETWORK_TOO_LARGE, field.element(), mirror, null, field.name(), sizeText(total));
            return false;
        }
        return true;
    }

    private Optional<LayerPlan> dense(FieldDecl field, Shape in, String source) {
        AnnotationUse dense = field.get(LayerKind.DENSE);
        VariableElement e = field.element();
        int units = dense.intValue("value");
        boolean ok = true;
        if (units <= 0) {
            diagnostics.report(
                    Message.DENSE_UNITS, e, dense.mirror(), dense.explicitValue("value"), field.name(), units);
            ok = false;
        }
        if (in.isImage()) {
            diagnostics.report(Message.DENSE_ON_IMAGE, e, dense.mirror(), null, field.name(), in, source);
            ok = false;
        }
        Initializer kernelInit = Initializer.valueOf(dense.enumValue("kernelInit"));
        Initializer biasInit = Initializer.valueOf(dense.enumValue("biasInit"));
        boolean useBias = dense.booleanValue("useBias");
        checkInitializers(field, dense, kernelInit, biasInit, useBias);
        ActivationType act = ActivationType.LINEAR;
        float alpha = Float.NaN;
        if (field.has(LayerKind.ACTIVATION)) {
            AnnotationUse a = field.get(LayerKind.ACTIVATION);
            act = ActivationType.valueOf(a.enumValue("value"));
            alpha = checkActivation(field, a, Shape.of(Math.max(units, 1)));
        }
        if (!ok) return Optional.empty();
        return Optional.of(
                new LayerPlan.Dense(field.name(), in, units, useBias, act, alpha, kernelInit, biasInit, (float)
                        dense.doubleValue("initValue")));
    }

    private void checkInitializers(
            FieldDecl field, AnnotationUse use, Initializer kernelInit, Initializer biasInit, boolean useBias) {
        float initValue = (float) use.doubleValue("initValue");
        if (!Float.isFinite(initValue)) {
            diagnostics.report(
                    Message.INIT_VALUE_NOT_FINITE,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("initValue"),
                    field.name(),
                    use.doubleValue("initValue"));
        }
        if (use.explicitValue("initValue") != null
                && kernelInit != Initializer.CONSTANT
                && (!useBias || biasInit != Initializer.CONSTANT)) {
            diagnostics.report(Message.UNUSED_INIT_VALUE, field.element(), use.mirror(), null, field.name());
        }
        if (!useBias && use.explicitValue("biasInit") != null) {
            diagnostics.report(Message.UNUSED_BIAS_INIT, field.element(), use.mirror(), null, field.name());
        }
    }

    // ---- image layers ------------------------------------------------------------------------

    private Optional<LayerPlan> conv2d(FieldDecl field, Shape in, String source) {
        AnnotationUse conv = field.get(LayerKind.CONV2D);
        VariableElement e = field.element();
        int filters = conv.intValue("filters");
        boolean ok = true;
        if (filters <= 0) {
            diagnostics.report(
                    Message.CONV_FILTERS, e, conv.mirror(), conv.explicitValue("filters"), field.name(), filters);
            ok = false;
        }
        int[] kernel = pair(field, conv, "kernel");
        int[] strides = pair(field, conv, "strides");
        int[] dilation = pair(field, conv, "dilation");
        ok &= kernel != null && strides != null && dilation != null;
        ok &= requireImage(field, conv, in, source);
        Initializer kernelInit = Initializer.valueOf(conv.enumValue("kernelInit"));
        Initializer biasInit = Initializer.valueOf(conv.enumValue("biasInit"));
        boolean useBias = conv.booleanValue("useBias");
        checkInitializers(field, conv, kernelInit, biasInit, useBias);
        ActivationType act = ActivationType.LINEAR;
        float alpha = Float.NaN;
        if (field.has(LayerKind.ACTIVATION)) {
            AnnotationUse a = field.get(LayerKind.ACTIVATION);
            act = ActivationType.valueOf(a.enumValue("value"));
            alpha = checkActivation(
                    field, a, Shape.of(Math.max(filters, 1))); // SOFTMAX: over the filters of each pixel
        }
        if (!ok) return Optional.empty();
        Padding padding = Padding.valueOf(conv.enumValue("padding"));
        int[] d = in.dims();
        Window window = Window.resolve(
                kernel[0], kernel[1], strides[0], strides[1], dilation[0], dilation[1], padding, d[0], d[1]);
        if (window == null && padding == Padding.SAME) {
            diagnostics.report(
                    Message.KERNEL_BEYOND_ANY_INPUT,
                    e,
                    conv.mirror(),
                    conv.explicitValue("kernel"),
                    field.name(),
                    dims(kernel),
                    dims(dilation));
            return Optional.empty();
        }
        if (window == null) {
            if (dilation[0] > 1 || dilation[1] > 1) {
                diagnostics.report(
                        Message.DILATED_KERNEL_DOES_NOT_FIT,
                        e,
                        conv.mirror(),
                        conv.explicitValue("kernel"),
                        field.name(),
                        dims(kernel),
                        dims(dilation),
                        Window.span(kernel[0], dilation[0]) + "x" + Window.span(kernel[1], dilation[1]),
                        in,
                        source);
            } else {
                diagnostics.report(
                        Message.KERNEL_DOES_NOT_FIT,
                        e,
                        conv.mirror(),
                        conv.explicitValue("kernel"),
                        field.name(),
                        dims(kernel),
                        in,
                        source);
            }
            return Optional.empty();
        }
        Shape out = Shape.of(
                Window.outSize(d[0], kernel[0], strides[0], dilation[0], padding),
                Window.outSize(d[1], kernel[1], strides[1], dilation[1], padding),
                filters);
        return Optional.of(
                new LayerPlan.Conv2D(field.name(), in, out, window, useBias, act, alpha, kernelInit, biasInit, (float)
                        conv.doubleValue("initValue")));
    }

    /** MaxPool2D or AvgPool2D: strides default to the window size. */
    private Optional<LayerPlan> pool2d(FieldDecl field, AnnotationUse pool, Shape in, String source) {
        VariableElement e = field.element();
        int[] size = pair(field, pool, "size");
        int[] strides =
                AnnotationUse.ints(pool.values().get("strides")).length == 0 ? size : pair(field, pool, "strides");
        boolean ok = size != null && strides != null;
        ok &= requireImage(field, pool, in, source);
        if (!ok) return Optional.empty();
        Padding padding = Padding.valueOf(pool.enumValue("padding"));
        int[] d = in.dims();
        Window window = Window.resolve(size[0], size[1], strides[0], strides[1], 1, 1, padding, d[0], d[1]);
        if (window == null) {
            diagnostics.report(
                    Message.POOL_DOES_NOT_FIT,
                    e,
                    pool.mirror(),
                    pool.explicitValue("size"),
                    field.name(),
                    dims(size),
                    in,
                    source);
            return Optional.empty();
        }
        Shape out = Shape.of(
                Window.outSize(d[0], size[0], strides[0], 1, padding),
                Window.outSize(d[1], size[1], strides[1], 1, padding),
                d[2]);
        return Optional.of(
                pool.kind() == LayerKind.MAX_POOL2D
                        ? new LayerPlan.MaxPool2D(field.name(), in, out, window)
                        : new LayerPlan.AvgPool2D(field.name(), in, out, window));
    }

    private Optional<LayerPlan> globalPool(FieldDecl field, AnnotationUse pool, Shape in, String source) {
        if (!requireImage(field, pool, in, source)) return Optional.empty();
        return Optional.of(
                pool.kind() == LayerKind.GLOBAL_MAX_POOL2D
                        ? new LayerPlan.GlobalMaxPool2D(field.name(), in)
                        : new LayerPlan.GlobalAvgPool2D(field.name(), in));
    }

    private Optional<LayerPlan> batchNorm(FieldDecl field, Shape in) {
        AnnotationUse bn = field.get(LayerKind.BATCH_NORM);
        double momentum = bn.doubleValue("momentum");
        double epsilon = bn.doubleValue("epsilon");
        boolean ok = true;
        if (!(momentum >= 0 && (float) momentum < 1f)) {
            diagnostics.report(
                    Message.BATCH_NORM_MOMENTUM,
                    field.element(),
                    bn.mirror(),
                    bn.explicitValue("momentum"),
                    field.name(),
                    momentum);
            ok = false;
        }
        if (!((float) epsilon > 0 && Float.isFinite((float) epsilon))) {
            diagnostics.report(
                    Message.BATCH_NORM_EPSILON,
                    field.element(),
                    bn.mirror(),
                    bn.explicitValue("epsilon"),
                    field.name(),
                    epsilon);
            ok = false;
        }
        if (!ok) return Optional.empty();
        return Optional.of(new LayerPlan.BatchNorm(field.name(), in, (float) momentum, (float) epsilon));
    }

    /** An {@code int[]} attribute of one value (both axes) or two ({@code {height, width}}), all positive; null after an error. */
    private int[] pair(FieldDecl field, AnnotationUse use, String attribute) {
        int[] v = AnnotationUse.ints(use.values().get(attribute));
        var where = use.explicitValue(attribute);
        if (v.length != 1 && v.length != 2) {
            String example = attribute.equals("strides") ? "2" : "3";
            diagnostics.report(
                    Message.WINDOW_ARITY,
                    field.element(),
                    use.mirror(),
                    where,
                    field.name(),
                    attribute,
                    braces(v),
                    v.length,
                    example);
            return null;
        }
        for (int x : v) {
            if (x <= 0) {
                diagnostics.report(
                        Message.WINDOW_NOT_POSITIVE,
                        field.element(),
                        use.mirror(),
                        where,
                        field.name(),
                        attribute,
                        braces(v),
                        use.kind().displayName());
                return null;
            }
        }
        return v.length == 1 ? new int[] {v[0], v[0]} : v;
    }

    /** Reports an image layer on a flat input, suggesting the fix. */
    private boolean requireImage(FieldDecl field, AnnotationUse use, Shape in, String source) {
        if (in.rank() == 3) return true;
        String kind = use.kind().displayName();
        if (source.equals(NETWORK_INPUT)) {
            int side = (int) Math.round(Math.sqrt(in.size()));
            if (side * side == in.size()) {
                diagnostics.report(
                        Message.IMAGE_INPUT_NEEDED_SQUARE,
                        field.element(),
                        use.mirror(),
                        null,
                        field.name(),
                        kind,
                        in,
                        side);
            } else {
                diagnostics.report(
                        Message.IMAGE_INPUT_NEEDED, field.element(), use.mirror(), null, field.name(), kind, in);
            }
        } else {
            diagnostics.report(
                    Message.IMAGE_LAYER_AFTER_FLAT,
                    field.element(),
                    use.mirror(),
                    null,
                    field.name(),
                    kind,
                    in,
                    source);
        }
        return false;
    }

    private static String dims(int[] hw) {
        return hw[0] + "x" + hw[1];
    }

    private static String braces(int[] v) {
        return java.util.Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(", ", "{", "}"));
    }

    private Optional<LayerPlan> activationLayer(FieldDecl field, Shape in, String source) {
        AnnotationUse a = field.get(LayerKind.ACTIVATION);
        float alpha = checkActivation(field, a, in);
        ActivationType type = ActivationType.valueOf(a.enumValue("value"));
        // On a sequence or an image every function applies over the last axis (softmax per step or per pixel), as
        // Keras.
        return Optional.of(new LayerPlan.Activation(field.name(), in, type, alpha));
    }

    /**
     * Validates alpha and softmax width; returns the alpha to use (NaN = the function's default).
     * Errors here leave the shape known, so checking goes on to the next layers.
     */
    private float checkActivation(FieldDecl field, AnnotationUse a, Shape out) {
        ActivationType type = ActivationType.valueOf(a.enumValue("value"));
        double alpha = a.doubleValue("alpha");
        VariableElement e = field.element();
        boolean usesAlpha = type == ActivationType.LEAKY_RELU || type == ActivationType.ELU;
        if (!Double.isNaN(alpha)) {
            if (!usesAlpha) {
                diagnostics.report(Message.UNUSED_ALPHA, e, a.mirror(), null, field.name(), type);
            } else if (alpha < 0 || !Float.isFinite((float) alpha)) { // the generated code holds it as a float
                diagnostics.report(
                        Message.ALPHA_INVALID, e, a.mirror(), a.explicitValue("alpha"), field.name(), type, alpha);
                return Float.NaN;
            }
        }
        if (type == ActivationType.SOFTMAX && out.last() == 1) {
            diagnostics.report(Message.SOFTMAX_ONE_UNIT, e, a.mirror(), a.explicitValue("value"), field.name());
        }
        return usesAlpha && !Double.isNaN(alpha) ? (float) alpha : Float.NaN;
    }

    private Optional<LayerPlan> dropout(FieldDecl field, Shape in) {
        AnnotationUse d = field.get(LayerKind.DROPOUT);
        double rate = d.doubleValue("value");
        if (!(rate >= 0 && (float) rate < 1f)) { // the kernel works in float: 0.9999999999 would be 1
            diagnostics.report(
                    rate >= 0 && rate < 1 ? Message.DROPOUT_RATE_ONE_AS_FLOAT : Message.DROPOUT_RATE,
                    field.element(),
                    d.mirror(),
                    d.explicitValue("value"),
                    field.name(),
                    rate);
            // the shape is unchanged, so later layers can still be checked
        }
        if (rate == 0) {
            diagnostics.report(Message.NO_OP_DROPOUT, field.element(), d.mirror(), null, field.name());
        }
        return Optional.of(new LayerPlan.Dropout(field.name(), in, (float) rate));
    }

    /** PReLU fits any input: one slope per value. */
    private Optional<LayerPlan> pRelu(FieldDecl field, AnnotationUse use, Shape in) {
        float initValue = (float) use.doubleValue("initValue");
        if (!Float.isFinite(initValue)) {
            diagnostics.report(
                    Message.INIT_VALUE_NOT_FINITE,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("initValue"),
                    field.name(),
                    use.doubleValue("initValue"));
        }
        return Optional.of(
                new LayerPlan.PRelu(field.name(), in, Initializer.valueOf(use.enumValue("alphaInit")), initValue));
    }

    /** Maxout: k ≥ 1 pieces that divide the input's last axis. */
    private Optional<LayerPlan> maxout(FieldDecl field, AnnotationUse use, Shape in, String source) {
        int pieces = use.intValue("value");
        if (pieces < 1) {
            diagnostics.report(
                    Message.MAXOUT_PIECES,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("value"),
                    field.name(),
                    pieces);
            return Optional.empty();
        }
        int width = in.last();
        if (width % pieces != 0) {
            int below = width / pieces * pieces;
            diagnostics.report(
                    Message.MAXOUT_NOT_DIVISIBLE,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("value"),
                    field.name(),
                    pieces,
                    width,
                    in,
                    source,
                    below > 0 ? below + " or " + (below + pieces) : String.valueOf(pieces));
            return Optional.empty();
        }
        if (pieces == 1) {
            diagnostics.report(
                    Message.NO_OP_MAXOUT, field.element(), use.mirror(), use.explicitValue("value"), field.name());
        }
        return Optional.of(new LayerPlan.Maxout(field.name(), in, pieces));
    }

    private Optional<LayerPlan> flatten(FieldDecl field, Shape in, String source) {
        if (in.isFlat()) {
            AnnotationUse f = field.get(LayerKind.FLATTEN);
            diagnostics.report(Message.NO_OP_FLATTEN, field.element(), f.mirror(), null, field.name(), in, source);
        }
        return Optional.of(new LayerPlan.Flatten(field.name(), in));
    }

    // ---- regularizers ------------------------------------------------------------------------

    private static final List<String> PENALTIES = List.of("kernelL1", "kernelL2", "biasL1", "biasL2");

    /** Each field's {@code @Regularize}: finite, ≥ 0, and only on tensors its layer has. */
    private Map<String, Regularization> checkRegularizers(NetworkDecl decl, List<LayerPlan> layers) {
        Map<String, Regularization> out = new LinkedHashMap<>();
        for (LayerPlan layer : layers) {
            FieldDecl field = field(decl, layer.name());
            AnnotationUse r = field.regularizer();
            if (r == null) continue;
            boolean ok = true;
            double[] v = new double[PENALTIES.size()];
            for (int i = 0; i < v.length; i++) {
                String attribute = PENALTIES.get(i);
                v[i] = r.doubleValue(attribute);
                if (!(v[i] >= 0) || !Float.isFinite((float) v[i])) {
                    diagnostics.report(
                            Message.REGULARIZE_VALUE,
                            field.element(),
                            r.mirror(),
                            r.explicitValue(attribute),
                            field.name(),
                            attribute,
                            v[i]);
                    ok = false;
                    continue;
                }
                boolean kernel = i < 2;
                boolean has = layer.params().stream()
                        .anyMatch(t -> kernel
                                ? Regularization.isKernelTensor(t.suffix())
                                : t.suffix().equals("bias"));
                if (v[i] != 0 && !has) {
                    diagnostics.report(
                            Message.REGULARIZE_NO_TENSOR,
                            field.element(),
                            r.mirror(),
                            r.explicitValue(attribute),
                            field.name(),
                            attribute,
                            kernel ? "weight" : "bias",
                            layer.typeName());
                    ok = false;
                }
            }
            if (ok) out.put(layer.name(), new Regularization(v[0], v[1], v[2], v[3]));
        }
        return Map.copyOf(out);
    }

    // ---- whole-network rules -----------------------------------------------------------------

    private void checkTrainability(NetworkDecl decl, NetworkPlan plan) {
        if (!plan.trainable()) return;
        for (LayerPlan layer : plan.layers()) {
            if (layer instanceof LayerPlan.Recurrent r
                    && (!r.cellActivation().differentiable()
                            || !r.recurrentActivation().differentiable())) {
                FieldDecl field = field(decl, layer.name());
                diagnostics.report(
                        Message.NO_GRADIENT_IN_CELL,
                        field.element(),
                        field.annotations().get(0).mirror(),
                        null,
                        layer.name(),
                        r.typeName());
                continue;
            }
            ActivationType act = activationOf(layer);
            if (act != null && !act.differentiable()) {
                FieldDecl field = field(decl, layer.name());
                AnnotationUse a = field.get(LayerKind.ACTIVATION);
                diagnostics.report(
                        Message.NO_GRADIENT, field.element(), a.mirror(), a.explicitValue("value"), layer.name(), act);
            }
        }
    }

    private void checkOutputAndLoss(NetworkDecl decl, NetworkPlan plan) {
        String problem = plan.loss()
                .mismatch(
                        plan.outputActivation(),
                        plan.output().size(),
                        plan.lastLayer().name());
        if (problem != null) {
            diagnostics.report(
                    Message.LOSS_MISMATCH,
                    decl.type(),
                    decl.mirror(),
                    decl.network().explicitValue("loss"),
                    problem);
        }
    }

    private void warnSuspiciousStacks(NetworkDecl decl, NetworkPlan plan) {
        List<LayerPlan> layers = plan.layers();
        for (int i = 0; i < layers.size(); i++) {
            LayerPlan layer = layers.get(i);
            FieldDecl field = field(decl, layer.name());
            ActivationType act = activationOf(layer);
            boolean last = i == layers.size() - 1;
            if (act == ActivationType.SOFTMAX && !last && !followedOnlyByShapeLayers(layers, i)) {
                diagnostics.report(
                        Message.HIDDEN_SOFTMAX,
                        field.element(),
                        field.get(LayerKind.ACTIVATION).mirror(),
                        null,
                        layer.name());
            }
            if (layer instanceof LayerPlan.Activation a && i > 0) {
                ActivationType before = activationOf(layers.get(i - 1));
                if (before != null && before != ActivationType.LINEAR) {
                    diagnostics.report(
                            Message.DOUBLE_ACTIVATION,
                            field.element(),
                            field.get(LayerKind.ACTIVATION).mirror(),
                            null,
                            layer.name(),
                            a.activation(),
                            before,
                            layers.get(i - 1).name());
                }
            }
            if (layer instanceof LayerPlan.Dense d
                    && d.activation() == ActivationType.LINEAR
                    && i > 0
                    && layers.get(i - 1) instanceof LayerPlan.Dense prev
                    && prev.activation() == ActivationType.LINEAR
                    && !last) {
                diagnostics.report(
                        Message.LINEAR_STACK,
                        field.element(),
                        field.get(LayerKind.DENSE).mirror(),
                        null,
                        layer.name(),
                        prev.name());
            }
            if (last && layer instanceof LayerPlan.Dropout) {
                diagnostics.report(
                        Message.DROPOUT_OUTPUT,
                        field.element(),
                        field.get(LayerKind.DROPOUT).mirror(),
                        null,
                        layer.name());
            }
        }
    }

    private static boolean followedOnlyByShapeLayers(List<LayerPlan> layers, int i) {
        return layers.subList(i + 1, layers.size()).stream()
                .allMatch(l -> l instanceof LayerPlan.Dropout || l instanceof LayerPlan.Flatten);
    }

    private static ActivationType activationOf(LayerPlan layer) {
        return layer.activation();
    }

    private static FieldDecl field(NetworkDecl decl, String name) {
        return decl.layerFields().stream()
                .filter(f -> f.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static String article(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }
}
