package io.nerva.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.format.WeightFileException;
import io.nerva.runtime.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Hand-written declarations of the feed-forward fixtures, loaded from each Keras format, predict what Keras predicted. */
class KerasWeightsTest {
    static final List<String> SUFFIXES = Fixtures.SUFFIXES;

    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void denseIris(String suffix) throws IOException {
        check("dense_iris", suffix, FeedForwardNets_DenseIrisModel::forInference);
    }

    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void denseBnDropout(String suffix) throws IOException {
        check("dense_bn_dropout", suffix, FeedForwardNets_DenseBnDropoutModel::forInference);
    }

    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void cnnSmall(String suffix) throws IOException {
        check("cnn_small", suffix, FeedForwardNets_CnnSmallModel::forInference);
    }

    static void check(String fixture, String suffix, Supplier<? extends Model> create) throws IOException {
        Fixtures.Io io = Fixtures.io(fixture);
        try (Model model = create.get()) {
            KerasWeights.Report report = KerasWeights.load(model, Fixtures.file(fixture + suffix));
            assertEquals(List.of(), report.notes(), "the fields are named as the Keras layers");
            Fixtures.assertMatchesKeras(fixture + suffix, io.y(), model.predict(io.x()), 1e-5);
        }
    }

    @Test
    void theReportPairsEachKerasLayerWithItsField() throws IOException {
        try (Model model = FeedForwardNets_DenseBnDropoutModel.forInference()) {
            KerasWeights.Report r = KerasWeights.load(model, Fixtures.file("dense_bn_dropout.keras"));
            assertEquals(
                    List.of("d1", "bn", "out"),
                    r.pairings().stream().map(KerasWeights.Pairing::nervaField).toList());
            assertEquals(
                    List.of("Dense", "BatchNormalization", "Dense"),
                    r.pairings().stream().map(KerasWeights.Pairing::kerasClass).toList());
            assertEquals(
                    List.of("bn.gamma", "bn.beta", "bn.moving_mean", "bn.moving_variance"),
                    r.pairings().get(1).tensors());
            assertEquals(KerasFormat.KERAS_ARCHIVE, r.format());
        }
    }

