package io.nerva.processor;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.Completion;
import javax.annotation.processing.Filer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.QualifiedNameable;
import javax.lang.model.element.TypeElement;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileObject;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;

/**
 * Runs a processor with a {@link Filer} that records every source file it creates: the name,
 * the originating elements and the text. Compile Testing hides generated files of a failed
 * compilation (and never shows originating elements); this shows both.
 */
final class RecordingProcessor implements Processor {
    /** A generated source: its qualified name, the qualified names of its originating elements, its text. */
    record Generated(String name, List<String> origins, StringWriter text) {
        String source() {
            return text.toString();
        }
    }

    private final Processor delegate;
    private final Map<String, Generated> generated = Collections.synchronizedMap(new LinkedHashMap<>());

    RecordingProcessor(Processor delegate) {
        this.delegate = delegate;
    }

    /** Generated sources by qualified type name. */
    Map<String, Generated> generated() {
        return generated;
    }

    @Override
    public void init(ProcessingEnvironment env) {
        Filer filer = new RecordingFiler(env.getFiler());
        ProcessingEnvironment recording = (ProcessingEnvironment) Proxy.newProxyInstance(
                ProcessingEnvironment.class.getClassLoader(),
                new Class<?>[] {ProcessingEnvironment.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getFiler") && method.getParameterCount() == 0) return filer;
                    try {
                        return method.invoke(env, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        delegate.init(recording);
    }

    @Override
    public Set<String> getSupportedOptions() {
        return delegate.getSupportedOptions();
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return delegate.getSupportedAnnotationTypes();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return delegate.getSupportedSourceVersion();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        return delegate.process(annotations, round);
    }

    @Override
    public Iterable<? extends Completion> getCompletions(
            Element element, AnnotationMirror annotation, ExecutableElement member, String userText) {
        return delegate.getCompletions(element, annotation, member, userText);
    }

    private final class RecordingFiler implements Filer {
        private final Filer filer;

        RecordingFiler(Filer filer) {
            this.filer = filer;
        }

        @Override
        public JavaFileObject createSourceFile(CharSequence name, Element... originatingElements) throws IOException {
            JavaFileObject file = filer.createSourceFile(name, originatingElements);
            List<String> origins = Arrays.stream(originatingElements)
                    .map(e -> e instanceof QualifiedNameable q
                            ? q.getQualifiedName().toString()
                            : e.toString())
                    .toList();
            StringWriter text = new StringWriter();
            generated.put(name.toString(), new Generated(name.toString(), origins, text));
            return new ForwardingJavaFileObject<>(file) {
                @Override
                public Writer openWriter() throws IOException {
                    Writer real = super.openWriter();
                    return new Writer() {
                        @Override
                        public void write(char[] buf, int off, int len) throws IOException {
                            real.write(buf, off, len);
                            text.write(buf, off, len);
                        }

                        @Override
                        public void flush() throws IOException {
                            real.flush();
                        }

                        @Override
                        public void close() throws IOException {
                            real.close();
                        }
                    };
                }
            };
        }

        @Override
        public JavaFileObject createClassFile(CharSequence name, Element... originatingElements) throws IOException {
            return filer.createClassFile(name, originatingElements);
        }

        @Override
        public FileObject createResource(
                JavaFileManager.Location location,
                CharSequence moduleAndPkg,
                CharSequence relativeName,
                Element... originatingElements)
                throws IOException {
            return filer.createResource(location, moduleAndPkg, relativeName, originatingElements);
        }

        @Override
        public FileObject getResource(
                JavaFileManager.Location location, CharSequence moduleAndPkg, CharSequence relativeName)
                throws IOException {
            return filer.getResource(location, moduleAndPkg, relativeName);
        }
    }
}
