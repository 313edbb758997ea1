package io.nerva.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.nerva.processor.Sources.compile;
import static io.nerva.processor.Sources.network;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import io.nerva.runtime.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Generated sequence networks: backward through time against central finite differences of the
 * generated forward pass, for every recurrent kind and option, stacked (so the input gradient of
 * the upper layer feeds the lower one) and under Embedding.
 */
class SequenceNetworkTest {

    private static Model create(String header, String... fields) throws Exception {
        Compilation c = compile(network(header, fields));
        assertThat(c).succeeded();
        return new GeneratedClassLoader(c).create("test.NetModel", 5L);
    }

    private static final String SEQ = "@Network(input = {4, 3}) abstract class Net";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "@SimpleRNN(value = 5, returnSequences = true) Layer r1;|@SimpleRNN(3) Layer r2;",
                "@SimpleRNN(value = 5, goBackwards = true, activation = ActivationType.SIGMOID) Layer r1;|@Dense(2) Layer out;",
                "@LSTM(value = 5, returnSequences = true) Layer l1;|@LSTM(3) Layer l2;",
                "@LSTM(value = 5, goBackwards = true, returnSequences = true) Layer l1;|@Flatten Layer flat;|@Dense(2) Layer out;",
                "@LSTM(value = 4, useBias = false, unitForgetBias = false) Layer l1;|@Dense(2) Layer out;",
                "@LSTM(value = 4, recurrentActivation = ActivationType.HARD_SIGMOID, activation = ActivationType.SOFTSIGN) Layer l1;",
                "@GRU(value = 5, returnSequences = true) Layer g1;|@GRU(3) Layer g2;",
                "@GRU(value = 5, resetAfter = false, returnSequences = true) Layer g1;|@GRU(value = 3, resetAfter = false, goBackwards = true) Layer g2;",
                "@GRU(value = 4, useBias = false) Layer g1;|@Dense(2) @Activation(ActivationType.TANH) Layer out;",
                "@LSTM(value = 5, returnSequences = true) Layer l1;|@Dense(2) @Activation(ActivationType.TANH) Layer perStep;|@GRU(3) Layer g;",
            })
    void backwardThroughTimeMatchesFiniteDifferences(String fields) throws Exception {
        try (Model m = create(SEQ, fields.split("\\|"))) {
            GradientCheck.check(m, 3, 1e-2f);
        }
    }

    @Test
    void embeddingGradientsMatchFiniteDifferences() throws Exception {
        try (Model m = create(
                "@Network(input = {6}) abstract class Net",
                "@Embedding(inputDim = 5, outputDim = 3) Layer emb;", "@LSTM(4) Layer lstm;", "@Dense(2) Layer out;")) {
            // GradientCheck feeds random floats; ids must be whole numbers in [0, 5), so check with ids here.
            float[] ids = {0, 4, 2, 2, 1, 3, 4, 4, 0, 1, 2, 3};
            GradientCheck.check(m, ids, 2, 1e-2f);
        }
    }

    @Test
    void lstmStartsWithUnitForgetBiasAndOrthogonalRecurrentKernel() throws Exception {
        try (Model m = create(SEQ, "@LSTM(4) Layer l1;")) {
            float[] bias = m.layers().getFirst().bias().get();
            for (int j = 0; j < 16; j++) assertEquals(j >= 4 && j < 8 ? 1f : 0f, bias[j], "bias " + j);
            var layer = m.layers().get(0);
            // the layer view holds every tensor, as Keras' count_params() counts them
            assertEquals(
                    java.util.List.of("l1.kernel", "l1.recurrent_kernel", "l1.bias"),
                    layer.params().stream().map(p -> p.name()).toList());
            assertEquals(3 * 16 + 4 * 16 + 16, layer.paramCount());
            float[] u = layer.param("recurrent_kernel").get();
            assertEquals(
                    "layer 'l1' (LSTM) has no tensor 'gamma'; it has [kernel, recurrent_kernel, bias]",
                    assertThrows(IllegalArgumentException.class, () -> layer.param("gamma"))
                            .getMessage());
            // [4, 16]: a wide matrix, so its rows are orthonormal
            for (int a = 0; a < 4; a++) {
                for (int b = 0; b < 4; b++) {
                    double dot = 0;
                    for (int k = 0; k < 16; k++) dot += u[a * 16 + k] * u[b * 16 + k];
                    assertEquals(a == b ? 1 : 0, dot, 1e-5);
                }
            }
        }
    }

    @Test
    void aTokenIdThatIsNotAWholeNumberInRangeIsAClearError() throws Exception {
        try (Model m = create(
                "@Network(input = {3}) abstract class Net",
                "@Embedding(inputDim = 5, outputDim = 2) Layer emb;", "@Flatten Layer flat;", "@Dense(1) Layer out;")) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.predict(new float[] {1, 2.5f, 0}));
            assertTrue(e.getMessage().contains("2.5") && e.getMessage().contains("position 1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.predict(new float[] {1, 2, 5}));
            assertTrue(e.getMessage().contains("position 2") && e.getMessage().contains("5"), e.getMessage());
        }
    }
}
