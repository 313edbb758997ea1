package io.nerva.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;

/** Builds small network sources and compiles them with the processor. */
final class Sources {
    private Sources() {}

    /** {@code test/Net.java}: the given class header line, then one field per line. */
    static JavaFileObject network(String header, String... fields) {
        StringBuilder sb = new StringBuilder("""
                package test;

                import io.nerva.annotations.*;
                import io.nerva.runtime.Layer;
                import static io.nerva.annotations.ActivationType.*;

                """);
        sb.append(header).append(" {\n");
        for (String f : fields) sb.append("    ").append(f).append('\n');
        sb.append("}\n");
        return JavaFileObjects.forSourceString("test.Net", sb.toString());
    }

    static Compilation compile(JavaFileObject... files) {
        return javac().withProcessors(new NetworkProcessor()).compile(files);
    }

    static Compilation compile(String header, String... fields) {
        return compile(network(header, fields));
    }

    /** Compiles {@code file} and asserts an error with this message on the line containing {@code line}. */
    static void assertError(JavaFileObject file, String message, String line) {
        Compilation c = compile(file);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining(message).inFile(file).onLineContaining(line);
    }

    /** Compiles {@code file} and asserts it succeeds with this warning on the line containing {@code line}. */
    static void assertWarning(JavaFileObject file, String message, String line) {
        Compilation c = compile(file);
        assertThat(c).succeeded();
        assertThat(c).hadWarningContaining(message).inFile(file).onLineContaining(line);
    }

    /** Compiles {@code file} and asserts neither errors nor warnings. */
    static void assertClean(JavaFileObject file) {
        assertThat(compile(file)).succeededWithoutWarnings();
    }
}
