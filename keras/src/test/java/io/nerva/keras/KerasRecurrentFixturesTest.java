package io.nerva.keras;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import io.nerva.processor.NetworkProcessor;
import io.nerva.runtime.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The recurrent fixtures through both routes: hand-written declarations loaded from each Keras format, and
 * generated declarations (compiled by the processor, converted end to end), all predicting Keras' y to 1e-5.
 * Needs the processor's sequence-network support.
 */
class KerasRecurrentFixturesTest {
    static final List<String> SUFFIXES = Fixtures.SUFFIXES;
    static final List<String> RECURRENT =
            List.of("lstm_many_to_one", "lstm_stacked", "gru_default", "simple_rnn_stacked", "embedding_lstm");

    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void lstmManyToOne(String suffix) throws IOException {
        KerasWeightsTest.check("lstm_many_to_one", suffix, RecurrentNets_LstmManyToOneModel::forInference);
    }

    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void lstmStacked(String suffix) throws IOException {
        KerasWeightsTest.check("lstm_stacked", suffix, RecurrentNets_LstmStackedModel::forInference);
    }

    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void gruDefault(String suffix) throws IOException {
        KerasWeightsTest.check("gru_default", suffix, RecurrentNets_GruDefaultModel::forInference);
    }

    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void simpleRnnStacked(String suffix) throws IOException {
        KerasWeightsTest.check("simple_rnn_stacked", suffix, RecurrentNets_SimpleRnnStackedModel::forInference);
    }

    /** Token ids are fed as floats holding whole numbers. */
    @ParameterizedTest
    @FieldSource("SUFFIXES")
    void embeddingLstm(String suffix) throws IOException {
        KerasWeightsTest.check("embedding_lstm", suffix, RecurrentNets_EmbeddingLstmModel::forInference);
    }

    @ParameterizedTest
    @FieldSource("RECURRENT")
    void theGeneratedSourceCompilesWithTheProcessor(String fixture) throws Exception {
        String name = JavaNames.className(fixture);
        KerasConverter.JavaNetwork net = KerasConverter.translate(
                KerasReader.read(Fixtures.file(fixture + ".keras")), "com.example.models", name);
        Compilation c = javac().withProcessors(new NetworkProcessor())
                .compile(JavaFileObjects.forSourceString("com.example.models." + name, net.source(null)));
        assertThat(c).succeededWithoutWarnings();
    }

    @ParameterizedTest
    @FieldSource("RECURRENT")
    void convertWritesWeightsThatReproduceKeras(String fixture, @TempDir Path out) throws Exception {
        KerasToJava.Output o = KerasToJava.convert(
                Fixtures.file(fixture + ".h5"), "com.example.models", JavaNames.className(fixture), out);
        Fixtures.Io io = Fixtures.io(fixture);
        try (Model twin = twin(fixture).get()) {
            twin.load(o.weights()); // same fields and settings as the hand-written twin: same fingerprint
            Fixtures.assertMatchesKeras(fixture + " via KerasToJava", io.y(), twin.predict(io.x()), 1e-5);
        }
    }

    private static Supplier<Model> twin(String fixture) {
        return switch (fixture) {
            case "lstm_many_to_one" -> RecurrentNets_LstmManyToOneModel::forInference;
            case "lstm_stacked" -> RecurrentNets_LstmStackedModel::forInference;
            case "gru_default" -> RecurrentNets_GruDefaultModel::forInference;
            case "simple_rnn_stacked" -> RecurrentNets_SimpleRnnStackedModel::forInference;
            case "embedding_lstm" -> RecurrentNets_EmbeddingLstmModel::forInference;
            default -> throw new IllegalArgumentException(fixture);
        };
    }
}
