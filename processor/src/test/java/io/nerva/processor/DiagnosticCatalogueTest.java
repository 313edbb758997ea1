package io.nerva.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.nerva.processor.checking.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The diagnostics catalogue ({@link Message}) is the one source of every message: the table in
 * processor/README.md is generated from it, and every entry is exercised by a test.
 *
 * <p>After changing the catalogue, regenerate the table with
 * {@code mvn -pl processor -am test -Dtest=DiagnosticCatalogueTest -Dsurefire.failIfNoSpecifiedTests=false -Dnerva.updateReadme=true}.
 */
class DiagnosticCatalogueTest {
    static final String BEGIN =
            "<!-- diagnostics catalogue: generated from checking/Message.java by DiagnosticCatalogueTest; do not edit -->";
    static final String END = "<!-- end of the diagnostics catalogue -->";

    private static Path module() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    /** The Markdown table of the catalogue, one row per entry, in catalogue order. */
    static String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| kind | where | message, with example values | entry |\n");
        sb.append("| --- | --- | --- | --- |\n");
        for (Message m : Message.values()) {
            String text = m.exampleText()
                    .strip()
                    .replace("\n", " ↵ ")
                    .replace("\t", "")
                    .replace("|", "\\|");
            if (m.kind().key() != null) text += " [nerva:" + m.kind().key() + "]";
            sb.append("| ")
                    .append(m.kind())
                    .append(" | ")
                    .append(m.target().description())
                    .append(" | `")
                    .append(text)
                    .append("` | `")
                    .append(m.name())
                    .append("` |\n");
        }
        return sb.toString();
    }

    @Test
    void readmeTableIsGeneratedFromTheCatalogue() throws IOException {
        Path readme = module().resolve("README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN), end = text.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md must hold the catalogue between\n" + BEGIN + "\nand\n" + END);
        String generated = text.substring(0, begin + BEGIN.length()) + "\n\n" + table() + "\n" + text.substring(end);
        if (Boolean.getBoolean("nerva.updateReadme")) {
            Files.writeString(readme, generated, StandardCharsets.UTF_8);
        } else {
            assertEquals(
                    generated,
                    text,
                    "processor/README.md's catalogue differs from checking/Message.java; regenerate it "
                            + "with -Dnerva.updateReadme=true (see DiagnosticCatalogueTest)");
        }
    }

    @Test
    void aWrongNumberOfArgumentsIsABug() {
        assertEquals("out: Dense needs a positive number of units, got 0", Message.DENSE_UNITS.format("out", 0));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Message.DENSE_UNITS.format("out"));
        assertTrue(e.getMessage().contains("DENSE_UNITS takes 2 argument(s) [field, units], got 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Message.DENSE_UNITS.format("out", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Message.DENSE_UNITS.format("out", null));
    }

    @Test
    void aParameterUsedTwiceTakesOneArgument() {
        assertEquals(List.of("field", "input", "source"), Message.DENSE_ON_IMAGE.parameters());
        assertEquals(
                "out: Dense needs a flat input or a sequence but receives 28x28x1 (from the network input); "
                        + "add a @Flatten field before out",
                Message.DENSE_ON_IMAGE.format("out", "28x28x1", "the network input"));
    }

    @Test
    void messageBracesStayLiteral() {
        assertEquals(List.of(), Message.INPUT_MISSING.parameters());
        assertEquals(
                "conv: kernel = {3, 3, 3} has 3 values; write one for both axes (kernel = 3) or two for {height, width} "
                        + "(kernel = {3, 1})",
                Message.WINDOW_ARITY.exampleText());
    }

    @Test
    void everyMessageListingTheLayerAnnotationsListsThemAll() {
        for (Message m : Message.values()) {
            if (m.template().contains("@Dense, @Activation")) {
                assertTrue(m.template().contains(io.nerva.processor.model.LayerKind.allDisplayNames()), m.name());
            }
        }
    }

    /**
     * Every entry is exercised by some test: the test sources (string concatenations joined) hold a
     * stretch of {@value #WINDOW} characters of its text that no other entry's text has, or, for an
     * entry without such a stretch (its text is all parameters, or a variant of another entry's), a test
     * names it ({@code Message.NAME}) and asserts its full text.
     */
    @Test
    void everyEntryIsExercisedByATest() throws IOException {
        String corpus;
        try (Stream<Path> files = Files.walk(module().resolve("src/test/java"))) {
            corpus = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p ->
                            !p.getFileName().toString().equals(DiagnosticCatalogueTest.class.getSimpleName() + ".java"))
                    .map(p -> {
                        try {
                            return Files.readString(p, StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .collect(Collectors.joining("\n"));
        }
        String joined = corpus.replaceAll("\"\\s*\\+\\s*\"", "");
        List<String> untested = new ArrayList<>();
        for (Message m : Message.values()) {
            boolean named = java.util.regex.Pattern.compile("Message\\." + m.name() + "\\b")
                    .matcher(corpus)
                    .find();
            boolean covered = distinctiveStretches(m).stream().anyMatch(joined::contains);
            if (!covered && !named) untested.add(m.name() + ": " + m.template());
        }
        if (!untested.isEmpty()) fail("catalogue entries no test exercises:\n" + String.join("\n", untested));
    }

    private static final int WINDOW = 20;

    /** The stretches of {@value #WINDOW} characters of an entry's literal text that no other entry's template holds. */
    static List<String> distinctiveStretches(Message m) {
        List<String> out = new ArrayList<>();
        for (String part : m.template().split("\\$\\{[a-zA-Z0-9]+}")) {
            for (int i = 0; i + WINDOW <= part.length(); i++) {
                String s = part.substring(i, i + WINDOW);
                if (Arrays.stream(Message.values())
                        .noneMatch(o -> o != m && o.template().contains(s))) out.add(s);
            }
        }
        return out;
    }
}
