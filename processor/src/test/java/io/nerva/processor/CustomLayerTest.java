package io.nerva.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.nerva.processor.Sources.compile;
import static io.nerva.processor.Sources.network;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import io.nerva.processor.checking.Message;
import io.nerva.processor.nets.CustomNetModel;
import io.nerva.processor.nets.custom.ScaledTanh;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * {@code @Custom}: a network of user-written layers against a reference written here and against finite
 * differences, and every compile-time check of the user's class with its message, file and line.
 */
class CustomLayerTest {

    @Test
    void shapesAndParametersFollowTheDeclaredRule() {
        try (CustomNetModel m = CustomNetModel.create(1)) {
            assertArrayEquals(new int[] {2, 4}, m.perStep.outputShape());
            assertArrayEquals(new int[] {3, 4}, m.perStep.kernel().shape());
            assertArrayEquals(new int[] {4}, m.perStep.bias().shape());
            assertArrayEquals(new int[] {8, 2}, m.head.kernel().shape());
            assertEquals("Affine", m.perStep.type());
            assertEquals("ScaledTanh", m.squash.type());
            for (float b : m.head.bias().get()) assertEquals(0.1f, b, "the declared CONSTANT initializer");
            assertEquals(3 * 4 + 4 + 8 * 2 + 2, m.parameters().count());
        }
    }

