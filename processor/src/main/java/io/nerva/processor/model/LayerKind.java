package io.nerva.processor.model;

import java.util.Arrays;
import java.util.Optional;

/** The layer annotations the processor understands. */
public enum LayerKind {
    DENSE("io.nerva.annotations.Dense", "Dense"),
    ACTIVATION("io.nerva.annotations.Activation", "Activation"),
    DROPOUT("io.nerva.annotations.Dropout", "Dropout"),
    FLATTEN("io.nerva.annotations.Flatten", "Flatten"),
    CONV2D("io.nerva.annotations.Conv2D", "Conv2D"),
    MAX_POOL2D("io.nerva.annotations.MaxPool2D", "MaxPool2D"),
    AVG_POOL2D("io.nerva.annotations.AvgPool2D", "AvgPool2D"),
    GLOBAL_MAX_POOL2D("io.nerva.annotations.GlobalMaxPool2D", "GlobalMaxPool2D"),
    GLOBAL_AVG_POOL2D("io.nerva.annotations.GlobalAvgPool2D", "GlobalAvgPool2D"),
    BATCH_NORM("io.nerva.annotations.BatchNorm", "BatchNorm"),
    SIMPLE_RNN("io.nerva.annotations.SimpleRNN", "SimpleRNN"),
    LSTM("io.nerva.annotations.LSTM", "LSTM"),
    GRU("io.nerva.annotations.GRU", "GRU"),
    EMBEDDING("io.nerva.annotations.Embedding", "Embedding"),
    PRELU("io.nerva.annotations.PReLU", "PReLU"),
    MAXOUT("io.nerva.annotations.Maxout", "Maxout"),
    CUSTOM("io.nerva.annotations.Custom", "Custom");

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

    /** The annotation's simple name, used in messages. */
    public String displayName() {
        return displayName;
    }

    /** {@code @Dense, @Activation, ...}: every layer annotation, for messages that list them. */
    public static String allDisplayNames() {
        return String.join(
                ", ", Arrays.stream(values()).map(k -> "@" + k.displayName).toList());
    }

    public static Optional<LayerKind> forAnnotation(String qualifiedName) {
        return Arrays.stream(values())
                .filter(k -> k.annotation.equals(qualifiedName))
                .findFirst();
    }
}
