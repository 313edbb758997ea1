package io.nerva.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * {@code -Anerva.summary=true}: one javac NOTE per network, on the network class, with the
 * Keras-like table; the same text as the generated {@code SUMMARY} constant.
 */
class SummaryOptionTest {
    private static final JavaFileObject MNIST = JavaFileObjects.forSourceString("test.Mnist", """
            package test;

            import io.nerva.annotations.*;
            import io.nerva.runtime.Layer;

            @Network(input = {28, 28, 1}, loss = LossFunction.CATEGORICAL_CROSSENTROPY)
            public abstract class Mnist {
                @Flatten Layer flat;
                @Dense(128) @Activation(ActivationType.RELU) Layer hidden;
                @Dropout(0.2) Layer drop;
                @Dense(10) @Activation(ActivationType.SOFTMAX) Layer out;
            }
            """);
    private static final JavaFileObject FROZEN = JavaFileObjects.forSourceString("test.Frozen", """
            package test;

            import io.nerva.annotations.*;
            import io.nerva.runtime.Layer;

            @Network(input = {3}, inferenceOnly = true)
            abstract class Frozen {
                @Dense(value = 2, useBias = false) @Activation(ActivationType.BINARY_STEP) Layer out;
            }
            """);
    private static final JavaFileObject BROKEN = JavaFileObjects.forSourceString("test.Broken", """
            package test;

            import io.nerva.annotations.*;
            import io.nerva.runtime.Layer;

            @Network(input = {3})
            abstract class Broken {
                @Dense(0) Layer out;
            }
            """);

    /** Written out by hand: 784·128 + 128 = 100,480 and 128·10 + 10 = 1,290. */
    private static final String MNIST_SUMMARY = String.join(
            "\n",
            "Model: \"Mnist\"",
            "_".repeat(65),
            " Layer (type)                 Output Shape              Param #",
            "=".repeat(65),
            " flat (Flatten)               (None, 784)               0",
            " hidden (Dense)               (None, 128)               100,480",
            " drop (Dropout)               (None, 128)               0",
            " out (Dense)                  (None, 10)                1,290",
            "=".repeat(65),
            "Total params: 101,770 (397.54 KB)",
            "Trainable params: 101,770",
            "Non-trainable params: 0",
            // input 784 + hidden z, out 128 each + out z, out 10 each; training adds the gradients, dropout's output
            // and mask
            "Workspace per row: 4.14 KB (inference), 5.68 KB (training)",
            "_".repeat(65),
            "");

    private static Compilation compile(String... options) {
        return javac().withProcessors(new NetworkProcessor())
                .withOptions((Object[]) options)
                .compile(MNIST, FROZEN);
    }

    /**
     * The summary notes' text. javac indents the continuation lines of a multi-line diagnostic
     * by two spaces and drops the last newline; this undoes both.
     */
    private static List<String> summaryNotes(Compilation c) {
        return c.notes().stream()
                .map(d -> d.getMessage(Locale.ROOT))
                .filter(m -> m.contains("Model: \""))
                .map(m -> m.replace("\n  ", "\n").stripTrailing() + "\n")
                .toList();
    }

    @Test
    void optionPrintsTheSummaryAsANoteOnTheNetworkClass() throws Exception {
        Compilation c = compile("-Anerva.summary=true");
        assertThat(c).succeededWithoutWarnings();
        assertThat(c)
                .hadNoteContaining("Model: \"Mnist\"")
                .inFile(MNIST)
                .onLineContaining("public abstract class Mnist");
        assertThat(c).hadNoteContaining("Model: \"Frozen\"").inFile(FROZEN).onLineContaining("abstract class Frozen");
        assertEquals(2, summaryNotes(c).size(), () -> "one summary note per network: " + summaryNotes(c));

        String note = summaryNotes(c).stream()
                .filter(m -> m.contains("\"Mnist\""))
                .findFirst()
                .orElseThrow();
        assertEquals("\n" + MNIST_SUMMARY, note);

        GeneratedClassLoader loader = new GeneratedClassLoader(c);
        String constant =
                (String) loader.loadClass("test.MnistModel").getField("SUMMARY").get(null);
        assertEquals("\n" + constant, note, "the note is the generated SUMMARY constant");
    }

    @Test
    void inferenceOnlyNetworksCountTheirParametersAsNonTrainable() {
        String note = summaryNotes(compile("-Anerva.summary=true")).stream()
                .filter(m -> m.contains("\"Frozen\""))
                .findFirst()
                .orElseThrow();
        assertThat(note).contains(" out (Dense)                  (None, 2)                 6\n");
        assertThat(note).contains("Total params: 6 (24 B)\nTrainable params: 0\nNon-trainable params: 6\n");
    }

    @Test
    void withoutTheOptionNoSummaryNote() {
        for (String[] options : new String[][] {{}, {"-Anerva.summary=false"}, {"-Anerva.summary=no"}}) {
            Compilation c = compile(options);
            assertThat(c).succeededWithoutWarnings();
            assertThat(summaryNotes(c)).isEmpty();
        }
    }

    @Test
    void aNetworkWithErrorsPrintsNoSummary() {
        Compilation c = javac().withProcessors(new NetworkProcessor())
                .withOptions("-Anerva.summary=true")
                .compile(BROKEN, MNIST);
        assertThat(c)
                .hadErrorContaining("Dense needs a positive number of units")
                .inFile(BROKEN);
        assertThat(summaryNotes(c)).hasSize(1);
        assertThat(summaryNotes(c).getFirst()).contains("Model: \"Mnist\"");
        for (Diagnostic<? extends JavaFileObject> d : c.notes()) {
            assertThat(d.getMessage(Locale.ROOT)).doesNotContain("Broken");
        }
    }

    /**
     * Bug E: Summary formats with the build machine's default locale ({@code %,d}, {@code %.2f}),
     * so under a German locale the table reads "100.480" and "397,54 KB", and the generated
     * SUMMARY constant differs from machine to machine. Enable when Summary uses Locale.ROOT
     * (or a fixed grouping).
     */
    @Test
    void summaryDoesNotDependOnTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            String note = summaryNotes(compile("-Anerva.summary=true")).stream()
                    .filter(m -> m.contains("\"Mnist\""))
                    .findFirst()
                    .orElseThrow();
            assertEquals("\n" + MNIST_SUMMARY, note);
        } finally {
            Locale.setDefault(saved);
        }
    }
}