    // ---------------------------------------------------------------- mismatches: precise, and the model untouched

    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void aShapeOffByOneListsBothSidesAndChangesNothing(String suffix) throws IOException {
        try (Model model = FeedForwardNets_DenseIrisWideModel.create(7)) {
            float[] before = model.parameters().toArray();
            WeightFileException e = assertThrows(
                    WeightFileException.class, () -> KerasWeights.load(model, Fixtures.file("dense_iris" + suffix)));
            String m = e.getMessage();
            assertTrue(m.startsWith(Fixtures.file("dense_iris" + suffix).toString() + ": "), m);
            assertTrue(m.contains("nothing was loaded"), m);
            assertTrue(m.contains("Keras 'hidden' (Dense) [kernel [4, 8], bias [8]]"), m);
            assertTrue(m.contains("Nerva field 'hidden' (Dense) [hidden.kernel [4, 9], hidden.bias [9]]"), m);
            assertTrue(m.contains("shape differs: Keras kernel [4, 8] vs Nerva hidden.kernel [4, 9]"), m);
            assertTrue(m.contains("shape differs: Keras kernel [8, 3] vs Nerva out.kernel [9, 3]"), m);
            assertEquals("hidden.kernel", e.tensor());
            // out.bias [3] fits and was staged, but nothing reaches the model on failure.
            assertArrayEquals(before, model.parameters().toArray());
        }
    }

    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void aWrongLayerCountSaysWhichSideHasMore(String suffix) throws IOException {
        try (Model model = FeedForwardNets_DenseIrisDeeperModel.create(3)) {
            float[] before = model.parameters().toArray();
            WeightFileException e = assertThrows(
                    WeightFileException.class, () -> KerasWeights.load(model, Fixtures.file("dense_iris" + suffix)));
            assertTrue(
                    e.getMessage().contains("2 Keras layers with weights, 3 Nerva fields with parameters"),
                    e.getMessage());
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "#3 Keras (none)  ->  Nerva field 'extra' (Dense) [extra.kernel [3, 3], extra.bias [3]]"
                                            + "   <-- no Keras layer with weights left for this field"),
                    e.getMessage());
            assertArrayEquals(before, model.parameters().toArray());
        }
    }

    @Test
    void aMissingBiasIsATensorCountMismatch() throws IOException {
        try (Model model = FeedForwardNets_DenseIrisNoBiasModel.create(3)) {
            WeightFileException e = assertThrows(
                    WeightFileException.class, () -> KerasWeights.load(model, Fixtures.file("dense_iris.h5")));
            assertTrue(e.getMessage().contains("Keras has 2 tensors, Nerva 1"), e.getMessage());
        }
    }

    @Test
    void aKindMismatchIsNamed() throws IOException {
        try (Model model = FeedForwardNets_DenseBnBnModel.create(3)) {
            float[] before = model.parameters().toArray();
            WeightFileException e = assertThrows(
                    WeightFileException.class, () -> KerasWeights.load(model, Fixtures.file("dense_bn_dropout.keras")));
            assertTrue(e.getMessage().contains("#3 Keras 'out' (Dense)"), e.getMessage());
            assertTrue(
                    e.getMessage().contains("kind differs: Keras Dense into Nerva BatchNormalization"), e.getMessage());
            assertArrayEquals(before, model.parameters().toArray());
        }
    }

    @Test
    void differentNamesLoadByOrderAndAreReported() throws IOException {
        Fixtures.Io io = Fixtures.io("dense_iris");
        try (Model model = FeedForwardNets_DenseIrisRenamedModel.forInference()) {
            KerasWeights.Report r = KerasWeights.load(model, Fixtures.file("dense_iris.keras"));
            assertEquals(
                    List.of(
                            "Keras layer 'hidden' -> field 'first': names differ, matched by order",
                            "Keras layer 'out' -> field 'second': names differ, matched by order"),
                    r.notes());
            assertTrue(r.toString().contains("Keras 'hidden' (Dense) -> field 'first' (Dense)"), r.toString());
            Fixtures.assertMatchesKeras("renamed", io.y(), model.predict(io.x()), 1e-5);
        }
    }

    @Test
    void swappedNamesAreFlaggedAsAPossibleOrderMistake() throws IOException {
        try (Model model = FeedForwardNets_DenseIrisSwappedModel.forInference()) {
            KerasWeights.Report r = KerasWeights.load(model, Fixtures.file("dense_iris.h5"));
            assertEquals(
                    List.of(
                            "Keras layer 'hidden' -> field 'out': names differ, matched by order; the network also has "
                                    + "a field named 'hidden' at another position — is the order right?",
                            "Keras layer 'out' -> field 'hidden': names differ, matched by order; the network also has a field named "
                                    + "'out' at another position — is the order right?"),
                    r.notes());
        }
    }

    @Test
    void aWeightsOnlyFileIsMatchedByKerasObjectPathsNotByItsSortedOrder() throws IOException {
        // cnn_small.weights.h5 sorts conv2d, conv2d_1, dense: the same as the model order by luck; dense_bn_dropout's
        // sorts batch_normalization before dense, which only matching by object path gets right.
        try (Model model = FeedForwardNets_DenseBnDropoutModel.forInference()) {
            KerasWeights.Report r = KerasWeights.load(model, Fixtures.file("dense_bn_dropout.weights.h5"));
            assertEquals(
                    List.of("d1", "bn", "out"),
                    r.pairings().stream().map(KerasWeights.Pairing::kerasLayer).toList());
        }
    }

    /** Keras 2's save_weights("m.h5"): root attribute layer_names, datasets named "kernel:0", in order. */
    @Test
    void aKeras2WeightsFile(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        KerasModel source = KerasReader.read(Fixtures.file("dense_iris.keras"));
        Path f = dir.resolve("keras2.h5");
        try (io.jhdf.WritableHdfFile w = io.jhdf.HdfFile.write(f)) {
            w.putAttribute("layer_names", new String[] {"hidden", "out"});
            w.putAttribute("keras_version", "2.15.0");
            for (KerasLayer l : source.weightedLayers()) {
                io.jhdf.api.WritableGroup g = w.putGroup(l.name());
                g.putAttribute("weight_names", new String[] {l.name() + "/kernel:0", l.name() + "/bias:0"});
                io.jhdf.api.WritableGroup inner = g.putGroup(l.name());
                int[] k = l.weights().get(0).shape();
                float[][] kernel = new float[k[0]][k[1]];
                for (int i = 0; i < k[0]; i++)
                    System.arraycopy(l.weights().get(0).values(), i * k[1], kernel[i], 0, k[1]);
                inner.putDataset("kernel:0", kernel);
                inner.putDataset("bias:0", l.weights().get(1).values());
            }
        }
        KerasModel read = KerasReader.read(f);
        assertEquals(KerasFormat.LEGACY_WEIGHTS_H5, read.format());
        assertEquals("2.15.0", read.kerasVersion());
        assertEquals(
                List.of("kernel", "bias"),
                read.layers().getFirst().weights().stream()
                        .map(KerasWeight::name)
                        .toList());
        Fixtures.Io io = Fixtures.io("dense_iris");
        try (Model model = FeedForwardNets_DenseIrisModel.forInference()) {
            KerasWeights.load(model, f);
            Fixtures.assertMatchesKeras("Keras 2 weights", io.y(), model.predict(io.x()), 1e-5);
        }
    }

    @Test
    void aFileThatIsNotKerasLeavesTheModelUntouched() throws IOException {
        try (Model model = FeedForwardNets_DenseIrisModel.create(5)) {
            float[] before = model.parameters().toArray();
            Path notKeras = Fixtures.file("dense_iris.io.json");
            WeightFileException e = assertThrows(WeightFileException.class, () -> KerasWeights.load(model, notKeras));
            assertTrue(e.getMessage().contains("not a Keras file"), e.getMessage());
            assertArrayEquals(before, model.parameters().toArray());
        }
    }
}
