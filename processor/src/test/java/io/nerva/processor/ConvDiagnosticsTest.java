package io.nerva.processor;

import static io.nerva.processor.Sources.assertClean;
import static io.nerva.processor.Sources.assertError;
import static io.nerva.processor.Sources.assertWarning;
import static io.nerva.processor.Sources.network;

import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** The diagnostics of the convolutional layers: each test asserts the message, the file and the line. */
class ConvDiagnosticsTest {
    private static final String IMAGE = "@Network(input = {8, 8, 3}) abstract class Net";

    @Test
    void convOnFlatNetworkInputSuggestsAnImageShape() {
        JavaFileObject f = network("@Network(input = {784}) abstract class Net", "@Conv2D(filters = 32) Layer conv1;");
        assertError(
                f,
                "conv1: Conv2D needs an image input (height, width, channels) but receives 784 (from the network input); "
                        + "declare @Network(input = {28, 28, 1})",
                "Layer conv1;");
    }

    @Test
    void convOnNonSquareFlatInput() {
        JavaFileObject f = network("@Network(input = {10}) abstract class Net", "@Conv2D(filters = 2) Layer conv;");
        assertError(
                f,
                "receives 10 (from the network input); declare @Network(input = {height, width, channels})",
                "Layer conv;");
    }

    @Test
    void poolAfterDenseNamesTheSource() {
        JavaFileObject f = network(IMAGE, "@Flatten Layer flat;", "@Dense(16) Layer dense;", "@MaxPool2D Layer pool;");
        assertError(
                f,
                "pool: MaxPool2D needs an image input (height, width, channels) but receives 16 (from dense); "
                        + "image layers must come before @Flatten, @Dense and global pools",
                "Layer pool;");
    }

    @Test
    void globalPoolAfterGlobalPool() {
        JavaFileObject f = network(IMAGE, "@GlobalMaxPool2D Layer gmp;", "@GlobalAvgPool2D Layer gap;");
        assertError(
                f,
                "gap: GlobalAvgPool2D needs an image input (height, width, channels) but receives 3 (from gmp)",
                "Layer gap;");
    }

    @Test
    void nonPositiveFilters() {
        JavaFileObject f = network(IMAGE, "@Conv2D(filters = 0) Layer conv;");
        assertError(f, "conv: Conv2D needs a positive number of filters, got 0", "Layer conv;");
    }

    @Test
    void kernelOfWrongLength() {
        JavaFileObject f = network(IMAGE, "@Conv2D(filters = 4, kernel = {3, 3, 3}) Layer conv;");
        assertError(
                f,
                "conv: kernel = {3, 3, 3} has 3 values; write one for both axes (kernel = 3) or two for {height, width} "
                        + "(kernel = {3, 1})",
                "Layer conv;");
    }

    @Test
    void nonPositiveKernel() {
        JavaFileObject f = network(IMAGE, "@Conv2D(filters = 4, kernel = {0, 3}) Layer conv;");
        assertError(
                f, "conv: kernel = {0, 3} must be positive; Conv2D needs at least 1 in each direction", "Layer conv;");
    }

    @Test
    void nonPositiveStride() {
        JavaFileObject f = network(IMAGE, "@Conv2D(filters = 4, strides = 0) Layer conv;");
        assertError(f, "conv: strides = {0} must be positive", "Layer conv;");
    }

    @Test
    void nonPositiveDilation() {
        JavaFileObject f = network(IMAGE, "@Conv2D(filters = 4, dilation = {1, -1}) Layer conv;");
        assertError(f, "conv: dilation = {1, -1} must be positive", "Layer conv;");
    }

    @Test
    void nonPositivePoolSize() {
        JavaFileObject f = network(IMAGE, "@AvgPool2D(size = 0) Layer pool;");
        assertError(
                f, "pool: size = {0} must be positive; AvgPool2D needs at least 1 in each direction", "Layer pool;");
    }

