package io.nerva.processor;

import static io.nerva.processor.Sources.assertError;
import static io.nerva.processor.Sources.network;

import org.junit.jupiter.api.Test;

/** Every mistake in a sequence network is a javac error on the field at fault, saying what to change. */
class SequenceDiagnosticsTest {
    private static final String SEQ = "@Network(input = {8, 3}) abstract class Net";

    @Test
    void recurrentLayerOnAFlatNetworkInput() {
        assertError(
                network("@Network(input = {784}) abstract class Net", "@LSTM(16) Layer lstm;", "@Dense(2) Layer out;"),
                "lstm: LSTM needs a sequence input (timesteps, features) but receives 784 (from the network input); "
                        + "declare @Network(input = {timesteps, features}), e.g. {784, 1}",
                "Layer lstm;");
    }

    @Test
    void recurrentLayerOnAnImage() {
        assertError(
                network("@Network(input = {28, 28, 1}) abstract class Net", "@GRU(16) Layer gru;"),
                "gru: GRU needs a sequence input (timesteps, features) but receives 28x28x1 (from the network input); "
                        + "declare @Network(input = {timesteps, features}); for images, treat each row as a step",
                "Layer gru;");
    }

    @Test
    void stackedRecurrentLayersNeedReturnSequences() {
        assertError(
                network(SEQ, "@LSTM(4) Layer l1;", "@LSTM(3) Layer l2;"),
                "l2: LSTM needs a sequence input (timesteps, features) but receives 4 (from l1); the layer before returns "
                        + "one vector per sample; give l1 returnSequences = true",
                "Layer l2;");
    }

    @Test
    void recurrentLayerAfterFlatten() {
        assertError(
                network(SEQ, "@Flatten Layer flat;", "@SimpleRNN(3) Layer rnn;"),
                "rnn: SimpleRNN needs a sequence input (timesteps, features) but receives 24 (from flat)",
                "Layer rnn;");
    }

    @Test
    void zeroUnits() {
        assertError(
                network(SEQ, "@LSTM(0) Layer lstm;"),
                "lstm: LSTM needs a positive number of units, got 0",
                "Layer lstm;");
        assertError(
                network(SEQ, "@GRU(-2) Layer gru;"), "gru: GRU needs a positive number of units, got -2", "Layer gru;");
    }

    @Test
    void softmaxInsideACell() {
        assertError(
                network(SEQ, "@GRU(value = 4, recurrentActivation = ActivationType.SOFTMAX) Layer gru;"),
                "gru: recurrentActivation = SOFTMAX is not an element-wise function, so it cannot act inside a GRU cell",
                "Layer gru;");
        assertError(
                network(SEQ, "@SimpleRNN(value = 4, activation = ActivationType.SOFTMAX) Layer rnn;"),
                "rnn: activation = SOFTMAX is not an element-wise function",
                "Layer rnn;");
    }

    @Test
    void binaryStepInsideACellCannotBeTrained() {
        assertError(
                network(SEQ, "@LSTM(value = 4, activation = ActivationType.BINARY_STEP) Layer lstm;"),
                "lstm: BINARY_STEP inside a LSTM cell has no gradient, so this network cannot be trained",
                "Layer lstm;");
    }

    @Test
    void unitForgetBiasWithoutBias() {
        assertError(
                network(SEQ, "@LSTM(value = 4, useBias = false, unitForgetBias = true) Layer lstm;"),
                "lstm: unitForgetBias sets the forget gate's bias, but useBias = false leaves the LSTM without a bias",
                "Layer lstm;");
    }

    @Test
    void embeddingMustBeFirst() {
        assertError(
                network(
                        SEQ,
                        "@LSTM(value = 4, returnSequences = true) Layer lstm;",
                        "@Embedding(inputDim = 30, outputDim = 4) Layer emb;"),
                "emb: Embedding looks up token ids, so it must be the first layer (it receives 8x4 from lstm)",
                "Layer emb;");
    }

    @Test
    void embeddingNeedsOneIdPerStep() {
        assertError(
                network(SEQ, "@Embedding(inputDim = 30, outputDim = 4) Layer emb;"),
                "emb: Embedding needs {timesteps} token ids per sample but the network input is 8x3; "
                        + "declare @Network(input = {timesteps})",
                "Layer emb;");
    }

    @Test
    void embeddingSizesMustBePositive() {
        assertError(
                network(
                        "@Network(input = {7}) abstract class Net",
                        "@Embedding(inputDim = 0, outputDim = 4) Layer emb;"),
                "emb: Embedding inputDim is the vocabulary size and must be positive, got 0",
                "Layer emb;");
        assertError(
                network(
                        "@Network(input = {7}) abstract class Net",
                        "@Embedding(inputDim = 5, outputDim = -1) Layer emb;"),
                "emb: Embedding outputDim must be positive, got -1",
                "Layer emb;");
    }

    @Test
    void poolingASequenceIsAnError() {
        assertError(
                network(SEQ, "@MaxPool2D Layer pool;"),
                "pool: MaxPool2D needs an image input (height, width, channels) but receives 8x3",
                "Layer pool;");
    }
}
