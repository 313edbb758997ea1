package io.nerva.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import io.nerva.processor.model.NetworkDecl;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * An unexpected exception inside the processor becomes one javac error on the network class
 * that says it is a bug in Nerva and carries the exception's message: never a stack trace,
 * never a crashed compilation, and other networks in the same compilation are still generated.
 * The exception is thrown from the package-private test hook of {@link NetworkProcessor}.
 */
class InternalErrorTest {
    private static final JavaFileObject BAD = JavaFileObjects.forSourceString("test.Bad", """
            package test;

            import io.nerva.annotations.*;
            import io.nerva.runtime.Layer;

            @Network(input = {4})
            abstract class Bad {
                @Dense(3) Layer out;
            }
            """);
    private static final JavaFileObject GOOD = JavaFileObjects.forSourceString("test.Good", """
            package test;

            import io.nerva.annotations.*;
            import io.nerva.runtime.Layer;

            @Network(input = {4})
            abstract class Good {
                @Dense(2) Layer out;
            }
            """);

    private static Compilation compileThrowing(Throwable thrown) {
        Consumer<NetworkDecl> hook = decl -> {
            if (decl.simpleName().equals("Bad")) InternalErrorTest.<RuntimeException>sneaky(thrown);
        };
        return javac().withProcessors(new NetworkProcessor(hook)).compile(BAD, GOOD);
    }

    private static void assertOneInternalError(Compilation c, String message) {
        assertThat(c).failed();
        List<Diagnostic<? extends JavaFileObject>> errors = c.errors();
        assertEquals(1, errors.size(), () -> "expected exactly one error, got " + errors);
        String text = errors.getFirst().getMessage(Locale.ROOT);
        assertThat(c)
                .hadErrorContaining("internal error in the Nerva annotation processor while compiling Bad")
                .inFile(BAD)
                .onLineContaining("abstract class Bad");
        assertThat(text).contains("this is a bug in Nerva, please report it");
        assertThat(text).contains(message);
        assertThat(text).doesNotContain("\tat ");
        assertThat(text).doesNotContain("\n");
    }

    @Test
    void runtimeExceptionBecomesOneErrorOnTheNetworkClass() {
        assertOneInternalError(
                compileThrowing(new IllegalStateException("layer table out of sync")), "layer table out of sync");
    }

    @Test
    void nullPointerExceptionWithoutMessage() {
        Compilation c = compileThrowing(new NullPointerException());
        assertOneInternalError(c, "NullPointerException");
    }

    @Test
    void errorsAreCaughtToo() {
        assertOneInternalError(compileThrowing(new AssertionError("unreachable layer kind")), "unreachable layer kind");
        assertOneInternalError(compileThrowing(new StackOverflowError()), "StackOverflowError");
    }

    @Test
    void theOtherNetworksOfTheCompilationAreStillGenerated() {
        // Compile Testing hides the files of a failed compilation; the recording Filer shows them.
        RecordingProcessor recorder = new RecordingProcessor(new NetworkProcessor(decl -> {
            if (decl.simpleName().equals("Bad")) throw new IllegalStateException("boom");
        }));
        Compilation c = javac().withProcessors(recorder).compile(BAD, GOOD);
        assertThat(c).hadErrorCount(1);
        assertThat(recorder.generated().keySet()).containsExactly("test.GoodModel");
    }

    /** A checked exception thrown where none is declared (a "sneaky throw", as some libraries do). */
    @Test
    void sneakyCheckedExceptionIsAnInternalErrorToo() {
        assertOneInternalError(compileThrowing(new java.io.IOException("disk full")), "disk full");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneaky(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void withoutAnExceptionTheHookChangesNothing() {
        Compilation c = javac().withProcessors(new NetworkProcessor(decl -> {})).compile(BAD, GOOD);
        assertThat(c).succeeded();
        assertThat(c).generatedSourceFile("test.BadModel");
        assertThat(c).generatedSourceFile("test.GoodModel");
    }
}
