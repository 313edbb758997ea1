package io.nerva.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every {@code <pre>{@code ...}</pre>} example in the runtime's javadoc compiles against the
 * runtime as it is (doclint in the build checks the javadoc's references and HTML; this checks the
 * code). Each example becomes the body of a method that sees every runtime package and a few
 * variables examples may use without declaring: {@code model}, {@code net}, {@code train},
 * {@code test}, {@code fit}, {@code history}, {@code adam}, {@code run}, {@code best}.
 */
class JavadocExamplesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern EXAMPLE =
            Pattern.compile("<pre>\\{@code\\s*\\n(.*?)\\n\\s*\\*\\s*}</pre>", Pattern.DOTALL);

    private record Example(String where, String code) {}

    @Test
    void everyExampleCompiles() throws IOException {
        List<Example> examples = examples();
        assertTrue(
                examples.size() >= 9, "found only " + examples.size() + " examples under " + SOURCES.toAbsolutePath());
        String imports = packages().stream().map(p -> "import " + p + ".*;").collect(Collectors.joining("\n"));
        List<JavaFileObject> units = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            String code = examples.get(i).code().strip();
            if (!code.endsWith(";") && !code.endsWith("}")) code += ";";
            units.add(source("Example" + i, imports + """

                    import io.nerva.annotations.*;
                    import java.nio.file.*;
                    import java.util.*;
                    import static io.nerva.annotations.LossFunction.*;

                    @SuppressWarnings("unused")
                    class Example%d {
                        static Model model, net;
                        static io.nerva.runtime.data.Dataset train, test;
                        static io.nerva.runtime.train.Fit fit;
                        static io.nerva.runtime.train.History history;
                        static io.nerva.runtime.optim.Optimizer adam;
                        static Path run, best;

                        static void example() throws Exception {
                    %s
                        }
                    }
                    """.formatted(i, code)));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("javadoc-examples");
        boolean ok = javac.getTask(
                        null,
                        null,
                        diagnostics,
                        List.of(
                                "-proc:none",
                                "-d",
                                out.toString(),
                                "-classpath",
                                System.getProperty("java.class.path")),
                        null,
                        units)
                .call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) continue;
            int n = Integer.parseInt(d.getSource().getName().replaceAll("\\D", ""));
            errors.add(examples.get(n).where() + ": " + d.getMessage(Locale.ROOT) + "\n"
                    + examples.get(n).code());
        }
        assertEquals(List.of(), errors);
        assertTrue(ok);
    }

    private static List<Example> examples() throws IOException {
        List<Example> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = EXAMPLE.matcher(Files.readString(file));
                while (m.find()) {
                    String code = m.group(1)
                            .lines()
                            .map(l -> l.replaceFirst("^\\s*\\* ?", ""))
                            .collect(Collectors.joining("\n"));
                    found.add(new Example(SOURCES.relativize(file).toString(), code));
                }
            }
        }
        return found;
    }

    private static List<String> packages() throws IOException {
        try (Stream<Path> dirs = Files.walk(SOURCES.resolve("io/nerva/runtime"))) {
            return dirs.filter(Files::isDirectory)
                    .map(d -> SOURCES.relativize(d).toString().replace('/', '.'))
                    .sorted()
                    .toList();
        }
    }

    private static JavaFileObject source(String name, String code) {
        return new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }
}
