package io.nerva.processor.checking;

import io.nerva.annotations.CustomShape;
import io.nerva.annotations.Initializer;
import io.nerva.processor.model.AnnotationUse;
import io.nerva.processor.model.FieldDecl;
import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.MalformedAnnotationException;
import io.nerva.processor.model.ParamTensor;
import io.nerva.processor.model.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * {@code @Custom(MyLayer.class)}: what can be known of the user's class at compile time. The class is
 * read as an element (it may be compiled in the same javac run, so it is never loaded): the interface it
 * implements, whether the generated code can instantiate it, and its {@code @CustomShape}, whose rule and
 * parameter shapes are evaluated here for the field's input, exactly as the runtime evaluates them.
 */
final class CustomRules {
    static final String LAYER_INTERFACE = "io.nerva.runtime.custom.CustomLayer";
    static final String ACTIVATION_INTERFACE = "io.nerva.runtime.custom.ActivationFunction";
    private static final String SHAPE = "io.nerva.annotations.CustomShape";

    private final Diagnostics diagnostics;
    private final Elements elements;
    private final Types types;

    CustomRules(Diagnostics diagnostics, Elements elements, Types types) {
        this.diagnostics = diagnostics;
        this.elements = elements;
        this.types = types;
    }

    Optional<LayerPlan> custom(FieldDecl field, AnnotationUse use, Shape in) {
        Object value = use.values().get("value");
        if (!(value instanceof DeclaredType declared)
                || declared.getKind() == TypeKind.ERROR
                || !(declared.asElement() instanceof TypeElement type)) {
            throw new MalformedAnnotationException("value = " + value); // javac reports the unresolved class itself
        }
        VariableElement e = field.element();
        AnnotationValue where = use.explicitValue("value");
        String simple = type.getSimpleName().toString();
        boolean isLayer = implementsType(type, LAYER_INTERFACE);
        boolean isActivation = implementsType(type, ACTIVATION_INTERFACE);
        if (isLayer == isActivation) {
            diagnostics.report(
                    Message.CUSTOM_WRONG_TYPE,
                    e,
                    use.mirror(),
                    where,
                    field.name(),
                    simple,
                    isLayer
                            ? "implements both"
                            : type.getKind() == ElementKind.INTERFACE ? "is an interface" : "implements neither");
            return Optional.empty();
        }
        String problem = instantiationProblem(type);
        if (problem != null) {
            diagnostics.report(Message.CUSTOM_NOT_INSTANTIABLE, e, use.mirror(), where, field.name(), simple, problem);
            return Optional.empty();
        }
        int units = use.intValue("units");
        AnnotationValue unitsWhere = use.explicitValue("units");
        CustomShape.Rule rule = CustomShape.Rule.SAME;
        List<AnnotationMirror> params = List.of();
        AnnotationMirror shape = isLayer ? shapeOf(type) : null;
        if (shape != null) {
            for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
                    elements.getElementValuesWithDefaults(shape).entrySet()) {
                String key = entry.getKey().getSimpleName().toString();
                Object v = entry.getValue().getValue();
                if (key.equals("output")) rule = CustomShape.Rule.valueOf(enumName(v));
                if (key.equals("params")) params = mirrors(v);
            }
        }
        boolean paramsUseUnits = false;
        for (AnnotationMirror p : params) {
            for (String d : enumNames(valueOf(p, "shape"))) paramsUseUnits |= d.equals(CustomShape.Dim.UNITS.name());
        }
        if (isActivation && units != 0) {
            diagnostics.report(
                    Message.CUSTOM_UNITS_UNUSED,
                    e,
                    use.mirror(),
                    unitsWhere,
                    field.name(),
                    units,
                    simple,
                    "is an ActivationFunction");
        } else if (isLayer && (rule.usesUnits() || paramsUseUnits) && units < 1) {
            String needs = rule.usesUnits() ? "has shape rule " + rule + ", which needs" : "has a parameter shaped by";
            diagnostics.report(
                    Message.CUSTOM_UNITS_MISSING, e, use.mirror(), unitsWhere, field.name(), simple, needs, units);
            return Optional.empty();
        } else if (isLayer && units != 0 && !rule.usesUnits() && !paramsUseUnits) {
            diagnostics.report(
                    Message.CUSTOM_UNITS_UNUSED,
                    e,
                    use.mirror(),
                    unitsWhere,
                    field.name(),
                    units,
                    simple,
                    "keeps its input's shape and no parameter shape uses UNITS");
        }
        int[] inDims = in.dims();
        int[] outDims = rule.output(inDims, units);
        List<ParamTensor> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        boolean ok = true;
        for (AnnotationMirror p : params) {
            String name = String.valueOf(valueOf(p, "name"));
            List<String> dims = enumNames(valueOf(p, "shape"));
            String bad = !SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name)
                    ? "whose name is not a Java identifier"
                    : !names.add(name) ? "twice" : dims.isEmpty() ? "with no dimensions" : null;
            if (bad != null) {
                diagnostics.report(Message.CUSTOM_PARAM, e, use.mirror(), null, field.name(), simple, name, bad);
                ok = false;
                continue;
            }
            // every Dim is positive here: input sizes are, and units is checked ≥ 1 where a shape uses it;
            // a tensor too large for the runtime is reported by the checker's limits, on this field
            int[] shapeDims = new int[dims.size()];
            for (int d = 0; d < shapeDims.length; d++) {
                long size = CustomShape.Dim.valueOf(dims.get(d)).size(inDims, outDims, units);
                shapeDims[d] = (int) Math.min(size, Integer.MAX_VALUE);
            }
            int fanOut = shapeDims[shapeDims.length - 1];
            int fanIn = shapeDims.length == 1 ? fanOut : (int) Math.min(Integer.MAX_VALUE, product(shapeDims) / fanOut);
            tensors.add(new ParamTensor(
                    name,
                    shapeDims,
                    Initializer.valueOf(enumName(valueOf(p, "init"))),
                    ((Number) valueOf(p, "initValue")).floatValue(),
                    fanIn,
                    fanOut));
        }
        if (!ok) return Optional.empty();
        List<String> nested = new ArrayList<>();
        Element at = type;
        for (; at instanceof TypeElement t; at = at.getEnclosingElement())
            nested.add(0, t.getSimpleName().toString());
        String pkg = elements.getPackageOf(type).getQualifiedName().toString();
        return Optional.of(new LayerPlan.Custom(
                field.name(),
                in,
                Shape.of(outDims),
                pkg,
                List.copyOf(nested),
                isActivation,
                units,
                List.copyOf(tensors)));
    }

    private boolean implementsType(TypeElement type, String interfaceName) {
        TypeElement target = elements.getTypeElement(interfaceName);
        return target != null
                && type.getKind() != ElementKind.INTERFACE
                && types.isAssignable(types.erasure(type.asType()), types.erasure(target.asType()));
    }

    /** Why {@code new Type()} in the generated model's package would not compile, or null. */
    private static String instantiationProblem(TypeElement type) {
        if (type.getModifiers().contains(Modifier.ABSTRACT)) return "is abstract";
        if (type.getKind() != ElementKind.CLASS)
            return "is "
                    + type.getKind()
                            .toString()
                            .toLowerCase(java.util.Locale.ROOT)
                            .replace('_', ' ');
        for (Element e = type; e instanceof TypeElement t; e = e.getEnclosingElement()) {
            if (!t.getModifiers().contains(Modifier.PUBLIC)) {
                return t == type ? "is not public" : "is inside " + t.getSimpleName() + ", which is not public";
            }
        }
        if (type.getNestingKind() == NestingKind.MEMBER && !type.getModifiers().contains(Modifier.STATIC)) {
            return "is an inner class; make it static";
        }
        boolean constructor = ElementFilter.constructorsIn(type.getEnclosedElements()).stream()
                .anyMatch(c -> c.getParameters().isEmpty() && c.getModifiers().contains(Modifier.PUBLIC));
        return constructor ? null : "has no public constructor without parameters";
    }

    private static AnnotationMirror shapeOf(TypeElement type) {
        for (AnnotationMirror m : type.getAnnotationMirrors()) {
            if (((TypeElement) m.getAnnotationType().asElement())
                    .getQualifiedName()
                    .contentEquals(SHAPE)) return m;
        }
        return null;
    }

    private Object valueOf(AnnotationMirror mirror, String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
                elements.getElementValuesWithDefaults(mirror).entrySet()) {
            if (entry.getKey().getSimpleName().contentEquals(name))
                return entry.getValue().getValue();
        }
        throw new MalformedAnnotationException(name);
    }

    private static String enumName(Object v) {
        if (!(v instanceof VariableElement constant)) throw new MalformedAnnotationException(String.valueOf(v));
        return constant.getSimpleName().toString();
    }

    @SuppressWarnings("unchecked")
    private static List<String> enumNames(Object v) {
        List<String> out = new ArrayList<>();
        for (AnnotationValue a : (List<? extends AnnotationValue>) v) out.add(enumName(a.getValue()));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<AnnotationMirror> mirrors(Object v) {
        List<AnnotationMirror> out = new ArrayList<>();
        for (AnnotationValue a : (List<? extends AnnotationValue>) v) {
            if (!(a.getValue() instanceof AnnotationMirror m))
                throw new MalformedAnnotationException(String.valueOf(a));
            out.add(m);
        }
        return out;
    }

    private static long product(int[] dims) {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }
}
