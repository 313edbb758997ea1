package io.nerva.processor;

import static io.nerva.processor.Sources.assertClean;
import static io.nerva.processor.Sources.assertError;
import static io.nerva.processor.Sources.assertWarning;
import static io.nerva.processor.Sources.network;

import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** The diagnostics catalogue: each test asserts the message, the file and the line. */
class DiagnosticsTest {
    private static final String MLP = "@Network(input = {4}) abstract class Net";

    @Test
    void missingInputShape() {
        JavaFileObject f = network("@Network(input = {}) abstract class Net", "@Dense(3) Layer out;");
        assertError(f, "@Network needs the shape of one input sample", "@Network(input = {})");
    }

    @Test
    void nonPositiveInputDimension() {
        JavaFileObject f = network(
                "@Network(input = {28, 0, 1}) abstract class Net", "@Flatten Layer flat;", "@Dense(3) Layer out;");
        assertError(f, "input dimension 1 is 0; every dimension must be positive", "@Network(input = {28, 0, 1})");
    }

    @Test
    void inputOfWrongRank() {
        JavaFileObject f = network("@Network(input = {4, 4, 2, 2}) abstract class Net", "@Dense(3) Layer out;");
        assertError(
                f,
                "input shape 4x4x2x2 has 4 dimensions; expected 1 ({features}), 2 ({timesteps, features}) "
                        + "or 3 ({height, width, channels})",
                "@Network");
    }

    @Test
    void nonPositiveUnits() {
        JavaFileObject f = network(MLP, "@Dense(8) Layer hidden;", "@Dense(0) Layer out;");
        assertError(f, "out: Dense needs a positive number of units, got 0", "Layer out;");
    }

    @Test
    void dropoutRateOutOfRange() {
        JavaFileObject f = network(MLP, "@Dense(8) Layer hidden;", "@Dropout(1.0) Layer drop;", "@Dense(2) Layer out;");
        assertError(f, "drop: dropout rate must be in [0, 1), got 1.0", "Layer drop;");
    }

    @Test
    void negativeAlpha() {
        JavaFileObject f = network(
                MLP, "@Dense(8) @Activation(value = LEAKY_RELU, alpha = -0.1) Layer hidden;", "@Dense(2) Layer out;");
        assertError(f, "hidden: alpha of LEAKY_RELU must be a finite number ≥ 0, got -0.1", "Layer hidden;");
    }

    @Test
    void dropoutRateThatIsOneAsAFloat() {
        JavaFileObject f =
                network(MLP, "@Dense(8) Layer hidden;", "@Dropout(0.999999999999) Layer drop;", "@Dense(2) Layer out;");
        assertError(f, "drop: dropout rate must be in [0, 1), got 0.999999999999 (1.0 as a float)", "Layer drop;");
    }

    @Test
    void alphaBeyondFloatRange() {
        JavaFileObject f =
                network(MLP, "@Dense(8) @Activation(value = ELU, alpha = 1e39) Layer hidden;", "@Dense(2) Layer out;");
        assertError(f, "hidden: alpha of ELU must be a finite number ≥ 0, got 1.0E39", "Layer hidden;");
    }

    @Test
    void nonFiniteInitValue() {
        JavaFileObject f =
                network(MLP, "@Dense(value = 2, kernelInit = Initializer.CONSTANT, initValue = Float.NaN) Layer out;");
        assertError(f, "out: initValue must be a finite float, got NaN", "Layer out;");
    }

    @Test
    void fieldNamesDifferingOnlyInCaseGetDistinctConstants() {
        assertClean(network(
                MLP,
                "@Dense(3) @Activation(RELU) Layer x1;",
                "@Dense(2) @Activation(RELU) Layer X1;",
                "@Dense(2) @Activation(RELU) Layer a_b;",
                "@Dense(2) Layer aB;"));
    }

    @Test
    void twoLayerAnnotationsOnOneField() {
        JavaFileObject f = network(MLP, "@Dense(8) @Dropout(0.5) Layer hidden;", "@Dense(2) Layer out;");
        assertError(
                f,
                "hidden has 2 layer annotations, @Dense and @Dropout; put each layer on its own field",
                "Layer hidden;");
    }

    @Test
    void activationWhereItCannotApply() {
        JavaFileObject f = network(
                MLP, "@Dense(8) Layer hidden;", "@Dropout(0.5) @Activation(RELU) Layer drop;", "@Dense(2) Layer out;");
        assertError(
                f,
                "@Activation can share a field only with @Dense or @Conv2D; put it on a field of its own",
                "Layer drop;");
    }

    @Test
    void denseOnImageWithoutFlatten() {
        JavaFileObject f = network("@Network(input = {28, 28, 1}) abstract class Net", "@Dense(10) Layer out;");
        assertError(
                f,
                "out: Dense needs a flat input or a sequence but receives 28x28x1 (from the network input); "
                        + "add a @Flatten field before out",
                "Layer out;");
    }

