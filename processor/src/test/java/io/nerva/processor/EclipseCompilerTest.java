package io.nerva.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.Gson;
import com.palantir.javapoet.JavaFile;
import io.nerva.annotations.Network;
import io.nerva.format.SafeTensorsHeader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor under the Eclipse compiler (ecj, run as its own process on this JDK, as a build
 * or an IDE would): the same diagnostics as javac, on the same line and the same annotation or
 * field. javac points at an annotation's value ({@code 7} in {@code kernel = 7}), ecj underlines
 * the member's name ({@code kernel}); both are inside the same {@code @Conv2D(...)}.
 *
 * <p>Also pins the two ecj behaviours the README tells users about: {@code -processorpath} given
 * before {@code -cp} is silently ignored (ecj 3.44 then looks for processors on the class path),
 * and ecj's Filer will not write a model whose class an earlier build left on the class path.
 */
class EclipseCompilerTest {
    private static final String HEADER = """
            package app;

            import io.nerva.annotations.*;
            import io.nerva.runtime.Layer;

            """;

    @TempDir
    Path dir;

    @Test
    void sameDiagnosticsAsJavacOnTheSameLines() throws Exception {
        List<String> bad = List.of(
                // an annotation value: a kernel larger than its input
                HEADER + """
                        @Network(input = {12, 12, 1})
                        public abstract class Net {
                            @Conv2D(filters = 4, kernel = 3)  Layer conv1;
                            @MaxPool2D(size = 2)              Layer pool1;
                            @Conv2D(filters = 4, kernel = 7)  Layer conv2;
                        }
                        """,
                // fields: a private one and one of the wrong type
                HEADER + """
                        @Network(input = {4})
                        public abstract class Net {
                            @Dense(8) private Layer hidden;
                            @Dense(2) Object out;
                        }
                        """,
                // an activation without a gradient in a trainable network, and softmax over one unit
                HEADER + """
                        @Network(input = {4})
                        public abstract class Net {
                            @Dense(8) @Activation(ActivationType.BINARY_STEP) Layer hidden;
                            @Dense(1) @Activation(ActivationType.SOFTMAX)     Layer out;
                        }
                        """,
                // a layer outside any network
                HEADER + """
                        public abstract class Net {
                            @Dense(8) Layer stray;
                        }
                        """);
        for (String source : bad) {
            Path file = write("case" + bad.indexOf(source), "app/Net.java", source);
            List<Problem> javac = javac(file);
            List<Problem> ecj = ecj(file, true).problems;
            assertFalse(javac.isEmpty(), source);
            assertEquals(
                    javac.stream().map(Problem::lineAndMessage).sorted().toList(),
                    ecj.stream().map(Problem::lineAndMessage).sorted().toList(),
                    source);
            for (Problem j : javac) {
                Problem e = ecj.stream()
                        .filter(p -> p.lineAndMessage().equals(j.lineAndMessage()))
                        .findFirst()
                        .orElseThrow();
                String line = source.lines().toList().get(j.line - 1);
                assertEquals(
                        anchor(line, j.column),
                        anchor(line, e.column),
                        "javac and ecj point at different things on line " + j.line + ": " + line.strip());
            }
        }
    }

    @Test
    void processorPathBeforeClassPathIsIgnoredByEcj() throws Exception {
        Path file = write("order", "app/Net.java", HEADER + """
                @Network(input = {4})
                public abstract class Net {
                    @Dense(8) private Layer hidden;
                }
                """);
        Ecj ignored = ecj(file, false);
        assertEquals(List.of(), ignored.problems, "ecj ran the processor after all: update the README's ecj advice");
        assertEquals(0, ignored.exitCode, ignored.output);
        Ecj ran = ecj(file, true);
        assertEquals(1, ran.problems.size(), ran.output);
        assertTrue(ran.problems.get(0).message.startsWith("hidden: a layer field cannot be private"), ran.output);
    }

    @Test
    void aModelLeftByAnEarlierBuildBlocksEcjAndTheErrorSaysWhatToDo() throws Exception {
        Path file = write("stale", "app/Net.java", HEADER + """
                @Network(input = {4})
                public abstract class Net {
                    @Dense(3) Layer out;
                }
                """);
        Ecj first = ecj(file, true);
        assertEquals(0, first.exitCode, first.output);
        Path classes = dir.resolve("stale/classes");
        assertTrue(Files.exists(classes.resolve("app/NetModel.class")), first.output);

        Ecj again = ecj(file, true, classes.toString());
        assertEquals(1, again.problems.size(), again.output);
        assertEquals(
                "could not write NetModel: Source file already exists : app.NetModel; a NetModel from an earlier"
                        + " build is on the class path and this compiler will not replace it: delete that class (or clean the"
                        + " build) and compile again",
                again.problems.get(0).message);

        Files.delete(classes.resolve("app/NetModel.class"));
        Ecj afterDelete = ecj(file, true, classes.toString());
        assertEquals(0, afterDelete.exitCode, afterDelete.output);
    }

