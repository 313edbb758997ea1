package io.nerva.keras;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link KerasReader} found in a Keras file: the layers, in order when the format records it, with their
 * configs and weights. The three formats of one model give the same layers with the same weights; only
 * a weights-only file lacks the configs and the order across classes.
 *
 * @param source       the file read
 * @param format       which of Keras' formats it is
 * @param modelClass   {@code Sequential}, {@code Functional}, ...; {@code null} without an architecture
 * @param name         the model's name in Keras (or {@code null})
 * @param kerasVersion the Keras version that wrote it, when recorded (or {@code null})
 * @param layers       the layers; with an architecture, as listed in it (including the {@code InputLayer});
 *                     for {@link KerasFormat#WEIGHTS_H5}, sorted by object path
 * @param modelConfig  the model's whole {@code config} object (or an empty map)
 */
public record KerasModel(
        Path source,
        KerasFormat format,
        String modelClass,
        String name,
        String kerasVersion,
        List<KerasLayer> layers,
        java.util.Map<String, Object> modelConfig) {

    public KerasModel {
        layers = List.copyOf(layers);
        modelConfig = modelConfig == null ? java.util.Map.of() : modelConfig;
    }

    /** The layers that have weights, in the model's order (see {@link #layers()}). */
    public List<KerasLayer> weightedLayers() {
        return layers.stream().filter(KerasLayer::hasWeights).toList();
    }

    /** Number of float weights in all layers. */
    public long weightCount() {
        long n = 0;
        for (KerasLayer l : layers) for (KerasWeight w : l.weights()) n += w.values().length;
        return n;
    }
}
