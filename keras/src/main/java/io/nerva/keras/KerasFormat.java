package io.nerva.keras;

/** The three ways Keras saves a model, as {@link KerasReader} recognises them by content (not by file name). */
public enum KerasFormat {
    /**
     * Keras 3 archive ({@code model.save("m.keras")}): a zip of {@code config.json} (the architecture),
     * {@code metadata.json} and {@code model.weights.h5}, whose layout is that of {@link #WEIGHTS_H5}.
     */
    KERAS_ARCHIVE,
    /**
     * Legacy whole-model HDF5 ({@code model.save("m.h5")}): root attribute {@code model_config} (JSON),
     * group {@code model_weights} with attribute {@code layer_names}; each layer group has attribute
     * {@code weight_names}, the paths of its datasets relative to that group.
     */
    LEGACY_H5,
    /**
     * Keras 3 weights only ({@code model.save_weights("m.weights.h5")}): group {@code layers/<object path>/vars}
     * with datasets {@code 0, 1, ...}, the object path being Keras' snake-case class name with a per-class
     * counter ({@code dense}, {@code dense_1}, ...); no architecture, and no order across classes.
     */
    WEIGHTS_H5,
    /** Keras 2 weights only ({@code save_weights("m.h5")}): root attribute {@code layer_names}, no architecture. */
    LEGACY_WEIGHTS_H5;

    /** Whether the file records the order of the layers (and so can be matched to a network by position). */
    public boolean ordered() {
        return this != WEIGHTS_H5;
    }

    /** Whether the file has the architecture (layer classes and their settings). */
    public boolean hasArchitecture() {
        return this == KERAS_ARCHIVE || this == LEGACY_H5;
    }
}
