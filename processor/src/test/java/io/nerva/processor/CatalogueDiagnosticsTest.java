package io.nerva.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static io.nerva.processor.Sources.assertError;
import static io.nerva.processor.Sources.assertWarning;
import static io.nerva.processor.Sources.compile;
import static io.nerva.processor.Sources.network;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.processor.checking.Diagnostics;
import io.nerva.processor.checking.Message;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.annotation.processing.Filer;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalogue entries that the other diagnostics tests assert only in part (or not at all), each
 * with its full text built from {@link Message}, the file and the line. {@link DiagnosticCatalogueTest}
 * checks that every entry is exercised somewhere.
 */
class CatalogueDiagnosticsTest {
    private static final String MLP = "@Network(input = {4}) abstract class Net";
    private static final String IMAGE = "@Network(input = {8, 8, 3}) abstract class Net";

    private static JavaFileObject outer(String body) {
        return JavaFileObjects.forSourceString("test.Outer", """
                package test;
                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;
                class Outer {
                %s
                }
                """.formatted(body));
    }

    @Test
    void privateNestedClassNamesTheGeneratedClassItWouldGet() {
        JavaFileObject f = outer("@Network(input = {4}) private abstract static class Net { @Dense(2) Layer out; }");
        assertError(f, Message.CLASS_PRIVATE.format("Net", "Outer_NetModel"), "private abstract static class Net");
    }

    @Test
    void innerClassNamesTheGeneratedClassItWouldGet() {
        JavaFileObject f = outer("@Network(input = {4}) abstract class Net { @Dense(2) Layer out; }");
        assertError(f, Message.CLASS_INNER.format("Net", "Outer_NetModel"), "abstract class Net");
    }

    @Test
    void networkInsideAPrivateClass() {
        JavaFileObject f = outer(
                "private static class Mid { @Network(input = {4}) abstract static class Net { @Dense(2) Layer out; } }");
        assertError(f, Message.CLASS_IN_PRIVATE_CLASS.format("Net", "Mid"), "abstract static class Net");
    }

    @Test
    void genericClass() {
        assertError(
                network("@Network(input = {4}) abstract class Net<T>", "@Dense(2) Layer out;"),
                Message.CLASS_GENERIC.format("Net"),
                "abstract class Net<T>");
    }

    @Test
    void recordInsteadOfClass() {
        assertError(
                network("@Network(input = {4}) record Net(int x)", "@Dense(2) static Layer out;"),
                Message.NOT_A_CLASS.format("Net", "a record"),
                "record Net");
    }

    @Test
    void staticLayerField() {
        assertError(
                network(MLP, "@Dense(2) static Layer out;"),
                Message.FIELD_MODIFIER.format("out", "static"),
                "static Layer out;");
    }

    @Test
    void squareFlatInputSuggestsTheImageShape() {
        assertError(
                network("@Network(input = {784}) abstract class Net", "@Conv2D(filters = 32) Layer conv1;"),
                Message.IMAGE_INPUT_NEEDED_SQUARE.format("conv1", "Conv2D", 784, 28),
                "Layer conv1;");
    }

    @Test
    void kernelThatDoesNotFit() {
        assertError(
                network(
                        IMAGE,
                        "@Conv2D(filters = 32) Layer conv1;",
                        "@MaxPool2D(size = 3) Layer pool1;",
                        "@Conv2D(filters = 32, kernel = 3) Layer conv2;"),
                Message.KERNEL_DOES_NOT_FIT.format("conv2", "3x3", "2x2x32", "pool1"),
                "Layer conv2;");
    }

    @Test
    void dilatedKernelBeyondAnyInputWithSamePadding() {
        assertError(
                network(
                        IMAGE,
                        "@Conv2D(filters = 2, kernel = {Integer.MAX_VALUE, 3}, dilation = 2, padding = Padding.SAME) Layer conv;"),
                Message.KERNEL_BEYOND_ANY_INPUT.format("conv", "2147483647x3", "2x2"),
                "Layer conv;");
    }

    @Test
    void dropoutRates() {
        assertError(
                network(MLP, "@Dropout(-0.5) Layer drop;", "@Dense(2) Layer out;"),
                Message.DROPOUT_RATE.format("drop", -0.5),
                "Layer drop;");
        assertError(
                network(MLP, "@Dropout(0.999999999999) Layer drop;", "@Dense(2) Layer out;"),
                Message.DROPOUT_RATE_ONE_AS_FLOAT.format("drop", 0.999999999999),
                "Layer drop;");
    }

    @Test
    void flattenOfAFlatInput() {
        assertWarning(
                network(MLP, "@Flatten Layer flat;", "@Dense(3) Layer out;"),
                Message.NO_OP_FLATTEN.format("flat", 4, "the network input") + " [nerva:no-op-flatten]",
                "Layer flat;");
    }

    @Test
    void twoActivationsInARow() {
        assertWarning(
                network(
                        MLP,
                        "@Dense(8) @Activation(TANH) Layer hidden;",
                        "@Activation(RELU) Layer squash;",
                        "@Dense(1) Layer out;"),
                Message.DOUBLE_ACTIVATION.format("squash", "RELU", "TANH", "hidden") + " [nerva:double-activation]",
                "Layer squash;");
    }

