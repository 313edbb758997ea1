package io.nerva.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The three files of every fixture read into the same layers and the same weights. */
class KerasReaderTest {
    static final List<String> ALL = Fixtures.ALL;

    @ParameterizedTest
    @FieldSource("ALL")
    void allThreeFormatsGiveTheSameWeights(String name) throws IOException {
        KerasModel archive = KerasReader.read(Fixtures.file(name + ".keras"));
        KerasModel legacy = KerasReader.read(Fixtures.file(name + ".h5"));
        KerasModel weightsOnly = KerasReader.read(Fixtures.file(name + ".weights.h5"));
        assertEquals(KerasFormat.KERAS_ARCHIVE, archive.format());
        assertEquals(KerasFormat.LEGACY_H5, legacy.format());
        assertEquals(KerasFormat.WEIGHTS_H5, weightsOnly.format());
        assertEquals("Sequential", archive.modelClass());
        assertEquals("Sequential", legacy.modelClass());
        assertEquals(name, archive.name());
        assertEquals(name, legacy.name());
        assertEquals(name, weightsOnly.name());
        assertEquals("3.15.1", archive.kerasVersion());
        assertEquals("3.15.1", legacy.kerasVersion());

        // Same layers, in the same order, with the same classes, names and configs.
        assertEquals(
                archive.layers().stream().map(KerasLayer::name).toList(),
                legacy.layers().stream().map(KerasLayer::name).toList());
        assertEquals(
                archive.layers().stream().map(KerasLayer::className).toList(),
                legacy.layers().stream().map(KerasLayer::className).toList());
        assertEquals("InputLayer", archive.layers().getFirst().className());

        List<KerasLayer> a = archive.weightedLayers(), l = legacy.weightedLayers();
        assertEquals(a.size(), l.size());
        Map<String, KerasLayer> byPath =
                weightsOnly.weightedLayers().stream().collect(Collectors.toMap(KerasLayer::path, Function.identity()));
        assertEquals(a.size(), byPath.size(), "weights-only layers " + byPath.keySet());
        for (int i = 0; i < a.size(); i++) {
            KerasLayer fromArchive = a.get(i), fromLegacy = l.get(i);
            KerasLayer fromWeights = byPath.get(fromArchive.path());
            assertNotNull(fromWeights, fromArchive.path() + " in " + byPath.keySet());
            assertEquals(fromArchive.name(), fromWeights.name(), "vars@name of " + fromArchive.path());
            assertEquals(
                    fromArchive.className(), fromWeights.className(), "class recovered from " + fromArchive.path());
            sameWeights(fromArchive, fromLegacy);
            sameWeights(fromArchive, fromWeights);
        }
    }

    private static void sameWeights(KerasLayer expected, KerasLayer actual) {
        assertEquals(expected.weights().size(), actual.weights().size(), expected.describe());
        for (int t = 0; t < expected.weights().size(); t++) {
            KerasWeight e = expected.weights().get(t), w = actual.weights().get(t);
            // The legacy file names its datasets; the archive's names come from Keras' conventions: they must agree.
            assertEquals(e.name(), w.name(), expected.describe() + " tensor " + t);
            assertArrayEquals(e.shape(), w.shape(), expected.describe() + " " + e.name());
            assertArrayEquals(e.values(), w.values(), expected.describe() + " " + e.name());
        }
    }

    @Test
    void theArchiveOfDenseBnDropoutAsKerasWroteIt() throws IOException {
        KerasModel m = KerasReader.read(Fixtures.file("dense_bn_dropout.keras"));
        assertEquals(
                List.of("InputLayer", "Dense", "BatchNormalization", "Activation", "Dropout", "Dense"),
                m.layers().stream().map(KerasLayer::className).toList());
        assertEquals(
                List.of("d1", "bn", "out"),
                m.weightedLayers().stream().map(KerasLayer::name).toList());
        assertEquals(
                List.of("layers/dense", "layers/batch_normalization", "layers/dense_1"),
                m.weightedLayers().stream().map(KerasLayer::path).toList());
        KerasLayer bn = m.weightedLayers().get(1);
        assertEquals(
                List.of("gamma", "beta", "moving_mean", "moving_variance"),
                bn.weights().stream().map(KerasWeight::name).toList());
        assertEquals("layers/batch_normalization/vars/3", bn.weights().get(3).path());
        assertEquals(0.001, (Double) bn.config().get("epsilon"), 0);
        KerasLayer act = m.layers().get(3); // layers without weights keep their place, path and config
        assertEquals("layers/activation", act.path());
        assertEquals("relu", act.config().get("activation"));
        assertFalse(act.hasWeights());
    }

    @Test
    void recurrentWeightsLiveInTheCellGroup() throws IOException {
        KerasModel m = KerasReader.read(Fixtures.file("gru_default.keras"));
        KerasLayer gru = m.weightedLayers().getFirst();
        assertEquals(
                List.of("kernel", "recurrent_kernel", "bias"),
                gru.weights().stream().map(KerasWeight::name).toList());
        assertEquals("layers/gru/cell/vars/2", gru.weights().get(2).path());
        assertArrayEquals(new int[] {2, 15}, gru.weights().get(2).shape()); // reset_after: input and recurrent bias
        KerasModel legacy = KerasReader.read(Fixtures.file("gru_default.h5"));
        assertEquals(
                "model_weights/gru/gru_default/gru/gru_cell/bias",
                legacy.weightedLayers().getFirst().weights().get(2).path());
    }

    @Test
    void aWeightsOnlyFileHasNoArchitecture() throws IOException {
        KerasModel m = KerasReader.read(Fixtures.file("cnn_small.weights.h5"));
        assertNull(m.modelClass());
        assertFalse(m.format().ordered());
        assertEquals(
                List.of("layers/conv2d", "layers/conv2d_1", "layers/dense", "layers/flatten", "layers/max_pooling2d"),
                m.layers().stream().map(KerasLayer::path).toList());
        assertEquals(
                List.of("c1", "c2", "out", "flat", "p1"),
                m.layers().stream().map(KerasLayer::name).toList());
        assertEquals(
                List.of("Conv2D", "Conv2D", "Dense", "Flatten", "MaxPooling2D"),
                m.layers().stream().map(KerasLayer::className).toList());
        assertEquals(0, m.layers().getFirst().config().size());
    }

    @Test
    void snakeCaseAsKeras() {
        assertEquals("batch_normalization", KerasNames.snakeCase("BatchNormalization"));
        assertEquals("simple_rnn", KerasNames.snakeCase("SimpleRNN"));
        assertEquals("conv2d", KerasNames.snakeCase("Conv2D"));
        assertEquals("max_pooling2d", KerasNames.snakeCase("MaxPooling2D"));
        assertEquals("lstm", KerasNames.snakeCase("LSTM"));
        assertEquals("global_average_pooling2d", KerasNames.snakeCase("GlobalAveragePooling2D"));
    }
}
