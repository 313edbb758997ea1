package io.nerva.processor.model;

import java.util.Arrays;
import java.util.Optional;

/** The layer annotations the processor understands. */
public enum LayerKind {
    DENSE("io.nerva.annotations.Dense", "Dense"),
    ACTIVATION("io.nerva.annotations.Activation", "Activation"),
    DROPOUT("io.nerva.annotations.Dropout", "Dropout"),
    FLATTEN("io.nerva.annotations.Flatten", "Flatten");

    private final String annotation;
    private final String displayName;

    LayerKind(String annotation, String displayName) {
        this.annotation = annotation;
        this.displayName = displayName;
    }

    /** Qualified name of the annotation type. */
    public String annotation() {
        return annotation;
    }

    /** The name used in messages and summaries, as Keras names the layer. */
    public String displayName() {
        return displayName;
    }

    public static Optional<LayerKind> forAnnotation(String qualifiedName) {
        return Arrays.stream(values()).filter(k -> k.annotation.equals(qualifiedName)).findFirst();
    }
}
