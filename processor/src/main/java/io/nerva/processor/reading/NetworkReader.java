package io.nerva.processor.reading;

import io.nerva.processor.model.AnnotationUse;
import io.nerva.processor.model.FieldDecl;
import io.nerva.processor.model.LayerKind;
import io.nerva.processor.model.NetworkDecl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Elements;

/**
 * The reading room: turns a {@code @Network} class into a {@link NetworkDecl}. It reports
 * nothing; every judgement is the checker's.
 */
public final class NetworkReader {
    public static final String NETWORK = "io.nerva.annotations.Network";
    /** Penalties on the parameters of the layer on the same field: not a layer of its own. */
    public static final String REGULARIZE = "io.nerva.annotations.Regularize";

    private final Elements elements;

    public NetworkReader(Elements elements) {
        this.elements = elements;
    }

    public NetworkDecl read(TypeElement type) {
        AnnotationMirror networkMirror = find(type, NETWORK).orElseThrow();
        List<FieldDecl> fields = new ArrayList<>();
        for (Element member : type.getEnclosedElements()) {
            if (member.getKind() != ElementKind.FIELD) continue;
            List<AnnotationUse> uses = layerAnnotations(member);
            AnnotationUse regularizer =
                    find(member, REGULARIZE).map(m -> use(null, m)).orElse(null);
            if (!uses.isEmpty() || regularizer != null) {
                fields.add(new FieldDecl(
                        (VariableElement) member, member.getSimpleName().toString(), uses, regularizer));
            }
        }
        String pkg = elements.getPackageOf(type).getQualifiedName().toString();
        List<String> enclosing = new ArrayList<>();
        for (Element e = type.getEnclosingElement(); e instanceof TypeElement outer; e = e.getEnclosingElement()) {
            enclosing.add(0, outer.getSimpleName().toString());
        }
        return new NetworkDecl(
                type,
                networkMirror,
                use(null, networkMirror),
                pkg,
                List.copyOf(enclosing),
                type.getSimpleName().toString(),
                List.copyOf(fields));
    }

    /** The layer annotations on an element, in source order. */
    public List<AnnotationUse> layerAnnotations(Element element) {
        List<AnnotationUse> uses = new ArrayList<>();
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            String name = ((TypeElement) mirror.getAnnotationType().asElement())
                    .getQualifiedName()
                    .toString();
            LayerKind.forAnnotation(name).ifPresent(kind -> uses.add(use(kind, mirror)));
        }
        return uses;
    }

    private AnnotationUse use(LayerKind kind, AnnotationMirror mirror) {
        Map<String, AnnotationValue> explicit = new LinkedHashMap<>();
        mirror.getElementValues()
                .forEach((k, v) -> explicit.put(k.getSimpleName().toString(), v));
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e :
                elements.getElementValuesWithDefaults(mirror).entrySet()) {
            values.put(e.getKey().getSimpleName().toString(), e.getValue().getValue());
        }
        return new AnnotationUse(kind, mirror, Map.copyOf(explicit), values);
    }

    private static Optional<AnnotationMirror> find(Element element, String qualifiedName) {
        for (AnnotationMirror m : element.getAnnotationMirrors()) {
            if (((TypeElement) m.getAnnotationType().asElement())
                    .getQualifiedName()
                    .contentEquals(qualifiedName)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