    @Test
    void lossThatDoesNotFitTheOutput() {
        assertError(
                network(
                        "@Network(input = {4}, loss = LossFunction.BINARY_CROSSENTROPY) abstract class Net",
                        "@Dense(2) @Activation(SOFTMAX) Layer out;"),
                Message.LOSS_MISMATCH.format(
                        LossFunction.BINARY_CROSSENTROPY.mismatch(ActivationType.SOFTMAX, 2, "out")),
                "loss = LossFunction.BINARY_CROSSENTROPY");
    }

    @Test
    void recurrentUnits() {
        assertError(
                network("@Network(input = {8, 3}) abstract class Net", "@SimpleRNN(0) Layer rnn;"),
                Message.RECURRENT_UNITS.format("rnn", "SimpleRNN", 0),
                "Layer rnn;");
    }

    @Test
    void recurrentLayerAfterAnImageLayer() {
        assertError(
                network(IMAGE, "@Conv2D(filters = 4) Layer conv;", "@LSTM(4) Layer lstm;"),
                Message.RECURRENT_AFTER_IMAGE.format("lstm", "LSTM", "6x6x4", "conv"),
                "Layer lstm;");
    }

    // ---- weights resources ---------------------------------------------------------------------

    @TempDir
    Path resources;

    /** Writes test/net.safetensors by hand: {name, dtype, shape...} per tensor, 4 zero bytes per element. */
    private void safetensors(Object[]... tensors) throws IOException {
        StringBuilder json = new StringBuilder("{");
        long offset = 0;
        for (Object[] t : tensors) {
            long n = 1;
            StringBuilder shape = new StringBuilder();
            for (int i = 2; i < t.length; i++) {
                n *= (Integer) t[i];
                shape.append(i > 2 ? "," : "").append(t[i]);
            }
            if (json.length() > 1) json.append(',');
            json.append('"')
                    .append(t[0])
                    .append("\":{\"dtype\":\"")
                    .append(t[1])
                    .append("\",\"shape\":[")
                    .append(shape)
                    .append("],\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(offset + 4 * n)
                    .append("]}");
            offset += 4 * n;
        }
        json.append('}');
        while (json.length() % 8 != 0) json.append(' ');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header);
        Files.createDirectories(resources.resolve("test"));
        Files.write(resources.resolve("test/net.safetensors"), file.array());
    }

