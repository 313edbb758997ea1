package io.nerva.keras;

import java.util.List;
import java.util.Map;

/**
 * One layer of a Keras model as read from a file.
 *
 * @param className Keras' class name ({@code Dense}, {@code LSTM}, ...); for a weights-only file the class
 *                  recovered from the object path ({@code dense_1} is a {@code Dense}), or {@code null} when unknown
 * @param name      the layer's name in Keras ({@code hidden}, {@code dense_1}, ...)
 * @param path      the layer's group in the weights file ({@code layers/dense_1} or {@code model_weights/hidden}),
 *                  or {@code null} for a layer that has none (the {@code InputLayer})
 * @param config    the layer's {@code config} object from the architecture, as plain Java values (maps, lists,
 *                  {@code Double}, {@code String}, {@code Boolean}, {@code null}); empty for a weights-only file
 * @param weights   its weight arrays in Keras' order ({@code layer.get_weights()}), empty for a layer without
 */
public record KerasLayer(
        String className, String name, String path, Map<String, Object> config, List<KerasWeight> weights) {

    public KerasLayer {
        config = config == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
        weights = List.copyOf(weights);
    }

    public boolean hasWeights() {
        return !weights.isEmpty();
    }

    /** {@code 'name' (Class)}, for messages. */
    public String describe() {
        return "'" + name + "' (" + (className == null ? "class unknown" : className) + ")";
    }
}