    @Test
    void forwardMatchesAReferenceWrittenHere() {
        try (CustomNetModel m = CustomNetModel.create(4)) {
            float[] x = GeneratedNetworkTest.random(6, 3);
            float[] k1 = m.perStep.kernel().get(),
                    b1 = m.perStep.bias().get(),
                    k2 = m.head.kernel().get(),
                    b2 = m.head.bias().get();
            double[] h = new double[8];
            for (int t = 0; t < 2; t++) {
                for (int u = 0; u < 4; u++) {
                    double z = b1[u];
                    for (int f = 0; f < 3; f++) z += x[t * 3 + f] * k1[f * 4 + u];
                    h[t * 4 + u] = 1.7159 * Math.tanh(2.0 / 3.0 * z);
                }
            }
            float[] got = m.predict(x);
            for (int o = 0; o < 2; o++) {
                double z = b2[o];
                for (int i = 0; i < 8; i++) z += h[i] * k2[i * 2 + o];
                assertEquals(z, got[o], 1e-5, "output " + o);
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        try (CustomNetModel m = CustomNetModel.create(6)) {
            GradientCheck.check(m, 3, 1e-2f);
        }
    }

    @Test
    void theUsersActivationPassesTheRuntimesChecker() {
        io.nerva.runtime.custom.GradientChecker.checkActivation(new ScaledTanh(), -3, 3, 25)
                .assertPasses();
    }

    private static JavaFileObject layerClass(String name, String body) {
        return JavaFileObjects.forSourceString("test." + name, """
                package test;
                import io.nerva.annotations.*;
                import io.nerva.annotations.CustomShape.Dim;
                import io.nerva.runtime.custom.*;
                %s
                """.formatted(body));
    }

    private static final String LAYER_BODY =
            " public void forward(CustomPass p) {} public void backward(CustomPass p) {} ";

    private static void assertCustomError(JavaFileObject net, JavaFileObject cls, String message, String line) {
        Compilation c = compile(net, cls);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining(message).inFile(net).onLineContaining(line);
    }

    @Test
    void aClassOfNeitherInterfaceIsAnErrorOnTheField() {
        JavaFileObject net = network("@Network(input = {4}) abstract class Net", "@Custom(Helper.class) Layer scale;");
        assertCustomError(
                net,
                layerClass("Helper", "public class Helper {}"),
                Message.CUSTOM_WRONG_TYPE.format("scale", "Helper", "implements neither"),
                "Layer scale;");
        assertCustomError(
                net,
                layerClass(
                        "Helper",
                        "public class Helper implements CustomLayer, ActivationFunction {" + LAYER_BODY
                                + " public float apply(float x) { return x; } public float derivative(float x, float y) { return 1; } }"),
                Message.CUSTOM_WRONG_TYPE.format("scale", "Helper", "implements both"),
                "Layer scale;");
    }

    @Test
    void aClassTheModelCannotCreateIsAnErrorOnTheField() {
        JavaFileObject net = network("@Network(input = {4}) abstract class Net", "@Custom(Scale.class) Layer scale;");
        assertCustomError(
                net,
                layerClass(
                        "Scale",
                        "public class Scale implements CustomLayer { public Scale(int k) {}" + LAYER_BODY + "}"),
                Message.CUSTOM_NOT_INSTANTIABLE.format(
                        "scale", "Scale", "has no public constructor without parameters"),
                "Layer scale;");
        assertCustomError(
                net,
                layerClass("Scale", "public abstract class Scale implements CustomLayer {" + LAYER_BODY + "}"),
                Message.CUSTOM_NOT_INSTANTIABLE.format("scale", "Scale", "is abstract"),
                "Layer scale;");
        assertCustomError(
                net,
                layerClass("Scale", "class Scale implements CustomLayer {" + LAYER_BODY + "}"),
                Message.CUSTOM_NOT_INSTANTIABLE.format("scale", "Scale", "is not public"),
                "Layer scale;");
    }

    @Test
    void unitsMustBeGivenWhereTheRuleUsesThemAndWarnWhereNot() {
        JavaFileObject dense = layerClass("MyDense", """
                @CustomShape(output = CustomShape.Rule.LAST_AXIS_TO_UNITS,
                        params = @CustomShape.Param(name = "kernel", shape = {Dim.INPUT_LAST, Dim.UNITS}))
                public class MyDense implements CustomLayer {""" + LAYER_BODY + "}");
        JavaFileObject net = network("@Network(input = {4}) abstract class Net", "@Custom(MyDense.class) Layer dense;");
        assertCustomError(
                net,
                dense,
                Message.CUSTOM_UNITS_MISSING.format(
                        "dense", "MyDense", "has shape rule LAST_AXIS_TO_UNITS, which needs", 0),
                "Layer dense;");
        JavaFileObject act = layerClass(
                "Twice",
                "public class Twice implements ActivationFunction {"
                        + " public float apply(float x) { return 2 * x; } public float derivative(float x, float y) { return 2; } }");
        JavaFileObject actNet = network(
                "@Network(input = {4}) abstract class Net",
                "@Custom(value = Twice.class, units = 8) Layer act;", "@Dense(2) Layer out;");
        Compilation c = compile(actNet, act);
        assertThat(c).succeeded();
        assertThat(c)
                .hadWarningContaining(Message.CUSTOM_UNITS_UNUSED.format("act", 8, "Twice", "is an ActivationFunction"))
                .inFile(actNet)
                .onLineContaining("Layer act;");
    }

    @Test
    void badParameterDeclarationsAreErrorsOnTheField() {
        JavaFileObject twice = layerClass("Gain", """
                @CustomShape(params = {@CustomShape.Param(name = "gain", shape = Dim.INPUT_SIZE),
                                       @CustomShape.Param(name = "gain", shape = Dim.INPUT_SIZE)})
                public class Gain implements CustomLayer {""" + LAYER_BODY + "}");
        JavaFileObject net = network("@Network(input = {4}) abstract class Net", "@Custom(Gain.class) Layer gain;");
        assertCustomError(net, twice, Message.CUSTOM_PARAM.format("gain", "Gain", "gain", "twice"), "Layer gain;");
        JavaFileObject badName = layerClass("Gain", """
                @CustomShape(params = @CustomShape.Param(name = "my gain", shape = Dim.INPUT_SIZE))
                public class Gain implements CustomLayer {""" + LAYER_BODY + "}");
        assertCustomError(
                net,
                badName,
                Message.CUSTOM_PARAM.format("gain", "Gain", "my gain", "whose name is not a Java identifier"),
                "Layer gain;");
        JavaFileObject noDims = layerClass("Gain", """
                @CustomShape(params = @CustomShape.Param(name = "gain", shape = {}))
                public class Gain implements CustomLayer {""" + LAYER_BODY + "}");
        assertCustomError(
                net, noDims, Message.CUSTOM_PARAM.format("gain", "Gain", "gain", "with no dimensions"), "Layer gain;");
    }
}
