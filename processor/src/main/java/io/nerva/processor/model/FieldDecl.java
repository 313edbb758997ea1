package io.nerva.processor.model;

import javax.lang.model.element.VariableElement;
import java.util.List;

/** A field of a network class and the layer annotations on it, in source order. */
public record FieldDecl(VariableElement element, String name, List<AnnotationUse> annotations) {

    public boolean has(LayerKind kind) {
        return annotations.stream().anyMatch(a -> a.kind() == kind);
    }

    public AnnotationUse get(LayerKind kind) {
        return annotations.stream().filter(a -> a.kind() == kind).findFirst().orElseThrow();
    }
}
