package io.nerva.keras;

import io.nerva.runtime.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.annotation.processing.Processor;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a generated network declaration with javac and Nerva's annotation processor, in this process, and
 * instantiates the generated {@code <Name>Model}: the proof that the declaration is valid, and the model that
 * gives the weights file its exact tensor names and architecture fingerprint.
 */
final class NetworkCompiler implements AutoCloseable {
    private final Path dir;
    private final URLClassLoader loader;
    private final Model model;

    private NetworkCompiler(Path dir, URLClassLoader loader, Model model) {
        this.dir = dir;
        this.loader = loader;
        this.model = model;
    }

    /** The compiled network, created for inference (all parameters zero). */
    Model model() {
        return model;
    }

    /**
     * Compiles {@code source} (the class {@code qualifiedName}) on this process's class path.
     *
     * @throws IOException with javac's diagnostics when the declaration does not compile
     */
    static NetworkCompiler compile(String qualifiedName, String source) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IOException("no Java compiler in this runtime (" + System.getProperty("java.home")
                    + "): run KerasToJava on a JDK, not a JRE");
        }
        Path dir = Files.createTempDirectory("nerva-keras-");
        boolean ok = false;
        try {
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
                JavaFileObject unit =
                        new SimpleJavaFileObject(
                                URI.create("string:///" + qualifiedName.replace('.', '/')
                                        + JavaFileObject.Kind.SOURCE.extension),
                                JavaFileObject.Kind.SOURCE) {
                            @Override
                            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                                return source;
                            }
                        };
                List<String> options = List.of(
                        "-d",
                        dir.toString(),
                        "-s",
                        dir.toString(),
                        "-proc:full",
                        "-classpath",
                        System.getProperty("java.class.path"),
                        "-Xlint:none");
                JavaCompiler.CompilationTask task =
                        javac.getTask(null, files, diagnostics, options, null, List.of(unit));
                task.setProcessors(List.of(processor()));
                if (!task.call()) {
                    StringBuilder sb = new StringBuilder("the generated declaration of " + qualifiedName
                            + " does not compile with Nerva's annotation processor:");
                    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                        if (d.getKind() == Diagnostic.Kind.ERROR) {
                            sb.append("\n  line ")
                                    .append(d.getLineNumber())
                                    .append(": ")
                                    .append(d.getMessage(null));
                        }
                    }
                    throw new IOException(sb.toString());
                }
            }
            URLClassLoader loader = new URLClassLoader(
                    new java.net.URL[] {dir.toUri().toURL()}, NetworkCompiler.class.getClassLoader());
            Model model;
            try {
                Class<?> generated = loader.loadClass(qualifiedName + "Model");
                model = (Model) generated.getMethod("forInference").invoke(null);
            } catch (ReflectiveOperationException e) {
                loader.close();
                throw new IOException(
                        "compiled " + qualifiedName + ", but cannot create " + qualifiedName + "Model.forInference(): "
                                + e,
                        e);
            }
            ok = true;
            return new NetworkCompiler(dir, loader, model);
        } finally {
            if (!ok) delete(dir);
        }
    }

    private static Processor processor() throws IOException {
        try {
            return (Processor) Class.forName("io.nerva.processor.NetworkProcessor")
                    .getConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IOException("Nerva's annotation processor (nerva-processor) is not on the class path: " + e, e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            model.close();
        } finally {
            loader.close();
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
