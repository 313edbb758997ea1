package io.nerva.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.nerva.format.WeightFileException;
import io.nerva.runtime.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not (whole) Keras files, and Keras models Nerva cannot express: each a precise error. */
class KerasErrorsTest {

    // ---------------------------------------------------------------- readers

    private static String readError(Path file) {
        WeightFileException e = assertThrows(WeightFileException.class, () -> KerasReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aTruncatedArchive(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.file("dense_iris.keras"));
        Path half = Files.write(dir.resolve("half.keras"), java.util.Arrays.copyOf(all, all.length / 2));
        String m = readError(half);
        assertTrue(
                m.contains("starts like a .keras archive (zip) but is not a complete zip file (truncated or corrupt?)"),
                m);
    }

    @Test
    void aTruncatedHdf5File(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.file("dense_iris.h5"));
        Path cut = Files.write(dir.resolve("cut.h5"), java.util.Arrays.copyOf(all, 3000));
        String m = readError(cut);
        assertTrue(m.contains("truncated or corrupt"), m);
    }

    @Test
    void foreignAndEmptyFiles(@TempDir Path dir) throws IOException {
        String m = readError(Files.writeString(dir.resolve("notes.keras"), "hello"));
        assertTrue(
                m.contains("not a Keras file: expected a .keras archive (a zip, starting with 'PK') or an HDF5 file"),
                m);
        assertTrue(m.endsWith("but it starts with 'hello'"), m);
        assertTrue(
                readError(Files.write(dir.resolve("empty.h5"), new byte[0])).endsWith("nothing (the file is empty)"));
        assertTrue(readError(dir.resolve("absent.keras")).endsWith("no such file"));
    }

    @Test
    void anHdf5FileKerasDidNotWrite(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("other.h5");
        try (WritableHdfFile w = HdfFile.write(f)) {
            w.putGroup("images").putDataset("x", new float[] {1, 2});
        }
        String m = readError(f);
        assertTrue(m.contains("an HDF5 file, but not one Keras wrote: expected a root attribute 'model_config'"), m);
        assertTrue(m.contains("it has groups/datasets [images]"), m);
    }

    @Test
    void nonFloat32Weights(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("f64.weights.h5");
        try (WritableHdfFile w = HdfFile.write(f)) {
            WritableGroup vars = w.putGroup("layers").putGroup("dense").putGroup("vars");
            vars.putAttribute("name", "hidden");
            vars.putDataset("0", new double[][] {{1, 2}, {3, 4}});
        }
        String m = readError(f);
        assertTrue(m.contains("dataset 'layers/dense/vars/0' holds float64 values; Nerva reads float32 weights"), m);
    }

    @Test
    void anArchiveWithoutItsWeights(@TempDir Path dir) throws IOException {
        Path f = rezip(dir.resolve("noweights.keras"), Map.of("model.weights.h5", new byte[0]), true);
        String m = readError(f);
        assertTrue(m.contains("the .keras archive has no 'model.weights.h5' (it has [metadata.json, config.json])"), m);
    }

    @Test
    void anArchiveWhoseWeightsLackALayerGroup(@TempDir Path dir) throws IOException {
        // dense_iris's config with weights that hold only the first Dense (layers/dense, not layers/dense_1).
        Path h5 = dir.resolve("w.h5");
        try (WritableHdfFile w = HdfFile.write(h5)) {
            WritableGroup vars = w.putGroup("layers").putGroup("dense").putGroup("vars");
            vars.putAttribute("name", "hidden");
            vars.putDataset("0", new float[4][8]);
            vars.putDataset("1", new float[8]);
        }
        Path f = rezip(dir.resolve("missing.keras"), Map.of("model.weights.h5", Files.readAllBytes(h5)), false);
        String m = readError(f);
        assertTrue(
                m.contains(
                        "!model.weights.h5: layer 'out' (Dense) has no group 'layers/dense_1' in the weights; 'layers' has [dense]"),
                m);
    }

    @Test
    void aLegacyFileWithoutModelWeights(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("config-only.h5");
        String config = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"x\", \"layers\": []}}";
        try (WritableHdfFile w = HdfFile.write(f)) {
            w.putAttribute("model_config", config);
            w.putGroup("optimizer_weights");
        }
        String m = readError(f);
        assertTrue(m.contains("legacy Keras .h5 file without the group 'model_weights'"), m);
    }

    /** A copy of dense_iris.keras with entries replaced ({@code drop}: removed instead). */
    private static Path rezip(Path target, Map<String, byte[]> replace, boolean drop) throws IOException {
        try (ZipFile in = new ZipFile(Fixtures.file("dense_iris.keras").toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry e : in.stream().toList()) {
                byte[] data = replace.containsKey(e.getName())
                        ? replace.get(e.getName())
                        : in.getInputStream(e).readAllBytes();
                if (drop && replace.containsKey(e.getName())) continue;
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(data);
                out.closeEntry();
            }
        }
        return target;
    }

