package io.nerva.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static io.nerva.processor.Sources.network;

import com.google.testing.compile.Compilation;
import io.nerva.annotations.Initializer;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import io.nerva.runtime.io.SafeTensors;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code @Network(weights = ...)}: the resource is checked against the declaration at compile time. */
class WeightsResourceTest {
    private static final String HEADER = "@Network(input = {4}, weights = \"net.safetensors\") abstract class Net";
    private static final String[] FIELDS = {"@Dense(3) @Activation(RELU) Layer hidden;", "@Dense(2) Layer out;"};

    @TempDir
    Path resources;

    /** Writes test/net.safetensors with the given tensors ({name, shape...}) and metadata. */
    private void resource(Map<String, String> metadata, int[]... shapes) throws IOException {
        List<ParamSpec> specs = new ArrayList<>();
        String[] names = {"hidden.kernel", "hidden.bias", "out.kernel", "out.bias", "extra.kernel"};
        long offset = 0;
        for (int i = 0; i < shapes.length; i++) {
            ParamSpec s = new ParamSpec(names[i], shapes[i], offset, Initializer.ZEROS, 0f, 1, 1);
            specs.add(s);
            offset += s.size();
        }
        Files.createDirectories(resources.resolve("test"));
        try (Parameters p = new Parameters(specs, false)) {
            SafeTensors.save(p, resources.resolve("test/net.safetensors"), metadata);
        }
    }

    private Compilation compile(JavaFileObject source) {
        List<File> classpath = new ArrayList<>();
        classpath.add(resources.toFile());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator))
            classpath.add(new File(entry));
        return javac().withProcessors(new NetworkProcessor())
                .withClasspath(classpath)
                .compile(source);
    }

    @Test
    void matchingResourceCompilesAndAddsPretrained() throws IOException {
        resource(Map.of(), new int[] {4, 3}, new int[] {3}, new int[] {3, 2}, new int[] {2});
        JavaFileObject source = network(HEADER, FIELDS);
        Compilation c = compile(source);
        assertThat(c).succeededWithoutWarnings();
        assertThat(c)
                .generatedSourceFile("test.NetModel")
                .contentsAsUtf8String()
                .contains("model.loadResource(Net.class, \"net.safetensors\")");
    }

    @Test
    void missingTensorIsAnErrorOnItsField() throws IOException {
        resource(Map.of(), new int[] {4, 3}, new int[] {3}, new int[] {3, 2});
        JavaFileObject source = network(HEADER, FIELDS);
        Compilation c = compile(source);
        assertThat(c)
                .hadErrorContaining(
                        "out: weights resource test/net.safetensors has no tensor 'out.bias' (expected shape [2])")
                .inFile(source)
                .onLineContaining("Layer out;");
    }

    @Test
    void shapeMismatchIsAnErrorOnItsField() throws IOException {
        resource(Map.of(), new int[] {3, 4}, new int[] {3}, new int[] {3, 2}, new int[] {2});
        JavaFileObject source = network(HEADER, FIELDS);
        Compilation c = compile(source);
        assertThat(c)
                .hadErrorContaining(
                        "hidden: tensor 'hidden.kernel' in test/net.safetensors has shape [3, 4], but this layer needs [4, 3]")
                .inFile(source)
                .onLineContaining("Layer hidden;");
    }

    @Test
    void extraTensorIsAnErrorOnTheWeightsValue() throws IOException {
        resource(Map.of(), new int[] {4, 3}, new int[] {3}, new int[] {3, 2}, new int[] {2}, new int[] {1});
        JavaFileObject source = network(HEADER, FIELDS);
        Compilation c = compile(source);
        assertThat(c)
                .hadErrorContaining("has tensor 'extra.kernel', which no layer of Net declares")
                .inFile(source)
                .onLineContaining("weights = ");
    }

    @Test
    void missingResource() {
        JavaFileObject source = network(HEADER, FIELDS);
        Compilation c = compile(source);
        assertThat(c)
                .hadErrorContaining("weights resource 'net.safetensors' not found: looked for test/net.safetensors")
                .inFile(source)
                .onLineContaining("weights = ");
    }

    @Test
    void malformedResource() throws IOException {
        Files.createDirectories(resources.resolve("test"));
        Files.write(resources.resolve("test/net.safetensors"), new byte[] {1, 2, 3});
        JavaFileObject source = network(HEADER, FIELDS);
        Compilation c = compile(source);
        assertThat(c)
                .hadErrorContaining("weights resource test/net.safetensors is not a valid safetensors file")
                .inFile(source)
                .onLineContaining("weights = ");
    }

    @Test
    void weightsOfAnotherArchitecture() throws IOException {
        resource(
                Map.of(SafeTensors.FINGERPRINT_KEY, "0123456789abcdef"),
                new int[] {4, 3},
                new int[] {3},
                new int[] {3, 2},
                new int[] {2});
        JavaFileObject source = network(HEADER, FIELDS);
        Compilation c = compile(source);
        assertThat(c)
                .hadErrorContaining("was saved from a different architecture (fingerprint 0123456789abcdef")
                .inFile(source)
                .onLineContaining("weights = ");
    }
}