    private Compilation compileWithResources(JavaFileObject source) {
        List<File> classpath = new ArrayList<>();
        classpath.add(resources.toFile());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator))
            classpath.add(new File(entry));
        return javac().withProcessors(new NetworkProcessor())
                .withClasspath(classpath)
                .compile(source);
    }

    private static final String WEIGHTS = "@Network(input = {4}, weights = \"net.safetensors\") abstract class Net";

    @Test
    void weightsWithATensorMissing() throws IOException {
        safetensors(new Object[] {"out.kernel", "F32", 4, 2});
        JavaFileObject f = network(WEIGHTS, "@Dense(2) Layer out;");
        Compilation c = compileWithResources(f);
        assertThat(c).failed();
        assertThat(c)
                .hadErrorContaining(
                        Message.WEIGHTS_MISSING_TENSOR.format("out", "test/net.safetensors", "out.bias", "[2]"))
                .inFile(f)
                .onLineContaining("Layer out;");
    }

    @Test
    void weightsOfATypeNervaCannotLoad() throws IOException {
        safetensors(new Object[] {"out.kernel", "I32", 4, 2}, new Object[] {"out.bias", "F32", 2});
        JavaFileObject f = network(WEIGHTS, "@Dense(2) Layer out;");
        Compilation c = compileWithResources(f);
        assertThat(c).failed();
        assertThat(c)
                .hadErrorContaining(
                        Message.WEIGHTS_TENSOR_DTYPE.format("out", "out.kernel", "test/net.safetensors", "I32"))
                .inFile(f)
                .onLineContaining("Layer out;");
    }

    // ---- the processor itself ------------------------------------------------------------------

    @Test
    void anInternalErrorAddsItsStackTraceAsANote() {
        JavaFileObject f = network(MLP, "@Dense(2) Layer out;");
        Compilation c = javac().withProcessors(new NetworkProcessor(decl -> {
                    throw new IllegalStateException("boom");
                }))
                .compile(f);
        assertThat(c)
                .hadErrorContaining(Message.INTERNAL_ERROR.format("Net", "java.lang.IllegalStateException: boom"))
                .inFile(f)
                .onLineContaining("abstract class Net");
        // javac indents a message's later lines by two spaces: the first line is the catalogue's, then the trace
        String first = Message.INTERNAL_ERROR_TRACE.format("").strip();
        assertThat(c).hadNoteContaining(first).inFile(f).onLineContaining("abstract class Net");
        assertTrue(
                c.notes().stream()
                        .map(n -> n.getMessage(Locale.ROOT))
                        .anyMatch(m -> m.startsWith(first)
                                && m.contains("java.lang.IllegalStateException: boom")
                                && m.contains("\tat io.nerva.processor.NetworkProcessor.compile(")),
                () -> "no stack trace in the notes " + c.notes());
    }

    @Test
    void aGeneratedFileThatCannotBeWrittenIsAnError() {
        JavaFileObject f = network(MLP, "@Dense(2) Layer out;");
        Compilation c =
                javac().withProcessors(withFailingFiler(new NetworkProcessor())).compile(f);
        assertThat(c).failed();
        assertThat(c)
                .hadErrorContaining(Message.WRITE_FAILED.format("NetModel", "disk full"))
                .inFile(f)
                .onLineContaining("abstract class Net");
    }

    @Test
    void theSummaryIsANoteOnTheNetworkClass() {
        JavaFileObject f = network(MLP, "@Dense(2) Layer out;");
        Compilation c = javac().withProcessors(new NetworkProcessor())
                .withOptions("-Anerva.summary=true")
                .compile(f);
        assertThat(c).succeeded();
        // The note is the summary after a line break (javac's own prefix stays on a line of its own); Compile Testing
        // strips it.
        assertThat(c)
                .hadNoteContaining(Message.SUMMARY.format("Model: \"Net\"").strip())
                .inFile(f)
                .onLineContaining("abstract class Net");
    }

    /** The processor with a Filer whose createSourceFile fails, as on a full disk. */
    private static Processor withFailingFiler(Processor processor) {
        return (Processor) Proxy.newProxyInstance(
                Processor.class.getClassLoader(), new Class<?>[] {Processor.class}, (proxy, method, args) -> {
                    if (method.getName().equals("init")) {
                        ProcessingEnvironment env = (ProcessingEnvironment) args[0];
                        Filer failing = (Filer) Proxy.newProxyInstance(
                                Filer.class.getClassLoader(), new Class<?>[] {Filer.class}, (p, m, a) -> {
                                    if (m.getName().equals("createSourceFile")) throw new IOException("disk full");
                                    return invoke(m, env.getFiler(), a);
                                });
                        args = new Object[] {
                            Proxy.newProxyInstance(
                                    ProcessingEnvironment.class.getClassLoader(),
                                    new Class<?>[] {ProcessingEnvironment.class},
                                    (p, m, a) -> m.getName().equals("getFiler") ? failing : invoke(m, env, a))
                        };
                    }
                    return invoke(method, processor, args);
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void aDiagnosticReportedAtTheWrongPlaceOrWithTheWrongArgumentsIsABug() {
        List<String> problems = new ArrayList<>();
        Messager silent = (Messager) Proxy.newProxyInstance(
                Messager.class.getClassLoader(), new Class<?>[] {Messager.class}, (p, m, a) -> null);
        JavaFileObject f = network(MLP, "@Dense(2) Layer out;");
        Compilation c = javac().withProcessors(new NetworkProcessor(decl -> {
                    Diagnostics diagnostics = new Diagnostics(silent);
                    var field = decl.layerFields().getFirst();
                    for (Runnable wrong : List.<Runnable>of(
                            () -> diagnostics.report(Message.DENSE_UNITS, decl.type(), decl.mirror(), null, "out", 0),
                            () -> diagnostics.report(Message.CLASS_GENERIC, field.element(), null, null, "Net"),
                            () -> diagnostics.report(
                                    Message.DENSE_ON_IMAGE, field.element(), null, null, "out", "4", "x"),
                            () -> diagnostics.report(
                                    Message.UNUSED_BIAS_INIT,
                                    field.element(),
                                    field.annotations().getFirst().mirror(),
                                    field.annotations().getFirst().explicitValue("value"),
                                    "out"),
                            () -> diagnostics.report(
                                    Message.DENSE_UNITS,
                                    field.element(),
                                    field.annotations().getFirst().mirror(),
                                    null,
                                    "out"))) {
                        try {
                            wrong.run();
                            problems.add("no exception");
                        } catch (IllegalArgumentException expected) {
                            problems.add(expected.getMessage());
                        }
                    }
                    diagnostics.report(
                            Message.DENSE_UNITS,
                            field.element(),
                            field.annotations().getFirst().mirror(),
                            field.annotations().getFirst().explicitValue("value"),
                            "out",
                            2); // fits: no exception
                }))
                .compile(f);
        assertThat(c).succeeded();
        assertEquals(5, problems.size());
        assertTrue(problems.stream().noneMatch(p -> p.equals("no exception")), problems::toString);
        assertTrue(
                problems.get(0).startsWith("DENSE_UNITS points at LAYER_VALUE, but was reported on CLASS test.Net"),
                problems.get(0));
        assertTrue(
                problems.get(4).startsWith("DENSE_UNITS takes 2 argument(s) [field, units], got 1"), problems.get(4));
    }

    @Test
    void aLocalNetworkClassIsNotSeenByProcessors() {
        // javac gives processors no element inside a method body, so the catalogue has no entry for a local network
        // class.
        JavaFileObject f = outer("void m() { @Network(input = {4}) abstract class Net { @Dense(2) Layer out; } }");
        Compilation c = compile(f);
        assertThat(c).succeededWithoutWarnings();
    }
}
