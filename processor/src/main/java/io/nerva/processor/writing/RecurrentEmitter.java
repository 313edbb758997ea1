package io.nerva.processor.writing;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import io.nerva.processor.model.LayerPlan;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * SimpleRNN, LSTM and GRU: the runtime kernel does forward and backward through time for the
 * constant spec emitted here. Its {@code state} buffer keeps what backward needs (and what each step
 * reads of the one before); {@code scratch} is backward-only working memory. The sizes are
 * {@link RecurrentSizes}, the same closed formulas the kernels check their buffers against.
 */
final class RecurrentEmitter implements LayerEmitter {
    private final LayerPlan.Recurrent layer;
    private BufferLayout.Buffer state;
    private BufferLayout.Buffer scratch;
    private BufferLayout.Buffer gradScratch;

    RecurrentEmitter(LayerPlan.Recurrent layer) {
        this.layer = layer;
    }

    private ClassName kernels() {
        return ClassName.get(
                RUNTIME + ".kernels",
                switch (layer.cell()) {
                    case SIMPLE_RNN -> "SimpleRnnKernels";
                    case LSTM -> "LstmKernels";
                    case GRU -> "GruKernels";
                });
    }

    private String specName() {
        return Names.constant(layer.name()) + "_SPEC";
    }

    @Override
    public Wiring wire(BufferLayout layout, BufferLayout.Upstream up) {
        String name = layer.name();
        state = layout.add(
                name + "State",
                RecurrentSizes.statePerRow(layer),
                name + ": gates, cell and hidden states of every step, kept for backward through time");
        var out = layout.add(
                name + "Out",
                layer.output().count(),
                name + (layer.returnSequences() ? ": the hidden state of every step" : ": the last hidden state"));
        scratch = layout.addTraining(
                name + "Scratch",
                RecurrentSizes.scratchPerRow(layer),
                name + ": gate and state gradients of backward through time");
        var outGrad = layout.addTraining(name + "Grad", layer.output().count(), name + ": dLoss/d" + out.name());
        if (up.inGrad() != null) gradScratch = layout.parameterGradientScratch();
        return new Wiring(layer, up.in(), out, out, up.inGrad(), outGrad, up.last());
    }

    @Override
    public String describe() {
        return layer.name() + ": " + layer.cell().kerasName + " " + layer.input() + " → " + layer.output() + ", "
                + layer.cellActivation()
                + (layer.cell() == LayerPlan.Cell.SIMPLE_RNN ? "" : "/" + layer.recurrentActivation())
                + (layer.goBackwards() ? ", backwards" : "") + (layer.useBias() ? "" : ", no bias")
                + (layer.cell() == LayerPlan.Cell.GRU ? (layer.resetAfter() ? ", reset after" : ", reset before") : "");
    }

    @Override
    public List<FieldSpec> constants() {
        CodeBlock args = switch (layer.cell()) {
            case SIMPLE_RNN ->
                CodeBlock.of(
                        "$L, $L, $L, $L, $L, $L, $T.$L",
                        layer.timesteps(),
                        layer.features(),
                        layer.units(),
                        layer.useBias(),
                        layer.returnSequences(),
                        layer.goBackwards(),
                        ACTIVATION_TYPE,
                        layer.cellActivation());
            case LSTM ->
                CodeBlock.of(
                        "$L, $L, $L, $L, $L, $L, $T.$L, $T.$L",
                        layer.timesteps(),
                        layer.features(),
                        layer.units(),
                        layer.useBias(),
                        layer.returnSequences(),
                        layer.goBackwards(),
                        ACTIVATION_TYPE,
                        layer.cellActivation(),
                        ACTIVATION_TYPE,
                        layer.recurrentActivation());
            case GRU ->
                CodeBlock.of(
                        "$L, $L, $L, $L, $L, $L, $L, $T.$L, $T.$L",
                        layer.timesteps(),
                        layer.features(),
                        layer.units(),
                        layer.useBias(),
                        layer.returnSequences(),
                        layer.goBackwards(),
                        layer.resetAfter(),
                        ACTIVATION_TYPE,
                        layer.cellActivation(),
                        ACTIVATION_TYPE,
                        layer.recurrentActivation());
        };
        ClassName spec = kernels().nestedClass("Spec");
        return List.of(FieldSpec.builder(spec, specName(), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", describe())
                .initializer("new $T($L)", spec, args)
                .build());
    }

    private CodeBlock offsets() {
        return CodeBlock.of(
                "$L, $L, $L",
                LayerEmitter.offset(layer, "kernel"),
                LayerEmitter.offset(layer, "recurrent_kernel"),
                LayerEmitter.biasOffset(layer, layer.useBias()));
    }

    @Override
    public CodeBlock forward(Wiring w) {
        return CodeBlock.builder()
                .addStatement("$L.forward($L, w, $L, $L, $L, rows)", specName(), w.in(), offsets(), state, w.out())
                .build();
    }

    @Override
    public CodeBlock backward(Wiring w) {
        CodeBlock.Builder code = CodeBlock.builder().add(LayerEmitter.skipUnlessWanted(w));
        CodeBlock grads = CodeBlock.of("g");
        if (w.inGrad() != null) {
            // the kernel computes dW, dU, db along with dX: a frozen layer or an input-gradient pass writes them aside
            code.addStatement("$T grads = trains ? g : ws.inputGradients() ? $L : g", MEMORY_SEGMENT, gradScratch);
            grads = CodeBlock.of("grads");
        }
        code.add(
                        w.inGrad() == null
                                ? "// through time: gate gradients, dW, dU, db\n"
                                : "// through time: gate gradients, dW, dU, db, and dX when wanted\n")
                .addStatement(
                        "$L.backward($L, w, $L, $L, $L, $L, $L, $L, rows)",
                        specName(),
                        w.in(),
                        offsets(),
                        state,
                        scratch,
                        w.outGrad(),
                        grads,
                        LayerEmitter.inGradIfWanted(w));
        if (w.inGrad() != null) {
            code.beginControlFlow("if (!trains && !ws.inputGradients())")
                    .add("// frozen: its gradient stays zero\n")
                    .addStatement(
                            "g.asSlice($L * 4L, $LL * 4L).fill((byte) 0)",
                            LayerEmitter.offset(layer, "kernel"),
                            layer.paramCount())
                    .endControlFlow();
        }
        return code.build();
    }

    @Override
    public CodeBlock afterInitialize() {
        if (layer.cell() != LayerPlan.Cell.LSTM || !layer.useBias() || !layer.unitForgetBias()) return CodeBlock.of("");
        return CodeBlock.builder()
                .add(
                        "// $L: unit forget bias, the forget gate's slice of the bias starts at 1 (Keras' unit_forget_bias)\n",
                        layer.name())
                .beginControlFlow("for (long i = 0; i < $L; i++)", layer.units())
                .addStatement(
                        "values.setAtIndex($T.JAVA_FLOAT, $L + $L + i, 1f)",
                        ClassName.get("java.lang.foreign", "ValueLayout"),
                        LayerEmitter.offset(layer, "bias"),
                        layer.units())
                .endControlFlow()
                .build();
    }
}
