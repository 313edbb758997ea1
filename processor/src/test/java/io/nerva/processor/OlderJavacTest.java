package io.nerva.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor runs inside javac 17: a JDK 17's own javac, in a separate process, with exactly
 * the processor path a user's build has (processor, annotations, format, gson, javapoet), reports
 * a shape error on the right line and writes a model for a good declaration.
 *
 * <p>javac 17 cannot read nerva-runtime's class files (version 69), so the declarations see a
 * one-line {@code io.nerva.runtime.Layer} source in its place, as an IDE's model of a project would;
 * the generated model itself needs the real runtime and a JDK 25 to compile.
 *
 * <p>The JDK 17 is {@code -Dnerva.jdk17=<home>}, else the first JDK 17 under /usr/lib/jvm (Maven's
 * own JDK on the build machines); without one the test fails and says so.
 */
class OlderJavacTest {
    private static final String LAYER_STANDIN = "package io.nerva.runtime; public interface Layer {}\n";

    @TempDir
    Path dir;

    @Test
    void javac17ReportsAShapeErrorOnTheField() throws Exception {
        Path src = write("app/Pyramid.java", """
                package app;

                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;

                @Network(input = {28, 28, 1})
                public abstract class Pyramid {
                    @Conv2D(filters = 8, kernel = 3) @Activation(ActivationType.RELU) Layer conv1;
                    @MaxPool2D(size = 2)                                              Layer pool1;
                    @Conv2D(filters = 8, kernel = 3)                                  Layer conv2;
                    @MaxPool2D(size = 2)                                              Layer pool2;
                    @Conv2D(filters = 8, kernel = 7)                                  Layer conv3;
                }
                """);
        Result r = javac17(src, false);
        assertNotEquals(0, r.exitCode, r.output);
        assertTrue(
                r.output.contains("Pyramid.java:12: error: conv3: kernel 7x7 does not fit its input 5x5x8 (from pool2);"
                        + " use padding = SAME or a smaller kernel"),
                r.output);
        assertEquals(1, r.output.lines().filter(l -> l.contains(": error:")).count(), r.output);
    }

    @Test
    void javac17WritesTheModelOfAGoodDeclaration() throws Exception {
        Path src = write("app/Reader.java", """
                package app;

                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;

                @Network(input = {12}, loss = LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
                public abstract class Reader {
                    @Embedding(inputDim = 50, outputDim = 8)                 Layer embed;
                    @LSTM(16)                                                Layer rows;
                    @Dense(4) @Activation(ActivationType.SOFTMAX)            Layer out;
                }
                """);
        Result r = javac17(src, true);
        Path model = dir.resolve("generated/app/ReaderModel.java");
        assertTrue(Files.exists(model), "no model written; javac 17 said:\n" + r.output);
        String code = Files.readString(model);
        assertTrue(code.contains("public final class ReaderModel extends Reader"), code);
        assertTrue(code.contains("rows.kernel [8, 64]"), code);
        // -proc:only stops before the model is compiled; what javac prints is only about the
        // runtime classes it cannot see, never about the processor.
        assertFalse(r.output.contains("Reader.java:"), r.output);
        assertFalse(r.output.contains("uncaught exception") || r.output.contains("internal error"), r.output);
    }

    private Path write(String relative, String code) throws IOException {
        Path file = dir.resolve("src").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, code);
        Path layer = dir.resolve("standin/io/nerva/runtime/Layer.java");
        Files.createDirectories(layer.getParent());
        Files.writeString(layer, LAYER_STANDIN);
        return file;
    }

    private record Result(int exitCode, String output) {}

    private Result javac17(Path source, boolean procOnly) throws Exception {
        Path javac = jdk17().resolve("bin/javac");
        String processorPath = String.join(
                File.pathSeparator,
                location(NetworkProcessor.class),
                location(Network.class),
                location(SafeTensorsHeader.class),
                location(Gson.class),
                location(JavaFile.class));
        Files.createDirectories(dir.resolve("generated"));
        List<String> command = new ArrayList<>(List.of(
                javac.toString(),
                "-processorpath",
                processorPath,
                "-classpath",
                location(Network.class),
                "-sourcepath",
                dir.resolve("standin").toString(),
                "-s",
                dir.resolve("generated").toString(),
                "-d",
                dir.resolve("classes").toString()));
        if (procOnly) command.add("-proc:only");
        command.add(source.toString());
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .directory(dir.toFile())
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("javac 17 did not finish in 2 minutes:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** Where a class was loaded from: a jar, or a module's target/classes inside the reactor. */
    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
    }

    private static Path jdk17() throws IOException {
        String given = System.getProperty("nerva.jdk17");
        if (given != null && !given.isBlank()) {
            Path home = Path.of(given);
            assertEquals("17", majorVersion(home), given + " is not a JDK 17");
            return home;
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> homes = Files.list(jvms)) {
                for (Path home : homes.sorted().toList()) {
                    if (Files.isExecutable(home.resolve("bin/javac")) && "17".equals(majorVersion(home))) return home;
                }
            }
        }
        return fail("no JDK 17 with javac under /usr/lib/jvm: install one (apt-get install openjdk-17-jdk-headless)"
                + " or pass -Dnerva.jdk17=<JDK 17 home>");
    }

    /** The feature version in the JDK's release file ({@code JAVA_VERSION="17.0.15"} gives 17), or null. */
    private static String majorVersion(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) return null;
        for (String line : Files.readAllLines(release)) {
            if (line.startsWith("JAVA_VERSION=")) {
                String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                int dot = v.indexOf('.');
                return dot < 0 ? v : v.substring(0, dot);
            }
        }
        return null;
    }
}
