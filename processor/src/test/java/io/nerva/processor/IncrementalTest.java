package io.nerva.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.Set;
import javax.lang.model.SourceVersion;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * What incremental builds rely on: the processor claims exactly the Nerva annotations (no "*",
 * which would make it run on every file), accepts the newest source version, and each generated
 * model has its network class, and only it, as the originating element; the output is a pure
 * function of the network (same source, same code; changed network, changed code).
 */
class IncrementalTest {
    private static final Set<String> NERVA_ANNOTATIONS = Set.of(
            "io.nerva.annotations.Network",
            "io.nerva.annotations.Dense",
            "io.nerva.annotations.Activation",
            "io.nerva.annotations.Dropout",
            "io.nerva.annotations.Flatten",
            "io.nerva.annotations.Conv2D",
            "io.nerva.annotations.MaxPool2D",
            "io.nerva.annotations.AvgPool2D",
            "io.nerva.annotations.GlobalMaxPool2D",
            "io.nerva.annotations.GlobalAvgPool2D",
            "io.nerva.annotations.BatchNorm",
            "io.nerva.annotations.SimpleRNN",
            "io.nerva.annotations.LSTM",
            "io.nerva.annotations.GRU",
            "io.nerva.annotations.Embedding",
            "io.nerva.annotations.Regularize",
            "io.nerva.annotations.PReLU",
            "io.nerva.annotations.Maxout",
            "io.nerva.annotations.Custom");

    private static JavaFileObject net(String name, int units) {
        return JavaFileObjects.forSourceString("test." + name, """
                package test;

                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;

                @Network(input = {4})
                abstract class %s {
                    @Dense(%d) @Activation(ActivationType.TANH) Layer hidden;
                    @Dense(2) Layer out;
                }
                """.formatted(name, units));
    }

    @Test
    void supportsExactlyTheNervaAnnotations() throws Exception {
        Set<String> types = new NetworkProcessor().getSupportedAnnotationTypes();
        Set<String> expected = new java.util.HashSet<>(NERVA_ANNOTATIONS);
        expected.add(NetworkProcessor.GENERATED); // claimed for -Xlint:all -Werror builds (StrictLintTest)
        assertEquals(expected, types);
        for (String t : types) {
            assertTrue(!t.contains("*"), t);
            assertTrue(Class.forName(t).isAnnotation(), t + " is an annotation type on the class path");
        }
    }

    @Test
    void supportsTheLatestSourceVersionAndOnlyItsOwnOption() {
        NetworkProcessor p = new NetworkProcessor();
        assertEquals(SourceVersion.latestSupported(), p.getSupportedSourceVersion());
        assertEquals(Set.of(NetworkProcessor.SUMMARY_OPTION), p.getSupportedOptions());
    }

    @Test
    void eachModelOriginatesFromItsNetworkClassOnly() {
        RecordingProcessor recorder = new RecordingProcessor(new NetworkProcessor());
        Compilation c = javac().withProcessors(recorder).compile(net("A", 3), net("B", 5));
        assertThat(c).succeededWithoutWarnings();
        assertEquals(Set.of("test.AModel", "test.BModel"), recorder.generated().keySet());
        assertThat(recorder.generated().get("test.AModel").origins()).containsExactly("test.A");
        assertThat(recorder.generated().get("test.BModel").origins()).containsExactly("test.B");
    }

    @Test
    void sameNetworkSameCodeChangedNetworkChangedCode() {
        String first = generated(net("A", 3));
        assertEquals(first, generated(net("A", 3)), "deterministic output");
        String changed = generated(net("A", 4));
        assertNotEquals(first, changed);
        assertNotEquals(fingerprint(first), fingerprint(changed));
        assertThat(changed).contains("hidden.kernel [4, 4]");
    }

    private static String generated(JavaFileObject source) {
        RecordingProcessor recorder = new RecordingProcessor(new NetworkProcessor());
        assertThat(javac().withProcessors(recorder).compile(source)).succeeded();
        return recorder.generated().get("test.AModel").source();
    }

    private static String fingerprint(String code) {
        int i = code.indexOf("FINGERPRINT = \"");
        return code.substring(i, code.indexOf(';', i));
    }
}
