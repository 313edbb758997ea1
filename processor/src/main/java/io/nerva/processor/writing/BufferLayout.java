package io.nerva.processor.writing;

import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.NetworkPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * The workspace buffers of a network. Each layer's emitter declares its own buffers here, in
 * layer order, and keeps the handles it reads and writes: no buffer is tied to its user by a name
 * string, and a buffer nobody reads is never declared. Shared rules: Flatten aliases its input,
 * element-wise layers work on their gradient in place, and a gradient buffer exists only where some
 * layer up to this one has parameters to train, or the loss writes it. The gradients from the first
 * layer with parameters back to the input exist only in input-gradient workspaces
 * ({@code Model.inputGradient}); a network without parameters has them in every training workspace.
 */
final class BufferLayout {

    /**
     * A buffer of {@code perRow} floats per batch row, or {@code perRow} floats in all when
     * {@code perBatch} (per-channel scratch). {@code trainingOnly} buffers are {@code NULL} in an
     * inference workspace, or {@code inferenceAlias} where a layer passes its input through.
     * {@link #toString()} is how generated code reads it, {@code ws.<name>}. {@code inputGradientOnly}
     * buffers exist only in input-gradient workspaces.
     */
    record Buffer(
            String name,
            long perRow,
            boolean trainingOnly,
            Buffer inferenceAlias,
            String comment,
            boolean perBatch,
            boolean inputGradientOnly) {
        @Override
        public String toString() {
            return "ws." + name;
        }
    }

    /** What a layer receives: its input and the gradient buffer of that input (null: not needed). */
    record Upstream(Buffer in, Buffer inGrad, boolean paramsBefore, boolean last) {
        /** Whether this layer's output needs a gradient buffer: the loss writes it, or earlier parameters need it. */
        boolean outputGradNeeded(LayerPlan layer) {
            return last || paramsBefore || !layer.params().isEmpty();
        }
    }

    final List<Buffer> buffers = new ArrayList<>();
    final List<Wiring> wirings = new ArrayList<>();
    final List<LayerEmitter> emitters = new ArrayList<>();
    final Buffer output;
    final Buffer logits;
    final Buffer outputGrad;
    /** dLoss/dinput, or null when the input is token ids (an Embedding first). */
    final Buffer inputGrad;
    /** Whether gradient buffers below the first layer with parameters are for input gradients only. */
    private final boolean anyParams;

    private final long paramCount;
    private Buffer gradientScratch;

    BufferLayout(NetworkPlan plan) {
        Buffer current = add("input", plan.input().count(), "network input " + plan.input());
        anyParams = plan.layers().stream().anyMatch(l -> !l.params().isEmpty());
        paramCount = plan.paramCount();
        boolean tokenIds = plan.layers().get(0) instanceof LayerPlan.Embedding;
        Buffer currentGrad = tokenIds
                ? null
                : addInputGradient("input$grad", plan.input().count(), "dLoss/dinput (input gradients)");
        this.inputGrad = currentGrad;
        boolean params = false;
        Wiring wiring = null;
        List<LayerPlan> layers = plan.layers();
        for (int i = 0; i < layers.size(); i++) {
            LayerPlan layer = layers.get(i);
            LayerEmitter emitter = LayerEmitter.forLayer(layer);
            wiring = emitter.wire(this, new Upstream(current, currentGrad, params, i == layers.size() - 1));
            wirings.add(wiring);
            emitters.add(emitter);
            current = wiring.out();
            currentGrad = wiring.outGrad();
            params |= !layer.params().isEmpty();
        }
        this.output = current;
        this.logits = wiring == null ? current : wiring.logits();
        this.outputGrad = currentGrad;
    }

    /** A buffer of every workspace. */
    Buffer add(String name, long perRow, String comment) {
        return add(new Buffer(name, perRow, false, null, comment, false, false));
    }

    /** A buffer only training workspaces have. */
    Buffer addTraining(String name, long perRow, String comment) {
        return add(new Buffer(name, perRow, true, null, comment, false, false));
    }

    /** A training-only buffer that inference workspaces replace by {@code alias}. */
    Buffer addTrainingAliased(String name, long perRow, Buffer alias, String comment) {
        return add(new Buffer(name, perRow, true, alias, comment, false, false));
    }

    /** Training-only scratch of {@code floats} in all, independent of the batch size. */
    Buffer addTrainingPerBatch(String name, long floats, String comment) {
        return add(new Buffer(name, floats, true, null, comment, true, false));
    }

    /** A gradient below every layer with parameters: only input-gradient workspaces need it (any training one without parameters). */
    Buffer addInputGradient(String name, long perRow, String comment) {
        return add(new Buffer(name, perRow, true, null, comment, false, anyParams));
    }

    /** Scratch of {@code floats} in all that only input-gradient workspaces have. */
    Buffer addInputGradientPerBatch(String name, long floats, String comment) {
        return add(new Buffer(name, floats, true, null, comment, true, true));
    }

    /**
     * Parameter gradients that kernels computing them along with dX (the recurrent ones) write in an
     * input-gradient pass, instead of the model's own; as big as the parameter buffer, made once.
     */
    Buffer parameterGradientScratch() {
        if (gradientScratch == null) {
            gradientScratch = addInputGradientPerBatch(
                    "params$scratchgrad",
                    Math.max(1, paramCount),
                    "parameter gradients an input-gradient pass has no use for");
        }
        return gradientScratch;
    }

    /** A training buffer that exists where {@code gradient} does (argmax indices serving that gradient). */
    Buffer addWith(BufferLayout.Buffer gradient, String name, long perRow, String comment) {
        return add(new Buffer(name, perRow, true, null, comment, false, gradient.inputGradientOnly()));
    }

    private Buffer add(Buffer b) {
        buffers.add(b);
        return b;
    }

    /** The output gradient of a layer that changes the shape: its own buffer, where anything needs it. */
    Buffer shapeGrad(LayerPlan layer, Upstream up) {
        String comment = layer.name() + ": dLoss/d" + layer.name();
        if (up.outputGradNeeded(layer))
            return addTraining(layer.name() + "Grad", layer.output().count(), comment);
        if (up.inGrad() == null) return null; // nothing flows below token ids
        return addInputGradient(layer.name() + "Grad", layer.output().count(), comment + " (input gradients)");
    }

    /**
     * Element-wise layers reuse their input's gradient buffer; a fresh one where none exists, or where the
     * input's exists only for input gradients while training needs this one (a PReLU after a leading Flatten).
     */
    Buffer elementwiseGrad(LayerPlan layer, Upstream up) {
        boolean reusable = up.inGrad() != null && !(up.inGrad().inputGradientOnly() && up.outputGradNeeded(layer));
        return reusable ? up.inGrad() : shapeGrad(layer, up);
    }

    /** Floats per batch row of a training or an inference workspace (per-batch scratch excluded). */
    long floatsPerRow(boolean training) {
        long n = 0;
        for (Buffer b : buffers) {
            if (!b.perBatch() && !b.inputGradientOnly() && (training || !b.trainingOnly())) n += b.perRow();
        }
        return n;
    }
}
