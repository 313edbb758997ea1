package io.nerva.processor;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import javax.tools.JavaFileObject;

/**
 * Defines the {@code .class} files of an in-memory Compile Testing compilation, so that tests
 * can run the code the processor generated. Everything else comes from the parent (the test
 * class loader: runtime, annotations).
 */
final class GeneratedClassLoader extends ClassLoader {
    private final Map<String, byte[]> classes = new HashMap<>();

    GeneratedClassLoader(Compilation compilation) {
        super(GeneratedClassLoader.class.getClassLoader());
        for (JavaFileObject file : compilation.generatedFiles()) {
            if (file.getKind() != JavaFileObject.Kind.CLASS) continue;
            // e.g. /CLASS_OUTPUT/fuzz/Net7Model$Buffers.class
            String path = file.toUri().getPath();
            int start = path.indexOf("CLASS_OUTPUT/");
            String name = path.substring(
                            start < 0 ? 1 : start + "CLASS_OUTPUT/".length(), path.length() - ".class".length())
                    .replace('/', '.');
            try (InputStream in = file.openInputStream()) {
                classes.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@code <generated class>.create(seed)}, reachable though the generated class is package-private. */
    io.nerva.runtime.Model create(String className, long seed) throws ReflectiveOperationException {
        java.lang.reflect.Method create = loadClass(className).getMethod("create", long.class);
        create.setAccessible(true);
        return (io.nerva.runtime.Model) create.invoke(null, seed);
    }

    boolean has(String binaryName) {
        return classes.containsKey(binaryName);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) throw new ClassNotFoundException(name);
        return defineClass(name, bytes, 0, bytes.length);
    }
}
