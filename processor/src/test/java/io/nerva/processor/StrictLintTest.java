package io.nerva.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * A user build with every lint and warnings as errors: the processor's own output (the
 * {@code @Generated} on each model) must not make javac warn that no processor claimed it.
 */
class StrictLintTest {
    private static final JavaFileObject NET = JavaFileObjects.forSourceString("app.Net", """
            package app;

            import io.nerva.annotations.*;
            import io.nerva.runtime.Layer;

            @Network(input = {4}, loss = LossFunction.MEAN_SQUARED_ERROR)
            public abstract class Net {
                @Dense(3) @Activation(ActivationType.TANH) Layer hidden;
                @Dense(2) Layer out;
            }
            """);

    @Test
    void networkCompilesWithXlintAllAndWerror() {
        Compilation c = javac().withOptions("-Xlint:all", "-Werror")
                .withProcessors(new NetworkProcessor())
                .compile(NET);
        assertThat(c).succeededWithoutWarnings();
        assertThat(c).generatedSourceFile("app.NetModel").contentsAsUtf8String().contains("@Generated(");
    }

    @Test
    void withoutTheClaimJavacWouldWarn() {
        // The same compilation with a processor that claims only @Network: the warning this guards against.
        Compilation c = javac().withOptions("-Xlint:all")
                .withProcessors(new NetworkOnly())
                .compile(NET);
        assertThat(c).succeeded();
        assertThat(c).hadWarningContaining("No processor claimed any of these annotations");
        assertThat(c).hadWarningContaining("javax.annotation.processing.Generated");
    }

    @Test
    void aHandWrittenGeneratedClassIsNoStrayLayer() {
        JavaFileObject marked = JavaFileObjects.forSourceString("app.Marked", """
                package app;

                @javax.annotation.processing.Generated("someone")
                public class Marked {
                }
                """);
        Compilation c = javac().withOptions("-Xlint:all", "-Werror")
                .withProcessors(new NetworkProcessor())
                .compile(NET, marked);
        assertThat(c).succeededWithoutWarnings();
    }

    /** NetworkProcessor as it was before it claimed {@code @Generated}. */
    private static final class NetworkOnly extends javax.annotation.processing.AbstractProcessor {
        private final NetworkProcessor delegate = new NetworkProcessor();

        @Override
        public synchronized void init(javax.annotation.processing.ProcessingEnvironment env) {
            super.init(env);
            delegate.init(env);
        }

        @Override
        public java.util.Set<String> getSupportedAnnotationTypes() {
            java.util.Set<String> types = new java.util.LinkedHashSet<>(delegate.getSupportedAnnotationTypes());
            types.remove(NetworkProcessor.GENERATED);
            return types;
        }

        @Override
        public javax.lang.model.SourceVersion getSupportedSourceVersion() {
            return javax.lang.model.SourceVersion.latestSupported();
        }

        @Override
        public boolean process(
                java.util.Set<? extends javax.lang.model.element.TypeElement> annotations,
                javax.annotation.processing.RoundEnvironment round) {
            return delegate.process(annotations, round);
        }
    }
}
