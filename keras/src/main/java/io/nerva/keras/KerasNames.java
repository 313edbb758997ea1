package io.nerva.keras;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Keras' naming conventions: object paths in weights files, and the variables each layer class creates. */
final class KerasNames {
    private KerasNames() {}

    /** The layer classes whose object paths a weights-only file may hold, to recover a class from a path. */
    private static final List<String> KNOWN_CLASSES = List.of(
            "Dense",
            "Conv1D",
            "Conv2D",
            "Conv3D",
            "Conv2DTranspose",
            "DepthwiseConv2D",
            "SeparableConv2D",
            "BatchNormalization",
            "LayerNormalization",
            "Embedding",
            "LSTM",
            "GRU",
            "SimpleRNN",
            "Bidirectional",
            "TimeDistributed",
            "Activation",
            "Dropout",
            "Flatten",
            "MaxPooling2D",
            "AveragePooling2D",
            "GlobalMaxPooling2D",
            "GlobalAveragePooling2D",
            "LeakyReLU",
            "ReLU",
            "ELU",
            "PReLU",
            "Softmax",
            "Reshape",
            "InputLayer",
            "Sequential",
            "Functional",
            "Lambda",
            "Add",
            "Concatenate");

    /** Keras' {@code naming.to_snake_case}: {@code BatchNormalization → batch_normalization}, {@code SimpleRNN → simple_rnn}. */
    static String snakeCase(String className) {
        String s = className.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    /** The class whose snake-case name is {@code snake}, or {@code null} when none of the known ones. */
    static String classOfSnakeCase(String snake) {
        for (String c : KNOWN_CLASSES) {
            if (snakeCase(c).equals(snake)) return c;
        }
        return null;
    }

    /**
     * Names of the {@code count} variables a layer of {@code className} stores, in Keras' order; {@code vars/i}
     * where the class is not known or the count does not fit it.
     */
    static List<String> weightNames(String className, Map<String, Object> config, int count) {
        List<String> names = className == null
                ? null
                : switch (className) {
                    case "Dense", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose" ->
                        count == 1 ? List.of("kernel") : List.of("kernel", "bias");
                    case "Embedding" -> List.of("embeddings");
                    case "LSTM", "GRU", "SimpleRNN" ->
                        count == 2
                                ? List.of("kernel", "recurrent_kernel")
                                : List.of("kernel", "recurrent_kernel", "bias");
                    case "BatchNormalization" -> {
                        List<String> n = new ArrayList<>();
                        if (!Boolean.FALSE.equals(config.get("scale"))) n.add("gamma");
                        if (!Boolean.FALSE.equals(config.get("center"))) n.add("beta");
                        n.add("moving_mean");
                        n.add("moving_variance");
                        yield n;
                    }
                    default -> null;
                };
        if (names != null && names.size() == count) return names;
        List<String> generic = new ArrayList<>();
        for (int i = 0; i < count; i++) generic.add("vars/" + i);
        return generic;
    }

    /** The Keras layer class of a Nerva layer type (the runtime {@code Layer.type()}), or {@code null}. */
    static String kerasClassOfNervaType(String nervaType) {
        return switch (nervaType) {
            case "Dense" -> "Dense";
            case "Conv2D" -> "Conv2D";
            case "BatchNorm", "BatchNormalization" -> "BatchNormalization";
            case "LSTM" -> "LSTM";
            case "GRU" -> "GRU";
            case "SimpleRNN" -> "SimpleRNN";
            case "Embedding" -> "Embedding";
            default -> null;
        };
    }
}
