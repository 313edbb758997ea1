package io.nerva.processor.writing;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.ParamTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * A {@code @Custom} layer: one instance of the user's class per generated class (a constant), its spec (shapes
 * and parameter offsets) as another, and calls through the runtime's {@code CustomLayers}, which hand the user's
 * code bounds-checked slices. Output and input gradient get their own buffers: the user's code may read an
 * output gradient after writing an input gradient.
 */
final class CustomEmitter implements LayerEmitter {
    private static final ClassName CUSTOM_LAYERS = ClassName.get(RUNTIME + ".custom", "CustomLayers");
    private static final ClassName CUSTOM_LAYER = ClassName.get(RUNTIME + ".custom", "CustomLayer");
    private static final ClassName CUSTOM_SPEC = ClassName.get(RUNTIME + ".custom", "CustomSpec");
    private final LayerPlan.Custom layer;

    CustomEmitter(LayerPlan.Custom layer) {
        this.layer = layer;
    }

    private ClassName userClass() {
        List<String> names = layer.names();
        return ClassName.get(
                layer.packageName(),
                names.get(0),
                names.subList(1, names.size()).toArray(String[]::new));
    }

    private String instance() {
        return Names.constant(layer.name()) + "_LAYER";
    }

    private String spec() {
        return Names.constant(layer.name()) + "_SPEC";
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        var out = layout.add(
                layer.name() + "Out",
                layer.output().count(),
                layer.name() + ": " + layer.typeName() + "(" + up.in().name() + ")");
        return new Wiring(layer, up.in(), out, out, up.inGrad(), layout.shapeGrad(layer, up), up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": @Custom " + layer.qualifiedName() + " " + layer.input() + " → " + layer.output();
    }

    @Override
    public List<FieldSpec> constants() {
        CodeBlock create = layer.elementwise()
                ? CodeBlock.of("$T.activation(new $T())", CUSTOM_LAYERS, userClass())
                : CodeBlock.of("new $T()", userClass());
        List<CodeBlock> offsets = new ArrayList<>(), shapes = new ArrayList<>(), names = new ArrayList<>();
        for (ParamTensor t : layer.params()) {
            names.add(CodeBlock.of("$S", t.suffix()));
            offsets.add(CodeBlock.of("$L", LayerEmitter.offset(layer, t.suffix())));
            shapes.add(CodeBlock.of("{$L}", ints(t.shape())));
        }
        return List.of(
                FieldSpec.builder(CUSTOM_LAYER, instance(), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("$L: one instance for every model and thread of this class.\n", layer.name())
                        .initializer(create)
                        .build(),
                FieldSpec.builder(CUSTOM_SPEC, spec(), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .initializer(
                                "new $T($S, new int[] {$L}, new int[] {$L}, $L, new String[] {$L}, new long[] {$L}, new int[][] {$L})",
                                CUSTOM_SPEC,
                                layer.name(),
                                ints(layer.input().dims()),
                                ints(layer.output().dims()),
                                layer.units(),
                                CodeBlock.join(names, ", "),
                                CodeBlock.join(offsets, ", "),
                                CodeBlock.join(shapes, ", "))
                        .build());
    }

    private static String ints(int[] dims) {
        return java.util.Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement("$T.forward($L, $L, $L, $L, w, rows)", CUSTOM_LAYERS, instance(), spec(), w.in(), w.out())
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        if (w.inGrad() == null && layer.params().isEmpty()) return CodeBlock.of("");
        return CodeBlock.builder()
                .add(LayerEmitter.skipUnlessWanted(w))
                .addStatement(
                        "$T.backward($L, $L, $L, $L, $L, $L, w, g, rows)",
                        CUSTOM_LAYERS,
                        instance(),
                        spec(),
                        w.in(),
                        w.out(),
                        w.outGrad(),
                        LayerEmitter.inGradIfWanted(w))
                .build();
    }
}