    @Test
    void denseOnImageAfterDropoutNamesTheSource() {
        JavaFileObject f = network(
                "@Network(input = {8, 8, 3}) abstract class Net", "@Dropout(0.2) Layer drop;", "@Dense(10) Layer out;");
        assertError(f, "out: Dense needs a flat input or a sequence but receives 8x8x3 (from drop)", "Layer out;");
    }

    @Test
    void softmaxOnImageIsOverTheChannelsOfEachPixel() {
        // Legal, as in Keras: a per-pixel classifier (its numerics are checked in LastAxisActivationTest).
        assertClean(network("@Network(input = {8, 8, 3}) abstract class Net", "@Activation(SOFTMAX) Layer probs;"));
    }

    @Test
    void softmaxOnOneUnit() {
        JavaFileObject f =
                network(MLP, "@Dense(8) @Activation(RELU) Layer hidden;", "@Dense(1) @Activation(SOFTMAX) Layer out;");
        assertError(f, "out: softmax over a single unit always outputs 1; use SIGMOID", "Layer out;");
    }

    @Test
    void binaryCrossEntropyOnSoftmaxOutput() {
        JavaFileObject f = network(
                "@Network(input = {4}, loss = LossFunction.BINARY_CROSSENTROPY) abstract class Net",
                "@Dense(8) @Activation(RELU) Layer hidden;", "@Dense(2) @Activation(SOFTMAX) Layer out;");
        assertError(
                f,
                "BINARY_CROSSENTROPY expects probabilities from a SIGMOID output, but the output (out) has activation SOFTMAX",
                "@Network(input = {4}, loss");
    }

    @Test
    void categoricalCrossEntropyOnOneUnit() {
        JavaFileObject f = network(
                "@Network(input = {4}, loss = LossFunction.CATEGORICAL_CROSSENTROPY) abstract class Net",
                "@Dense(1) @Activation(SIGMOID) Layer out;");
        assertError(f, "CATEGORICAL_CROSSENTROPY needs 2 or more output units, but out has 1", "@Network");
    }

    @Test
    void categoricalCrossEntropyWithoutSoftmax() {
        JavaFileObject f = network(
                "@Network(input = {4}, loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY) abstract class Net",
                "@Dense(3) Layer out;");
        assertError(
                f, "expects class probabilities, but the output (out) has activation LINEAR; use SOFTMAX", "@Network");
    }

    @Test
    void logitsLossOnSigmoidOutput() {
        JavaFileObject f = network(
                "@Network(input = {4}, loss = LossFunction.BINARY_CROSSENTROPY_FROM_LOGITS) abstract class Net",
                "@Dense(1) @Activation(SIGMOID) Layer out;");
        assertError(f, "BINARY_CROSSENTROPY_FROM_LOGITS expects raw logits", "@Network");
    }

    @Test
    void binaryStepInTrainedNetwork() {
        JavaFileObject f = network(MLP, "@Dense(8) @Activation(BINARY_STEP) Layer hidden;", "@Dense(1) Layer out;");
        assertError(f, "hidden: BINARY_STEP has no gradient", "Layer hidden;");
    }

    @Test
    void binaryStepAllowedForInference() {
        assertClean(network(
                "@Network(input = {4}, inferenceOnly = true) abstract class Net",
                "@Dense(1) @Activation(BINARY_STEP) Layer out;"));
    }

    @Test
    void privateClass() {
        JavaFileObject f = JavaFileObjects.forSourceString("test.Outer", """
                package test;
                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;
                class Outer {
                    @Network(input = {4})
                    private abstract static class Net {
                        @Dense(2) Layer out;
                    }
                }
                """);
        assertError(f, "network class Net is private", "private abstract static class Net");
    }

    @Test
    void finalClass() {
        JavaFileObject f = network("@Network(input = {4}) final class Net", "@Dense(2) Layer out;");
        assertError(f, "network class Net is final; the generated NetModel must extend it", "final class Net");
    }

    @Test
    void genericClass() {
        JavaFileObject f = network("@Network(input = {4}) abstract class Net<T>", "@Dense(2) Layer out;");
        assertError(f, "network class Net is generic", "abstract class Net<T>");
    }

    @Test
    void innerClass() {
        JavaFileObject f = JavaFileObjects.forSourceString("test.Outer", """
                package test;
                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;
                class Outer {
                    @Network(input = {4})
                    abstract class Net {
                        @Dense(2) Layer out;
                    }
                }
                """);
        assertError(f, "network class Net is an inner class; make it static", "abstract class Net {");
    }

    @Test
    void interfaceInsteadOfClass() {
        JavaFileObject f = network("@Network(input = {4}) interface Net", "@Dense(2) Layer out = null;");
        assertError(f, "@Network must be on a class, but Net is an interface", "interface Net");
    }

