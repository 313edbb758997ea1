package io.nerva.runtime.plot;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.Initializer;
import io.nerva.runtime.Layer;
import io.nerva.runtime.Param;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DOT text of a network: a node per layer, the shapes on the edges. */
class ModelDiagramTest {
    @Test
    void layersInOrderWithShapesOnTheEdges() {
        ParamSpec k = new ParamSpec("hidden.kernel", new int[] {784, 128}, 0, Initializer.ZEROS, 0, 784, 128);
        ParamSpec b = new ParamSpec("hidden.bias", new int[] {128}, 784 * 128, Initializer.ZEROS, 0, 784, 128);
        try (Parameters params = new Parameters(List.of(k, b), false)) {
            List<Layer> layers = List.of(
                    new Layer("pixels", "Flatten", new int[] {784}, null, null),
                    new Layer("hidden", "Dense", new int[] {128}, new Param(params, k), new Param(params, b)));
            String dot = ModelDiagram.dot("FashionMlpNet", new int[] {28, 28, 1}, layers);
            assertEquals("""
                    digraph "FashionMlpNet" {
                      graph [rankdir=TB, fontname="Helvetica", label="FashionMlpNet", labelloc=t];
                      node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"];
                      edge [fontname="Helvetica", fontsize=10];
                      input [label="input\\nInputLayer", fillcolor="#ffffff"];
                      l0 [label="pixels\\nFlatten"];
                      l1 [label="hidden\\nDense\\n100,480 params"];
                      input -> l0 [label="(None, 28, 28, 1)"];
                      l0 -> l1 [label="(None, 784)"];
                      output [shape=plaintext, style="", label=""];
                      l1 -> output [label="(None, 128)"];
                    }
                    """, dot);
        }
    }
}