    @Test
    void poolStridesOfWrongLength() {
        JavaFileObject f = network(IMAGE, "@MaxPool2D(strides = {1, 1, 1}) Layer pool;");
        assertError(f, "pool: strides = {1, 1, 1} has 3 values; write one for both axes (strides = 2)", "Layer pool;");
    }

    @Test
    void kernelDoesNotFitItsInput() {
        JavaFileObject f = network(
                IMAGE,
                "@Conv2D(filters = 32) Layer conv1;",
                "@MaxPool2D(size = 3) Layer pool1;",
                "@Conv2D(filters = 32, kernel = 3) Layer conv2;");
        assertError(
                f,
                "conv2: kernel 3x3 does not fit its input 2x2x32 (from pool1); use padding = SAME or a smaller kernel",
                "Layer conv2;");
    }

    @Test
    void dilatedKernelDoesNotFitItsInput() {
        JavaFileObject f = network(
                "@Network(input = {4, 4, 1}) abstract class Net", "@Conv2D(filters = 2, dilation = 2) Layer conv;");
        assertError(
                f,
                "conv: kernel 3x3 with dilation 2x2 spans 5x5, which does not fit its input 4x4x1 (from the network input); "
                        + "use padding = SAME or a smaller kernel or dilation",
                "Layer conv;");
    }

    @Test
    void poolWindowLargerThanInput() {
        JavaFileObject f =
                network("@Network(input = {3, 3, 2}) abstract class Net", "@MaxPool2D(size = 4) Layer pool;");
        assertError(
                f,
                "pool: pool size 4x4 does not fit its input 3x3x2 (from the network input); use padding = SAME or a smaller size",
                "Layer pool;");
    }

    @Test
    void batchNormMomentumOutOfRange() {
        JavaFileObject f = network(IMAGE, "@BatchNorm(momentum = 1.0) Layer bn;");
        assertError(f, "bn: BatchNorm momentum must be in [0, 1), got 1.0", "Layer bn;");
    }

    @Test
    void batchNormEpsilonNotPositive() {
        JavaFileObject f = network(IMAGE, "@BatchNorm(epsilon = 0) Layer bn;");
        assertError(f, "bn: BatchNorm epsilon must be a positive number, got 0.0", "Layer bn;");
    }

    @Test
    void softmaxFusedIntoConvIsPerPixel() {
        // Legal, as Keras' Conv2D(activation="softmax"): the channels of each pixel sum to 1.
        assertClean(network(IMAGE, "@Conv2D(filters = 4) @Activation(SOFTMAX) Layer conv;"));
    }

    @Test
    void activationCannotShareAFieldWithAPool() {
        JavaFileObject f = network(IMAGE, "@MaxPool2D @Activation(RELU) Layer pool;");
        assertError(
                f,
                "@Activation can share a field only with @Dense or @Conv2D; put it on a field of its own",
                "Layer pool;");
    }

    @Test
    void biasInitWithoutBiasOnConv() {
        JavaFileObject f =
                network(IMAGE, "@Conv2D(filters = 4, useBias = false, biasInit = Initializer.ONES) Layer conv;");
        assertWarning(f, "conv: biasInit has no effect with useBias = false [nerva:unused-bias-init]", "Layer conv;");
    }

    @Test
    void validCnnCompilesWithoutWarnings() {
        JavaFileObject f = network(
                "@Network(input = {28, 28, 1}, loss = LossFunction.CATEGORICAL_CROSSENTROPY) abstract class Net",
                "@Conv2D(filters = 8, kernel = {3, 5}, strides = {1, 2}, padding = Padding.SAME) @Activation(RELU) Layer conv1;",
                "@BatchNorm Layer bn;",
                "@MaxPool2D(size = 2, padding = Padding.SAME) Layer pool1;",
                "@Conv2D(filters = 8, kernel = 1) Layer pw;",
                "@AvgPool2D(size = {2, 1}) Layer pool2;",
                "@GlobalAvgPool2D Layer gap;",
                "@BatchNorm(momentum = 0) Layer bnFlat;",
                "@Dense(10) @Activation(SOFTMAX) Layer out;");
        Sources.assertClean(f);
    }
}