    @Test
    void aTruncatedFileLeavesTheModelUntouched(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.file("dense_iris.weights.h5"));
        Path cut = Files.write(dir.resolve("cut.weights.h5"), java.util.Arrays.copyOf(all, all.length - 4000));
        try (Model model = FeedForwardNets_DenseIrisModel.create(11)) {
            float[] before = model.parameters().toArray();
            assertThrows(WeightFileException.class, () -> KerasWeights.load(model, cut));
            assertArrayEquals(before, model.parameters().toArray());
        }
    }

    // ---------------------------------------------------------------- converter

    private static Map<String, Object> cfg(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static KerasLayer layer(String cls, String name, Map<String, Object> config) {
        Map<String, Object> c = new LinkedHashMap<>(config);
        c.put("name", name);
        return new KerasLayer(cls, name, null, c, List.of());
    }

    private static KerasModel sequential(String modelClass, KerasLayer... layers) {
        List<KerasLayer> all = new ArrayList<>();
        all.add(layer(
                "InputLayer",
                "input",
                cfg("batch_shape", java.util.Arrays.asList(null, 8.0, 3.0), "dtype", "float32")));
        all.addAll(List.of(layers));
        return new KerasModel(
                Path.of("made.keras"), KerasFormat.KERAS_ARCHIVE, modelClass, "made", "3.15.1", all, Map.of());
    }

    private static List<String> unsupported(KerasModel m) {
        UnsupportedKerasModelException e =
                assertThrows(UnsupportedKerasModelException.class, () -> KerasConverter.translate(m, "p", "Made"));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "made.keras: Nerva cannot express " + e.items().size() + " part"),
                e.getMessage());
        assertTrue(e.getMessage().contains("(nothing was written)"), e.getMessage());
        return e.items().stream().map(Object::toString).toList();
    }

    @Test
    void everyUnsupportedItemIsListedWithItsPlace() {
        List<String> items = unsupported(sequential(
                "Sequential",
                layer(
                        "LSTM",
                        "rnn",
                        cfg(
                                "units",
                                4.0,
                                "return_sequences",
                                true,
                                "dropout",
                                0.2,
                                "recurrent_dropout",
                                0.1,
                                "stateful",
                                true,
                                "activation",
                                "relu6")),
                layer("Lambda", "lam", cfg("function", "lambda x: x * 2")),
                layer("Conv1D", "causal", cfg("filters", 2.0, "kernel_size", List.of(3.0), "padding", "causal")),
                layer("Flatten", "flat", cfg("data_format", "channels_first")),
                layer(
                        "Dense",
                        "mine",
                        cfg(
                                "units",
                                2.0,
                                "activation",
                                Map.of(
                                        "module",
                                        "my_project",
                                        "class_name",
                                        "function",
                                        "config",
                                        "my_act",
                                        "registered_name",
                                        "function"))),
                layer("Dense", "head", cfg("units", 2.0, "activation", "softmax", "lora_rank", 4.0))));
        assertEquals(
                List.of(
                        "layer #2 'rnn' (LSTM), option activation: activation 'relu6' has no exact Nerva counterpart",
                        "layer #2 'rnn' (LSTM), option dropout: dropout=0.2 inside the recurrent layer is not supported (use a Dropout layer before it)",
                        "layer #2 'rnn' (LSTM), option recurrent_dropout: recurrent_dropout=0.1 is not supported",
                        "layer #2 'rnn' (LSTM), option stateful: stateful=true is not supported (only false)",
                        "layer #3 'lam' (Lambda): a Lambda layer holds arbitrary Python code, which cannot be translated",
                        "layer #4 'causal' (Conv1D): Nerva has no layer for Keras' Conv1D",
                        "layer #5 'flat' (Flatten), option data_format: data_format='channels_first': Nerva is channels_last (NHWC) only",
                        "layer #6 'mine' (Dense), option activation: custom activation 'my_act' from module 'my_project', whose code is not in the file",
                        "layer #7 'head' (Dense), option lora_rank: lora_rank=4 is not supported"),
                items);
    }

    @Test
    void preluIsNamedAsNotTranslatedRatherThanMissing() {
        List<String> items = unsupported(sequential(
                "Sequential",
                layer("Dense", "hidden", cfg("units", 4.0)),
                layer("PReLU", "slopes", cfg("shared_axes", null))));
        assertEquals(
                List.of("layer #3 'slopes' (PReLU): PReLU is not translated by the import; Nerva's @PReLU computes the "
                        + "same (without shared_axes): declare it by hand and load its alpha as <field>.alpha"),
                items);
    }

    @Test
    void customLayersAndFunctionalBranches() {
        KerasLayer custom = new KerasLayer(
                "Scale",
                "scale",
                null,
                cfg("name", "scale", "__module", "my_project.layers", "__registered_name", "MyProject>Scale"),
                List.of());
        Map<String, Object> fromInput = Map.of(
                "args",
                List.of(Map.of(
                        "class_name",
                        "__keras_tensor__",
                        "config",
                        Map.of("keras_history", List.of("input", 0.0, 0.0)))));
        KerasLayer a = layer("Dense", "a", cfg("units", 2.0, "__inbound_nodes", List.of(fromInput)));
        KerasLayer b = layer("Dense", "b", cfg("units", 2.0, "__inbound_nodes", List.of(fromInput)));
        Map<String, Object> both = Map.of(
                "args",
                List.of(List.of(
                        Map.of("config", Map.of("keras_history", List.of("a", 0.0, 0.0))),
                        Map.of("config", Map.of("keras_history", List.of("b", 0.0, 0.0))))));
        KerasLayer add = layer("Add", "sum", cfg("__inbound_nodes", List.of(both)));
        List<String> items = unsupported(sequential("Functional", custom, a, b, add));
        assertEquals(
                "model (Functional): Functional is not a Sequential model; Nerva networks are a single chain of layers"
                        + " (rebuild it as keras.Sequential if it is one); branches: 'sum' (Add) takes [a, b], 'input' feeds 2 layers",
                items.getFirst());
        assertTrue(
                items.contains(
                        "layer #2 'scale' (Scale): a custom object (registered as 'MyProject>Scale'), whose code is not in the file"),
                items.toString());
        assertTrue(items.contains("layer #5 'sum' (Add): Nerva has no layer for Keras' Add"), items.toString());
    }

    @Test
    void activationsMapToWhatKerasComputes() throws Exception {
        KerasModel m = new KerasModel(
                Path.of("acts.keras"),
                KerasFormat.KERAS_ARCHIVE,
                "Sequential",
                "acts",
                "3.15.1",
                List.of(
                        layer("InputLayer", "in", cfg("batch_shape", java.util.Arrays.asList(null, 4.0))),
                        layer("Dense", "g", cfg("units", 4.0, "activation", "gelu")),
                        layer("LeakyReLU", "leaky_layer", cfg("negative_slope", 0.3)),
                        layer("Dense", "lf", cfg("units", 4.0, "activation", "leaky_relu")),
                        layer("Activation", "hs", cfg("activation", "hard_sigmoid")),
                        layer("Activation", "sw", cfg("activation", "silu")),
                        layer("ELU", "e", cfg("alpha", 0.5)),
                        layer("ReLU", "r", cfg("max_value", null, "negative_slope", 0.0, "threshold", 0.0)),
                        layer("Dense", "lin", cfg("units", 2.0, "activation", "linear", "use_bias", false))),
                Map.of());
        String src = KerasConverter.translate(m, "", "Acts").source(null);
        assertTrue(src.contains("@Dense(4) @Activation(ActivationType.GELU_EXACT) Layer g;"), src);
        assertTrue(src.contains("@Activation(value = ActivationType.LEAKY_RELU, alpha = 0.3) Layer leaky_layer;"), src);
        assertTrue(
                src.contains("@Dense(4) @Activation(value = ActivationType.LEAKY_RELU, alpha = 0.2) Layer lf;"), src);
        assertTrue(src.contains("@Activation(ActivationType.HARD_SIGMOID) Layer hs;"), src);
        assertTrue(src.contains("@Activation(ActivationType.SWISH) Layer sw;"), src);
        assertTrue(src.contains("@Activation(value = ActivationType.ELU, alpha = 0.5) Layer e;"), src);
        assertTrue(src.contains("@Activation(ActivationType.RELU) Layer r;"), src);
        assertTrue(src.contains("@Dense(value = 2, useBias = false) Layer lin;"), src);
        assertTrue(src.startsWith("import io.nerva.annotations.Activation;"), src);

        // Keras 2's hard_sigmoid is another function.
        KerasModel keras2 = new KerasModel(
                Path.of("old.h5"),
                KerasFormat.LEGACY_H5,
                "Sequential",
                "old",
                "2.15.0",
                List.of(
                        layer("InputLayer", "in", cfg("batch_input_shape", java.util.Arrays.asList(null, 4.0))),
                        layer("Dense", "d", cfg("units", 4.0, "activation", "hard_sigmoid"))),
                Map.of());
        UnsupportedKerasModelException e =
                assertThrows(UnsupportedKerasModelException.class, () -> KerasConverter.translate(keras2, "", "Old"));
        assertTrue(e.getMessage().contains("Keras 2's hard_sigmoid is clip(0.2x + 0.5, 0, 1)"), e.getMessage());
    }

    @Test
    void recurrentOptionsAreCarriedOver() throws Exception {
        KerasModel m = sequential(
                "Sequential",
                layer(
                        "GRU",
                        "g",
                        cfg(
                                "units",
                                3.0,
                                "reset_after",
                                false,
                                "go_backwards",
                                true,
                                "return_sequences",
                                true,
                                "activation",
                                "relu",
                                "recurrent_activation",
                                "hard_sigmoid",
                                "use_bias",
                                false,
                                "unroll",
                                true)),
                layer("LSTM", "l", cfg("units", 2.0, "unit_forget_bias", false, "activation", "linear")),
                layer("Dense", "seq", cfg("units", 2.0)));
        String src = KerasConverter.translate(m, "p", "Made").source(null);
        assertTrue(
                src.contains(
                        "@GRU(value = 3, activation = ActivationType.RELU, recurrentActivation = ActivationType.HARD_SIGMOID, "
                                + "useBias = false, returnSequences = true, goBackwards = true, resetAfter = false) Layer g;"),
                src);
        assertTrue(
                src.contains("@LSTM(value = 2, activation = ActivationType.LINEAR, unitForgetBias = false) Layer l;"),
                src);
        assertTrue(src.contains("@Network(input = {8, 3})"), src);
    }

    @Test
    void shapeProblemsAreCaughtBeforeJavac() {
        KerasModel image = new KerasModel(
                Path.of("made.keras"),
                KerasFormat.KERAS_ARCHIVE,
                "Sequential",
                "made",
                "3.15.1",
                List.of(
                        layer("InputLayer", "in", cfg("batch_shape", java.util.Arrays.asList(null, 6.0, 6.0, 2.0))),
                        layer("Conv2D", "img", cfg("filters", 2.0, "kernel_size", List.of(3.0, 3.0), "groups", 2.0)),
                        layer("Dense", "per_pixel", cfg("units", 2.0))),
                Map.of());
        List<String> items = unsupported(image);
        assertEquals(
                List.of(
                        "layer #2 'img' (Conv2D), option groups: groups=2 is not supported (only 1)",
                        "layer #3 'per_pixel' (Dense): a Dense on a rank-3 input (an image); Nerva's @Dense takes a flat input or a "
                                + "sequence (add a Flatten first)"),
                items);
        List<String> sequence =
                unsupported(sequential("Sequential", layer("Conv2D", "c", cfg("filters", 2.0, "kernel_size", 3.0))));
        assertEquals(
                List.of(
                        "layer #2 'c' (Conv2D): Conv2D needs an image (height, width, channels), but its input has rank 2"),
                sequence);
    }

    /** Keras applies Dense and softmax to the last axis of a sequence; so does Nerva. */
    @Test
    void aDenseOnASequenceIsPerStep() throws Exception {
        String src = KerasConverter.translate(
                        sequential(
                                "Sequential",
                                layer("GRU", "g", cfg("units", 4.0, "return_sequences", true)),
                                layer("Dense", "per_step", cfg("units", 3.0, "activation", "softmax"))),
                        "p",
                        "Made")
                .source(null);
        assertTrue(src.contains("@GRU(value = 4, returnSequences = true) Layer g;"), src);
        assertTrue(src.contains("@Dense(3) @Activation(ActivationType.SOFTMAX) Layer per_step;"), src);
        com.google.testing.compile.CompilationSubject.assertThat(com.google.testing.compile.Compiler.javac()
                        .withProcessors(new io.nerva.processor.NetworkProcessor())
                        .compile(com.google.testing.compile.JavaFileObjects.forSourceString("p.Made", src)))
                .succeeded();
    }

    @Test
    void variableInputSizesAndIntegerInputsWithoutEmbedding() {
        KerasModel m = new KerasModel(
                Path.of("made.keras"),
                KerasFormat.KERAS_ARCHIVE,
                "Sequential",
                "made",
                "3.15.1",
                List.of(
                        layer(
                                "InputLayer",
                                "in",
                                cfg("batch_shape", java.util.Arrays.asList(null, null, 3.0), "dtype", "int32")),
                        layer("LSTM", "l", cfg("units", 2.0))),
                Map.of());
        List<String> items = unsupported(m);
        assertTrue(
                items.getFirst().contains("has a variable dimension; Nerva needs every size fixed"), items.toString());
        assertTrue(
                items.contains(
                        "layer #2 'l' (LSTM): the model's input is int32, which only an Embedding first layer takes"),
                items.toString());
    }
}
