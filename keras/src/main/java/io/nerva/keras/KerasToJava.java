package io.nerva.keras;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Turns a Keras Sequential model into an annotated Nerva network class plus its trained weights:
 *
 * <pre>
 * java -jar nerva-keras-cli.jar MODEL.keras|MODEL.h5 PACKAGE CLASS OUTPUT_DIR
 * </pre>
 *
 * writes {@code OUTPUT_DIR/java/<package path>/CLASS.java} (with {@code @Network(weights = "CLASS.safetensors")})
 * and {@code OUTPUT_DIR/resources/<package path>/CLASS.safetensors}; with {@code OUTPUT_DIR = src/main} they land
 * where Maven looks for them. Before writing anything, the declaration is compiled with Nerva's annotation
 * processor and the Keras weights are loaded into it ({@link KerasWeights}), so a written pair always fits; the
 * weights file is that model's own {@code save}, with its architecture fingerprint. A model Nerva cannot
 * express is refused with every unsupported item listed ({@link UnsupportedKerasModelException}).
 */
public final class KerasToJava {
    private KerasToJava() {}

    /** The two files written. */
    public record Output(Path source, Path weights, KerasWeights.Report report) {}

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: KerasToJava MODEL.keras|MODEL.h5 PACKAGE CLASS OUTPUT_DIR\n"
                    + "  writes OUTPUT_DIR/java/<package>/CLASS.java and OUTPUT_DIR/resources/<package>/CLASS.safetensors\n"
                    + "  (OUTPUT_DIR = src/main puts them where Maven looks); PACKAGE may be \"\" for none");
            System.exit(2);
        }
        try {
            Output out = convert(Path.of(args[0]), args[1], args[2], Path.of(args[3]));
            System.out.println("wrote " + out.source());
            System.out.println("wrote " + out.weights());
            System.out.println(out.report());
        } catch (UnsupportedKerasModelException | IOException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }

    /** Reads, translates, compiles and checks, then writes the class and its weights; see the class comment. */
    public static Output convert(Path kerasFile, String packageName, String className, Path outputDir)
            throws IOException, UnsupportedKerasModelException {
        if (!packageName.isEmpty() && !javax.lang.model.SourceVersion.isName(packageName)) {
            throw new IllegalArgumentException("'" + packageName + "' is not a Java package name");
        }
        if (!javax.lang.model.SourceVersion.isIdentifier(className)
                || javax.lang.model.SourceVersion.isKeyword(className)) {
            throw new IllegalArgumentException("'" + className + "' is not a Java class name");
        }
        KerasModel keras = KerasReader.read(kerasFile);
        KerasConverter.JavaNetwork network = KerasConverter.translate(keras, packageName, className);
        String qualified = packageName.isEmpty() ? className : packageName + "." + className;
        String weightsName = className + ".safetensors";
        Path packageDir = Path.of("", packageName.isEmpty() ? new String[0] : packageName.split("\\."));
        Path sourceFile = outputDir.resolve("java").resolve(packageDir).resolve(className + ".java");
        Path weightsFile = outputDir.resolve("resources").resolve(packageDir).resolve(weightsName);
        KerasWeights.Report report;
        // The weights attribute is left out for this check: the resource does not exist yet.
        try (NetworkCompiler compiled = NetworkCompiler.compile(qualified, network.source(null))) {
            report = KerasWeights.load(compiled.model(), keras);
            Files.createDirectories(weightsFile.getParent());
            compiled.model().save(weightsFile);
        }
        Files.createDirectories(sourceFile.getParent());
        writeAtomically(sourceFile, network.source(weightsName));
        return new Output(sourceFile, weightsFile, report);
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
