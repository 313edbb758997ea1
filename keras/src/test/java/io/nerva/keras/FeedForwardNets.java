package io.nerva.keras;

import static io.nerva.annotations.ActivationType.RELU;
import static io.nerva.annotations.ActivationType.SIGMOID;
import static io.nerva.annotations.ActivationType.SOFTMAX;
import static io.nerva.annotations.ActivationType.TANH;

import io.nerva.annotations.Activation;
import io.nerva.annotations.BatchNorm;
import io.nerva.annotations.Conv2D;
import io.nerva.annotations.Dense;
import io.nerva.annotations.Dropout;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.MaxPool2D;
import io.nerva.annotations.Network;
import io.nerva.annotations.Padding;
import io.nerva.runtime.Layer;

/** Hand-written Nerva declarations of the feed-forward fixtures (fields named as the Keras layers). */
final class FeedForwardNets {
    private FeedForwardNets() {}

    /** dense_iris: Dense(8, relu) hidden → Dense(3, softmax) out. */
    @Network(input = {4})
    abstract static class DenseIris {
        @Dense(8)
        @Activation(RELU)
        Layer hidden;

        @Dense(3)
        @Activation(SOFTMAX)
        Layer out;
    }

    /** dense_bn_dropout: Dense(10) d1 → BatchNormalization bn → Activation(relu) → Dropout(0.2) → Dense(2, sigmoid). */
    @Network(input = {6})
    abstract static class DenseBnDropout {
        @Dense(10)
        Layer d1;

        @BatchNorm
        Layer bn;

        @Activation(RELU)
        Layer act;

        @Dropout(0.2)
        Layer drop;

        @Dense(2)
        @Activation(SIGMOID)
        Layer out;
    }

    /** cnn_small: Conv2D(4, 3, relu) → MaxPooling2D(2) → Conv2D(6, (2, 3), same, tanh) → Flatten → Dense(3, softmax). */
    @Network(input = {12, 12, 2})
    abstract static class CnnSmall {
        @Conv2D(filters = 4, kernel = 3)
        @Activation(RELU)
        Layer c1;

        @MaxPool2D(size = 2)
        Layer p1;

        @Conv2D(
                filters = 6,
                kernel = {2, 3},
                padding = Padding.SAME)
        @Activation(TANH)
        Layer c2;

        @Flatten
        Layer flat;

        @Dense(3)
        @Activation(SOFTMAX)
        Layer out;
    }

    // ---- near misses, for the error paths

    /** dense_iris with one unit too many in the hidden layer. */
    @Network(input = {4})
    abstract static class DenseIrisWide {
        @Dense(9)
        @Activation(RELU)
        Layer hidden;

        @Dense(3)
        @Activation(SOFTMAX)
        Layer out;
    }

    /** dense_iris with a third Dense layer. */
    @Network(input = {4})
    abstract static class DenseIrisDeeper {
        @Dense(8)
        @Activation(RELU)
        Layer hidden;

        @Dense(3)
        @Activation(SOFTMAX)
        Layer out;

        @Dense(3)
        @Activation(SOFTMAX)
        Layer extra;
    }

    /** dense_iris with other field names: loads by order, and says the names differ. */
    @Network(input = {4})
    abstract static class DenseIrisRenamed {
        @Dense(8)
        @Activation(RELU)
        Layer first;

        @Dense(3)
        @Activation(SOFTMAX)
        Layer second;
    }

    /** dense_iris with its two field names swapped: loads by order, and says so. */
    @Network(input = {4})
    abstract static class DenseIrisSwapped {
        @Dense(8)
        @Activation(RELU)
        Layer out;

        @Dense(3)
        @Activation(SOFTMAX)
        Layer hidden;
    }

    /** dense_iris without the hidden layer's bias. */
    @Network(input = {4})
    abstract static class DenseIrisNoBias {
        @Dense(value = 8, useBias = false)
        @Activation(RELU)
        Layer hidden;

        @Dense(3)
        @Activation(SOFTMAX)
        Layer out;
    }

    /** A BatchNorm where dense_bn_dropout has its second Dense (kind differs, and the shapes too). */
    @Network(input = {6})
    abstract static class DenseBnBn {
        @Dense(10)
        Layer d1;

        @BatchNorm
        Layer bn;

        @BatchNorm
        Layer out;
    }
}
