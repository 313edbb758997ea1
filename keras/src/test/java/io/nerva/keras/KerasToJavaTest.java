package io.nerva.keras;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import io.nerva.processor.NetworkProcessor;
import io.nerva.runtime.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Declarations generated from the fixtures: their source, that they compile, and the weights written beside them. */
class KerasToJavaTest {
    static final List<String> ALL = Fixtures.ALL;
    static final List<String> FEED_FORWARD = Fixtures.FEED_FORWARD;

    /** The field lines each fixture must give, from its .keras archive and from its legacy .h5 alike. */
    static final Map<String, List<String>> FIELDS = Map.of(
            "dense_iris",
                    List.of(
                            "@Dense(8) @Activation(ActivationType.RELU) Layer hidden;",
                            "@Dense(3) @Activation(ActivationType.SOFTMAX) Layer out;"),
            "dense_bn_dropout",
                    List.of(
                            "@Dense(10) Layer d1;",
                            "@BatchNorm Layer bn;",
                            "@Activation(ActivationType.RELU) Layer act;",
                            "@Dropout(0.2) Layer drop;",
                            "@Dense(2) @Activation(ActivationType.SIGMOID) Layer out;"),
            "cnn_small",
                    List.of(
                            "@Conv2D(filters = 4, kernel = 3) @Activation(ActivationType.RELU) Layer c1;",
                            "@MaxPool2D(size = 2) Layer p1;",
                            "@Conv2D(filters = 6, kernel = {2, 3}, padding = Padding.SAME) @Activation(ActivationType.TANH) Layer c2;",
                            "@Flatten Layer flat;",
                            "@Dense(3) @Activation(ActivationType.SOFTMAX) Layer out;"),
            "lstm_many_to_one",
                    List.of("@LSTM(6) Layer lstm;", "@Dense(2) @Activation(ActivationType.SOFTMAX) Layer out;"),
            "lstm_stacked",
                    List.of(
                            "@LSTM(value = 4, returnSequences = true) Layer l1;",
                            "@LSTM(3) Layer l2;",
                            "@Dense(1) Layer out;"),
            "gru_default", List.of("@GRU(5) Layer gru;", "@Dense(3) @Activation(ActivationType.SOFTMAX) Layer out;"),
            "simple_rnn_stacked",
                    List.of(
                            "@SimpleRNN(value = 5, returnSequences = true) Layer r1;",
                            "@SimpleRNN(2) Layer r2;",
                            "@Dense(2) Layer out;"),
            "embedding_lstm",
                    List.of(
                            "@Embedding(inputDim = 30, outputDim = 4) Layer emb;",
                            "@LSTM(6) Layer lstm;",
                            "@Dense(2) @Activation(ActivationType.SOFTMAX) Layer out;"));

    static final Map<String, String> INPUTS = Map.of(
            "dense_iris",
            "{4}",
            "dense_bn_dropout",
            "{6}",
            "cnn_small",
            "{12, 12, 2}",
            "lstm_many_to_one",
            "{8, 3}",
            "lstm_stacked",
            "{5, 2}",
            "gru_default",
            "{6, 4}",
            "simple_rnn_stacked",
            "{4, 3}",
            "embedding_lstm",
            "{7}");