    // ------------------------------------------------------------------------------------------

    /** One error: its line, its column (1-based) and its message. */
    private record Problem(int line, int column, String message) {
        String lineAndMessage() {
            return line + ": " + message;
        }
    }

    private record Ecj(int exitCode, String output, List<Problem> problems) {}

    /**
     * The innermost {@code @Annotation(...)} on {@code line} around {@code column}, else the
     * identifier there: what a diagnostic points at, whichever part of it a compiler marks.
     */
    private static String anchor(String line, int column) {
        int at = column - 1;
        for (int start = line.lastIndexOf('@', at); start >= 0; start = line.lastIndexOf('@', start - 1)) {
            int open = line.indexOf('(', start);
            int close = open < 0 ? -1 : line.indexOf(')', open);
            int end = close >= 0 && line.substring(start + 1, open).matches("\\w+") ? close + 1 : -1;
            if (end < 0) { // an annotation without parentheses
                Matcher m = Pattern.compile("@\\w+").matcher(line).region(start, line.length());
                end = m.lookingAt() ? m.end() : start + 1;
            }
            if (at < end) return line.substring(start, end);
        }
        Matcher word = Pattern.compile("\\w+").matcher(line);
        while (word.find()) if (word.start() <= at && at < word.end()) return word.group();
        return line.strip();
    }

    private Path write(String caseName, String relative, String code) throws IOException {
        Path file = dir.resolve(caseName).resolve("src").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, code);
        return file;
    }

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
    }

    /** Exactly what a user's build puts on the processor path. */
    private static String processorPath() throws Exception {
        return String.join(
                File.pathSeparator,
                location(NetworkProcessor.class),
                location(Network.class),
                location(SafeTensorsHeader.class),
                location(Gson.class),
                location(JavaFile.class));
    }

    /** What a user's code compiles against: annotations and the runtime. */
    private static String classPath() throws Exception {
        return String.join(
                File.pathSeparator,
                location(Network.class),
                location(io.nerva.runtime.Layer.class),
                location(io.nerva.blas.Blas.class),
                location(SafeTensorsHeader.class));
    }

    private List<Problem> javac(Path file) throws Exception {
        Path base = file.getParent().getParent().getParent();
        Path out = Files.createDirectories(base.resolve("javac-classes"));
        Path gen = Files.createDirectories(base.resolve("javac-generated"));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files =
                compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            compiler.getTask(
                            null,
                            files,
                            diagnostics,
                            List.of(
                                    "-proc:full",
                                    "-processorpath",
                                    processorPath(),
                                    "-classpath",
                                    classPath(),
                                    "-d",
                                    out.toString(),
                                    "-s",
                                    gen.toString()),
                            null,
                            files.getJavaFileObjects(file))
                    .call();
        }
        List<Problem> problems = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                problems.add(
                        new Problem((int) d.getLineNumber(), (int) d.getColumnNumber(), d.getMessage(Locale.ROOT)));
            }
        }
        return problems;
    }

    private Ecj ecj(Path file, boolean classPathFirst, String... extraClassPath) throws Exception {
        Path base = file.getParent().getParent().getParent();
        Path out = Files.createDirectories(base.resolve("classes"));
        Path gen = Files.createDirectories(base.resolve("generated"));
        String cp = classPath()
                + (extraClassPath.length == 0
                        ? ""
                        : File.pathSeparator + String.join(File.pathSeparator, extraClassPath));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                location(org.eclipse.jdt.internal.compiler.batch.Main.class),
                "org.eclipse.jdt.internal.compiler.batch.Main",
                "-25",
                "-Xemacs",
                "-encoding",
                "UTF-8"));
        List<String> classPathArgs = List.of("-cp", cp);
        List<String> processorArgs = List.of("-processorpath", processorPath());
        command.addAll(classPathFirst ? classPathArgs : processorArgs);
        command.addAll(classPathFirst ? processorArgs : classPathArgs);
        command.addAll(List.of("-d", out.toString(), "-s", gen.toString(), file.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("ecj did not finish in 2 minutes:\n" + output);
        }
        return new Ecj(p.exitValue(), output, parseEcj(output));
    }

    /**
     * ecj's -Xemacs errors: {@code file:line: error: message}, then the source line without its
     * indentation and a line of carets under what the error marks.
     */
    private static List<Problem> parseEcj(String output) throws IOException {
        Pattern header = Pattern.compile("^(.+\\.java):(\\d+): error: (.*)$");
        List<String> lines = output.lines().toList();
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = header.matcher(lines.get(i));
            if (!m.matches()) continue;
            int lineNo = Integer.parseInt(m.group(2));
            String original = Files.readAllLines(Path.of(m.group(1))).get(lineNo - 1);
            String shown = lines.get(i + 1).substring(1); // after ecj's tab
            int caret = lines.get(i + 2).substring(1).indexOf('^');
            int indent = original.indexOf(shown);
            problems.add(new Problem(lineNo, indent + caret + 1, m.group(3)));
        }
        return problems;
    }
}
