package io.nerva.processor.model;

import java.util.List;
import javax.lang.model.element.VariableElement;

/**
 * A field of a network class and the layer annotations on it, in source order; {@code regularizer} is
 * its {@code @Regularize}, or null.
 */
public record FieldDecl(
        VariableElement element, String name, List<AnnotationUse> annotations, AnnotationUse regularizer) {

    public FieldDecl(VariableElement element, String name, List<AnnotationUse> annotations) {
        this(element, name, annotations, null);
    }

    public boolean has(LayerKind kind) {
        return annotations.stream().anyMatch(a -> a.kind() == kind);
    }

    /** The kind that makes this field a layer: its first annotation other than a fused {@code @Activation}. */
    public LayerKind primaryKind() {
        return annotations.stream()
                .map(AnnotationUse::kind)
                .filter(k -> k != LayerKind.ACTIVATION)
                .findFirst()
                .orElse(LayerKind.ACTIVATION);
    }

    public AnnotationUse get(LayerKind kind) {
        return annotations.stream().filter(a -> a.kind() == kind).findFirst().orElseThrow();
    }
}
