package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Fit.epochs} starts a configuration; called on an existing one it used to compile (a static
 * method through an instance) and silently drop everything before it. Now javac refuses it.
 */
class FitMisuseTest {
    @TempDir
    Path out;

    private String compile(String body) {
        String code = """
                import io.nerva.runtime.train.*;
                import io.nerva.runtime.metric.*;
                import java.nio.file.Path;
                class Use {
                    static void use(Path p) {
                        %s
                    }
                }
                """.formatted(body);
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///Use.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok = javac.getTask(
                        null,
                        null,
                        diagnostics,
                        List.of(
                                "-proc:none",
                                "-Xlint:all",
                                "-Werror",
                                "-d",
                                out.toString(),
                                "-classpath",
                                System.getProperty("java.class.path")),
                        null,
                        List.of(unit))
                .call();
        return ok
                ? ""
                : diagnostics.getDiagnostics().stream()
                        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                        .map(d -> d.getMessage(Locale.ROOT))
                        .collect(Collectors.joining("\n"));
    }

    @Test
    void epochsOnAnExistingConfigurationDoesNotCompile() {
        String errors = compile("Fit fit = Fit.epochs(10).batch(64); fit = fit.resumeFrom(p).epochs(6);");
        assertFalse(errors.isEmpty(), "fit.resumeFrom(p).epochs(6) compiled");
        assertTrue(errors.contains("static interface method"), errors);
    }

    @Test
    void theIntendedChainsCompileWithoutWarnings() {
        assertTrue(compile("""
                Fit fit = Fit.epochs(6).batch(64).resumeFrom(p)
                        .metricFactories(Metrics::precision, Metrics::recall, () -> Metrics.f1(Average.WEIGHTED));
                """).isEmpty());
    }
}
