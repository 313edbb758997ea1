package io.nerva.keras;

import static io.nerva.annotations.ActivationType.SOFTMAX;

import io.nerva.annotations.Activation;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Embedding;
import io.nerva.annotations.GRU;
import io.nerva.annotations.LSTM;
import io.nerva.annotations.Network;
import io.nerva.annotations.SimpleRNN;
import io.nerva.runtime.Layer;

/** Hand-written Nerva declarations of the recurrent fixtures (fields named as the Keras layers). */
final class RecurrentNets {
    private RecurrentNets() {}

    /** lstm_many_to_one: (8, 3) → LSTM(6) lstm → Dense(2, softmax) out. */
    @Network(input = {8, 3})
    abstract static class LstmManyToOne {
        @LSTM(6)
        Layer lstm;

        @Dense(2)
        @Activation(SOFTMAX)
        Layer out;
    }

    /** lstm_stacked: (5, 2) → LSTM(4, return_sequences) l1 → LSTM(3) l2 → Dense(1) out. */
    @Network(input = {5, 2})
    abstract static class LstmStacked {
        @LSTM(value = 4, returnSequences = true)
        Layer l1;

        @LSTM(3)
        Layer l2;

        @Dense(1)
        Layer out;
    }

    /** gru_default: (6, 4) → GRU(5) gru (reset_after=True) → Dense(3, softmax) out. */
    @Network(input = {6, 4})
    abstract static class GruDefault {
        @GRU(5)
        Layer gru;

        @Dense(3)
        @Activation(SOFTMAX)
        Layer out;
    }

    /** simple_rnn_stacked: (4, 3) → SimpleRNN(5, return_sequences) r1 → SimpleRNN(2) r2 → Dense(2) out. */
    @Network(input = {4, 3})
    abstract static class SimpleRnnStacked {
        @SimpleRNN(value = 5, returnSequences = true)
        Layer r1;

        @SimpleRNN(2)
        Layer r2;

        @Dense(2)
        Layer out;
    }

    /** embedding_lstm: 7 token ids &lt; 30 → Embedding(30, 4) emb → LSTM(6) lstm → Dense(2, softmax) out. */
    @Network(input = {7})
    abstract static class EmbeddingLstm {
        @Embedding(inputDim = 30, outputDim = 4)
        Layer emb;

        @LSTM(6)
        Layer lstm;

        @Dense(2)
        @Activation(SOFTMAX)
        Layer out;
    }
}
