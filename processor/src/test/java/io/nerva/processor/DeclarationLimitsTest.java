package io.nerva.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.nerva.processor.Sources.assertError;
import static io.nerva.processor.Sources.compile;
import static io.nerva.processor.Sources.network;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import io.nerva.runtime.Model;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Legal Java declarations that must work (nested classes, huge strides), and sizes past what the
 * runtime can index, each a javac error on the field or annotation that causes it.
 */
class DeclarationLimitsTest {

    private static Model create(GeneratedClassLoader loader, String name) throws Exception {
        return loader.create(name, 1L);
    }

    @Test
    void inputWhoseSizeOverflowsAnIntIsAnError() {
        assertError(
                network("@Network(input = {65536, 65537, 1}) abstract class Net", "@Flatten Layer flat;"),
                "input shape 65536x65537x1 holds 4,295,032,832 floats per sample; the runtime indexes at most 2,147,483,647",
                "@Network");
        assertError(
                network("@Network(input = {50000, 50000, 1}) abstract class Net", "@Flatten Layer flat;"),
                "input shape 50000x50000x1 holds 2,500,000,000 floats per sample",
                "@Network");
    }

    @Test
    void aDenseLayerTooLargeToIndexIsAnErrorOnItsField() {
        assertError(
                network("@Network(input = {784}) abstract class Net", "@Dense(Integer.MAX_VALUE) Layer huge;"),
                "huge.kernel [784, 2147483647] has 1,683,627,179,248 parameters; one tensor holds at most 2,147,483,647",
                "Layer huge;");
    }

    @Test
    void tenBillionParametersAreAnErrorOnTheFieldThatCrossesTheLimit() {
        assertError(
                network(
                        "@Network(input = {200000}) abstract class Net",
                        "@Dense(10000) Layer a;",
                        "@Dense(20000) Layer b;",
                        "@Dense(10) Layer c;"),
                "b brings the network to 2,200,030,000 parameters; a network holds at most 2,147,483,647",
                "Layer b;");
        assertError(
                network("@Network(input = {100000}) abstract class Net", "@Dense(100000) Layer a;"),
                "a.kernel [100000, 100000] has 10,000,000,000 parameters",
                "Layer a;");
    }

    @Test
    void imageLayerOutputTooLargeIsAnError() {
        assertError(
                network(
                        "@Network(input = {30000, 30000, 1}) abstract class Net",
                        "@Conv2D(filters = 8, padding = Padding.SAME) Layer conv;"),
                "conv: Conv2D needs 8,100,000,000 floats per sample (output 30000x30000x8)",
                "Layer conv;");
    }

    @Test
    void hugeStrideWithSamePaddingGivesOnePixel() throws Exception {
        Compilation c = compile(network(
                "@Network(input = {28, 28, 1}) abstract class Net",
                "@Conv2D(filters = 2, strides = Integer.MAX_VALUE, padding = Padding.SAME) Layer conv;",
                "@MaxPool2D(size = 1, strides = Integer.MAX_VALUE, padding = Padding.SAME) Layer pool;",
                "@Flatten Layer flat;"));
        assertThat(c).succeeded();
        try (Model m = create(new GeneratedClassLoader(c), "test.NetModel")) {
            assertEquals(2, m.outputSize());
            assertArrayEquals(new int[] {1, 1, 2}, m.layers().get(0).outputShape());
        }
    }

    @Test
    void nestedNetworkClassesGetDistinctGeneratedNamesAndCompile() throws Exception {
        JavaFileObject a = JavaFileObjects.forSourceString("test.A", """
                package test;
                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;
                public class A {
                    @Network(input = {3}) public abstract static class Net { @Dense(2) Layer out; }
                }
                """);
        JavaFileObject b = JavaFileObjects.forSourceString("test.B", """
                package test;
                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;
                class B {
                    @Network(input = {4}) abstract static class Net { @Dense(5) Layer out; }
                }
                """);
        Compilation c = compile(a, b);
        assertThat(c).succeeded();
        GeneratedClassLoader loader = new GeneratedClassLoader(c);
        try (Model ma = create(loader, "test.A_NetModel");
                Model mb = create(loader, "test.B_NetModel")) {
            assertEquals(2, ma.outputSize());
            assertEquals(5, mb.outputSize());
            assertEquals(
                    "test.A$Net",
                    loader.loadClass("test.A_NetModel").getSuperclass().getName());
        }
    }

    @Test
    void anAbstractMethodNervaDoesNotImplementIsAnErrorOnThatMethod() {
        JavaFileObject f = JavaFileObjects.forSourceString("test.Net", """
                package test;
                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;
                @Network(input = {3})
                abstract class Net {
                    @Dense(2) Layer out;
                    abstract int frobnicate(String s);
                    public abstract float[] predict(float[] sample);
                }
                """);
        Compilation c = compile(f);
        assertThat(c).failed();
        assertThat(c)
                .hadErrorContaining("declares abstract method frobnicate(java.lang.String), which the generated "
                        + "NetModel does not implement")
                .inFile(f)
                .onLineContaining("abstract int frobnicate");
        assertEquals(1, c.errors().size(), () -> "predict is implemented by the runtime's Model: " + c.errors());
    }
}