    static String className(String fixture) {
        return JavaNames.className(fixture);
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void theGeneratedSourceDeclaresEveryLayer(String fixture) throws Exception {
        for (String suffix : List.of(".keras", ".h5")) {
            KerasConverter.JavaNetwork net = KerasConverter.translate(
                    KerasReader.read(Fixtures.file(fixture + suffix)), "com.example.models", className(fixture));
            String src = net.source(className(fixture) + ".safetensors");
            String fields = String.join(
                    "\n",
                    src.lines()
                            .map(String::strip)
                            .filter(l -> l.endsWith(";") && l.contains(" Layer "))
                            .toList());
            assertEquals(String.join("\n", FIELDS.get(fixture)), fields, fixture + suffix + ":\n" + src);
            assertTrue(src.startsWith("package com.example.models;\n"), src);
            assertTrue(
                    src.contains("@Network(input = " + INPUTS.get(fixture) + ", weights = \"" + className(fixture)
                            + ".safetensors\")\npublic abstract class " + className(fixture) + " {"),
                    src);
            assertTrue(src.contains("Keras model '" + fixture + "' from " + fixture + suffix + " (Keras 3.15.1)"), src);
            assertTrue(src.contains("import io.nerva.runtime.Layer;"), src);
        }
    }

    @ParameterizedTest
    @FieldSource("FEED_FORWARD")
    void theGeneratedFeedForwardSourceCompilesWithTheProcessor(String fixture) throws Exception {
        KerasConverter.JavaNetwork net = KerasConverter.translate(
                KerasReader.read(Fixtures.file(fixture + ".keras")), "com.example.models", className(fixture));
        Compilation c = javac().withProcessors(new NetworkProcessor())
                .compile(JavaFileObjects.forSourceString("com.example.models." + className(fixture), net.source(null)));
        assertThat(c).succeededWithoutWarnings();
        assertThat(c).generatedSourceFile("com.example.models." + className(fixture) + "Model");
    }

    /** The whole command: the class and the weights it writes; the weights load into the hand-written twin and match Keras. */
    @ParameterizedTest
    @FieldSource("FEED_FORWARD")
    void convertWritesAClassAndWeightsThatReproduceKeras(String fixture, @TempDir Path out) throws Exception {
        KerasToJava.Output o =
                KerasToJava.convert(Fixtures.file(fixture + ".keras"), "com.example.models", className(fixture), out);
        assertEquals(out.resolve("java/com/example/models/" + className(fixture) + ".java"), o.source());
        assertEquals(out.resolve("resources/com/example/models/" + className(fixture) + ".safetensors"), o.weights());
        String src = Files.readString(o.source());
        assertTrue(src.contains("weights = \"" + className(fixture) + ".safetensors\""), src);
        // The generated class compiles with its weights resource in place (the processor checks the resource).
        Compilation c = javac().withProcessors(new NetworkProcessor())
                .withOptions("-sourcepath", out.resolve("resources").toString())
                .compile(JavaFileObjects.forSourceString("com.example.models." + className(fixture), src));
        assertThat(c).succeededWithoutWarnings();
        // Same fields, settings and input as the hand-written declaration: same fingerprint, so Model.load accepts it.
        Fixtures.Io io = Fixtures.io(fixture);
        try (Model twin = twin(fixture)) {
            twin.load(o.weights());
            Fixtures.assertMatchesKeras(fixture + " via KerasToJava", io.y(), twin.predict(io.x()), 1e-5);
        }
    }

    private static Model twin(String fixture) {
        return switch (fixture) {
            case "dense_iris" -> FeedForwardNets_DenseIrisModel.forInference();
            case "dense_bn_dropout" -> FeedForwardNets_DenseBnDropoutModel.forInference();
            case "cnn_small" -> FeedForwardNets_CnnSmallModel.forInference();
            default -> throw new IllegalArgumentException(fixture);
        };
    }

    @Test
    void anUnsupportedModelWritesNothing(@TempDir Path dir) throws Exception {
        // dense_iris.keras with its output activation changed to one Nerva lacks.
        Path file = dir.resolve("relu6.keras");
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(
                        Fixtures.file("dense_iris.keras").toFile());
                java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            for (java.util.zip.ZipEntry e : in.stream().toList()) {
                byte[] data = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("config.json")) {
                    data = new String(data, java.nio.charset.StandardCharsets.UTF_8)
                            .replace("\"activation\": \"softmax\"", "\"activation\": \"relu6\"")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                zip.write(data);
                zip.closeEntry();
            }
        }
        Path out = dir.resolve("out");
        UnsupportedKerasModelException e =
                assertThrows(UnsupportedKerasModelException.class, () -> KerasToJava.convert(file, "p", "Iris", out));
        assertEquals(
                "relu6.keras: Nerva cannot express 1 part of this Keras model (nothing was written):\n"
                        + "  - layer #3 'out' (Dense), option activation: activation 'relu6' has no exact Nerva counterpart",
                e.getMessage());
        assertTrue(Files.notExists(out), "nothing written");
    }

    @Test
    void aWeightsOnlyFileCannotBeConverted(@TempDir Path out) {
        UnsupportedKerasModelException e = assertThrows(
                UnsupportedKerasModelException.class,
                () -> KerasToJava.convert(Fixtures.file("dense_iris.weights.h5"), "p", "DenseIris", out));
        assertTrue(e.getMessage().contains("a weights-only file has no architecture to translate"), e.getMessage());
    }

    @Test
    void badNamesAreRefusedBeforeAnythingIsRead(@TempDir Path out) {
        assertThrows(
                IllegalArgumentException.class,
                () -> KerasToJava.convert(Fixtures.file("dense_iris.keras"), "p", "class", out));
        assertThrows(
                IllegalArgumentException.class,
                () -> KerasToJava.convert(Fixtures.file("dense_iris.keras"), "1p", "A", out));
    }

    @Test
    void javaNames() {
        assertEquals("DenseIris", JavaNames.className("dense_iris"));
        assertEquals("dense_1", JavaNames.field("dense_1"));
        assertEquals("conv_a_b", JavaNames.field("conv-a.b"));
        assertEquals("_1st", JavaNames.field("1st"));
        assertEquals("class_", JavaNames.field("class"));
        assertArrayEquals(new String[0], new String[0]);
    }
}
