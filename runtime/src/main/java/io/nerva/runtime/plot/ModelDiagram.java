package io.nerva.runtime.plot;

import io.nerva.runtime.Layer;
import io.nerva.runtime.Model;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The network as a Graphviz DOT graph, as Keras' {@code plot_model(show_shapes=True)}: a box per
 * layer (name, type, parameter count), the input on top, the tensor shape on every edge
 * ({@code None} for the batch).
 *
 * <pre>{@code
 * Files.writeString(Path.of("net.dot"), ModelDiagram.dot(net));
 * ModelDiagram.render(net, Path.of("net.svg"));       // runs Graphviz' dot when installed
 * }</pre>
 */
public final class ModelDiagram {
    private ModelDiagram() {}

    /** The DOT text of {@code model}. */
    public static String dot(Model model) {
        Objects.requireNonNull(model, "model");
        return dot(model.name(), model.inputShape(), model.layers());
    }

    static String dot(String name, int[] inputShape, List<Layer> layers) {
        StringBuilder sb = new StringBuilder();
        sb.append("digraph ").append(quote(name)).append(" {\n");
        sb.append("  graph [rankdir=TB, fontname=\"Helvetica\", label=")
                .append(quote(name))
                .append(", labelloc=t];\n");
        sb.append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];\n");
        sb.append("  edge [fontname=\"Helvetica\", fontsize=10];\n");
        sb.append("  input [label=\"input\\nInputLayer\", fillcolor=\"#ffffff\"];\n");
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            String params = l.paramCount() == 0 ? "" : String.format(Locale.ROOT, "\\n%,d params", l.paramCount());
            sb.append("  l")
                    .append(i)
                    .append(" [label=")
                    .append(quote(l.name() + "\\n" + l.type() + params, false))
                    .append("];\n");
        }
        String previous = "input";
        int[] shape = inputShape;
        for (int i = 0; i < layers.size(); i++) {
            sb.append("  ")
                    .append(previous)
                    .append(" -> l")
                    .append(i)
                    .append(" [label=")
                    .append(quote(shape(shape)))
                    .append("];\n");
            previous = "l" + i;
            shape = layers.get(i).outputShape();
        }
        sb.append("  output [shape=plaintext, style=\"\", label=\"\"];\n");
        sb.append("  ")
                .append(previous)
                .append(" -> output [label=")
                .append(quote(shape(shape)))
                .append("];\n");
        sb.append("}\n");
        return sb.toString();
    }

    /** {@code (None, 28, 28, 1)}, as Keras prints shapes. */
    static String shape(int[] shape) {
        StringBuilder sb = new StringBuilder("(None");
        for (int d : shape) sb.append(", ").append(d);
        return sb.append(')').toString();
    }

    private static String quote(String s) {
        return quote(s, true);
    }

    private static String quote(String s, boolean escapeBackslash) {
        String t = escapeBackslash ? s.replace("\\", "\\\\") : s;
        return '"' + t.replace("\"", "\\\"") + '"';
    }

    /**
     * Writes the diagram to {@code file}: {@code .dot} as text, {@code .svg} or {@code .png}
     * through Graphviz' {@code dot} command.
     *
     * @throws IOException when {@code dot} is needed but not installed (saying how to get it),
     *                     fails, or the extension is none of those
     */
    public static void render(Model model, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        String text = dot(model);
        String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String format = fileName.endsWith(".dot")
                ? "dot"
                : fileName.endsWith(".svg") ? "svg" : fileName.endsWith(".png") ? "png" : null;
        if (format == null) throw new IOException("expected a .dot, .svg or .png file, got " + file);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
        try {
            if (format.equals("dot")) {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
            } else {
                Process p;
                try {
                    p = new ProcessBuilder("dot", "-T" + format, "-o", tmp.toString())
                            .redirectErrorStream(true)
                            .start();
                } catch (IOException e) {
                    throw new IOException(
                            "Graphviz 'dot' is not installed (apt-get install graphviz); write a .dot file instead", e);
                }
                p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                try {
                    if (!p.waitFor(60, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new IOException("Graphviz 'dot' did not finish in 60 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for Graphviz 'dot'", e);
                }
                if (p.exitValue() != 0)
                    throw new IOException("Graphviz 'dot' failed (exit " + p.exitValue() + "): " + out.strip());
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