    @Test
    void noUsableConstructor() {
        JavaFileObject f = network(MLP, "@Dense(2) Layer out;", "private Net() {}");
        assertError(f, "network class Net needs a non-private constructor without parameters", "abstract class Net");
    }

    @Test
    void emptyNetwork() {
        JavaFileObject f = network(MLP);
        assertError(f, "network Net is empty; annotate fields of type Layer", "@Network");
    }

    @Test
    void networkWithFieldsButNoLayers() {
        JavaFileObject f = network(MLP, "int epochs;", "Layer notALayer;");
        assertError(f, "network Net has fields but none is a layer", "@Network");
    }

    @Test
    void layerFieldOfWrongType() {
        JavaFileObject f = network(MLP, "@Dense(2) Object out;");
        assertError(
                f, "out: a layer field must have type io.nerva.runtime.Layer, found java.lang.Object", "Object out;");
    }

    @Test
    void privateLayerField() {
        JavaFileObject f = network(MLP, "@Dense(2) private Layer out;");
        assertError(f, "out: a layer field cannot be private", "private Layer out;");
    }

    @Test
    void finalLayerField() {
        JavaFileObject f = network(MLP, "@Dense(2) final Layer out = null;");
        assertError(f, "out: a layer field cannot be final", "final Layer out");
    }

    @Test
    void layerOutsideNetwork() {
        JavaFileObject f = network("abstract class Net", "@Dense(2) Layer out;");
        assertError(f, "out: @Dense has no effect because Net is not annotated @Network", "Layer out;");
    }

    // ---- warnings: compile, but likely wrong; each suppressible ----------------------------

    @Test
    void softmaxOnHiddenLayer() {
        assertWarning(
                network(MLP, "@Dense(8) @Activation(SOFTMAX) Layer hidden;", "@Dense(2) Layer out;"),
                "hidden: softmax on a hidden layer",
                "Layer hidden;");
    }

    @Test
    void sigmoidAfterSigmoid() {
        assertWarning(
                network(
                        MLP,
                        "@Dense(8) @Activation(SIGMOID) Layer hidden;",
                        "@Activation(SIGMOID) Layer squash;",
                        "@Dense(1) Layer out;"),
                "squash: SIGMOID directly after SIGMOID (hidden)",
                "Layer squash;");
    }

    @Test
    void twoLinearDenseLayers() {
        assertWarning(
                network(MLP, "@Dense(8) Layer a;", "@Dense(8) Layer b;", "@Dense(1) Layer out;"),
                "b: two Dense layers without activation in a row",
                "Layer b;");
    }

    @Test
    void dropoutOnOutput() {
        assertWarning(
                network(MLP, "@Dense(3) Layer out;", "@Dropout(0.5) Layer drop;"),
                "drop: dropout on the output",
                "Layer drop;");
    }

    @Test
    void alphaOnReluIsIgnored() {
        assertWarning(
                network(MLP, "@Dense(3) @Activation(value = RELU, alpha = 0.5) Layer out;"),
                "out: alpha has no effect on RELU",
                "Layer out;");
    }

    @Test
    void flattenOfFlatInput() {
        assertWarning(
                network(MLP, "@Flatten Layer flat;", "@Dense(3) Layer out;"),
                "flat: input 4 (from the network input) is already flat",
                "Layer flat;");
    }

    @Test
    void zeroDropout() {
        assertWarning(
                network(MLP, "@Dense(3) Layer h;", "@Dropout(0) Layer drop;", "@Dense(2) Layer out;"),
                "drop: dropout rate 0 drops nothing",
                "Layer drop;");
    }

    @Test
    void initValueWithoutConstantInitializer() {
        assertWarning(
                network(MLP, "@Dense(value = 3, initValue = 0.5f) Layer out;"),
                "out: initValue only applies to Initializer.CONSTANT",
                "Layer out;");
    }

    @Test
    void biasInitWithoutBias() {
        assertWarning(
                network(MLP, "@Dense(value = 3, useBias = false, biasInit = Initializer.ONES) Layer out;"),
                "out: biasInit has no effect with useBias = false",
                "Layer out;");
    }

    @Test
    void validNetworkCompilesWithoutWarnings() {
        assertClean(network(
                MLP,
                "@Dense(8) @Activation(RELU) Layer hidden;",
                "@Dropout(0.2) Layer drop;",
                "@Dense(3) @Activation(SOFTMAX) Layer out;"));
    }

    @Test
    void warningsAreSuppressibleOnTheField() {
        assertClean(network(
                MLP,
                "@SuppressWarnings(\"nerva:hidden-softmax\") @Dense(8) @Activation(SOFTMAX) Layer hidden;",
                "@Dense(2) Layer out;"));
    }

    @Test
    void warningsAreSuppressibleOnTheClass() {
        assertClean(network(
                "@SuppressWarnings(\"nerva\") @Network(input = {4}) abstract class Net",
                "@Dense(8) Layer a;", "@Dense(8) Layer b;", "@Dense(1) Layer out;"));
    }
}
