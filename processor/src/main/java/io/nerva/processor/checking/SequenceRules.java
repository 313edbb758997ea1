package io.nerva.processor.checking;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.Initializer;
import io.nerva.processor.model.AnnotationUse;
import io.nerva.processor.model.FieldDecl;
import io.nerva.processor.model.LayerKind;
import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.Shape;

import java.util.Optional;

/** The shape rules of the sequence family: SimpleRNN, LSTM, GRU and Embedding. */
final class SequenceRules {
    private final Diagnostics diagnostics;

    SequenceRules(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    Optional<LayerPlan> recurrent(FieldDecl field, AnnotationUse use, Shape in, String source) {
        String kind = use.kind().displayName();
        boolean ok = true;
        int units = use.intValue("value");
        if (units <= 0) {
            diagnostics.error(field.element(), use.mirror(), use.explicitValue("value"),
                    field.name() + ": " + kind + " needs a positive number of units, got " + units);
            ok = false;
        }
        if (!in.isSequence()) {
            diagnostics.error(field.element(), use.mirror(), null, field.name() + ": " + kind
                    + " needs a sequence input (timesteps, features) but receives " + in + " (from " + source + "); "
                    + sequenceFix(in, source));
            ok = false;
        }
        ActivationType activation = ActivationType.valueOf(use.enumValue("activation"));
        ok &= cellFunction(field, use, "activation", activation);
        ActivationType recurrentActivation = ActivationType.SIGMOID;
        if (use.kind() != LayerKind.SIMPLE_RNN) {
            recurrentActivation = ActivationType.valueOf(use.enumValue("recurrentActivation"));
            ok &= cellFunction(field, use, "recurrentActivation", recurrentActivation);
        }
        boolean useBias = use.booleanValue("useBias");
        boolean unitForgetBias = use.kind() == LayerKind.LSTM && use.booleanValue("unitForgetBias");
        boolean resetAfter = use.kind() == LayerKind.GRU && use.booleanValue("resetAfter");
        if (use.kind() == LayerKind.LSTM && !useBias && use.explicitValue("unitForgetBias") != null && unitForgetBias) {
            diagnostics.error(field.element(), use.mirror(), use.explicitValue("unitForgetBias"), field.name()
                    + ": unitForgetBias sets the forget gate's bias, but useBias = false leaves the LSTM without a bias; "
                    + "remove one of them");
            ok = false;
        }
        float initValue = (float) use.doubleValue("initValue");
        if (!Float.isFinite(initValue)) {
            diagnostics.error(field.element(), use.mirror(), use.explicitValue("initValue"), field.name()
                    + ": initValue must be a finite float, got " + use.doubleValue("initValue"));
            ok = false;
        }
        if (!ok) return Optional.empty();
        LayerPlan.Cell cell = switch (use.kind()) {
            case SIMPLE_RNN -> LayerPlan.Cell.SIMPLE_RNN;
            case LSTM -> LayerPlan.Cell.LSTM;
            case GRU -> LayerPlan.Cell.GRU;
            default -> throw new IllegalArgumentException("not a recurrent kind: " + use.kind());
        };
        return Optional.of(new LayerPlan.Recurrent(field.name(), cell, in, units, activation, recurrentActivation, useBias,
                use.booleanValue("returnSequences"), use.booleanValue("goBackwards"), unitForgetBias, resetAfter,
                Initializer.valueOf(use.enumValue("kernelInit")), Initializer.valueOf(use.enumValue("recurrentInit")),
                Initializer.valueOf(use.enumValue("biasInit")), initValue));
    }

    /** Softmax normalises across units, which a cell's element-wise gates cannot do. */
    private boolean cellFunction(FieldDecl field, AnnotationUse use, String attribute, ActivationType type) {
        if (type != ActivationType.SOFTMAX) return true;
        diagnostics.error(field.element(), use.mirror(), use.explicitValue(attribute), field.name() + ": " + attribute
                + " = SOFTMAX is not an element-wise function, so it cannot act inside a " + use.kind().displayName()
                + " cell; use TANH, SIGMOID or another element-wise function (put a softmax on a later @Dense)");
        return false;
    }

    private static String sequenceFix(Shape in, String source) {
        if (source.equals("the network input")) {
            return in.isFlat() ? "declare @Network(input = {timesteps, features}), e.g. {" + in.size() + ", 1}"
                    : "declare @Network(input = {timesteps, features}); for images, treat each row as a step: {height, width·channels}";
        }
        if (in.isFlat()) {
            return "the layer before returns one vector per sample; give " + source
                    + " returnSequences = true (a recurrent layer), or remove the @Flatten or global pool before it";
        }
        return "recurrent layers take {timesteps, features}; image layers cannot feed them directly";
    }

    Optional<LayerPlan> embedding(FieldDecl field, AnnotationUse use, Shape in, String source, boolean first) {
        boolean ok = true;
        if (!first) {
            diagnostics.error(field.element(), use.mirror(), null, field.name() + ": Embedding looks up token ids, so it must "
                    + "be the first layer (it receives " + in + " from " + source + ")");
            ok = false;
        } else if (!in.isFlat()) {
            diagnostics.error(field.element(), use.mirror(), null, field.name() + ": Embedding needs {timesteps} token ids "
                    + "per sample but the network input is " + in + "; declare @Network(input = {timesteps})");
            ok = false;
        }
        int inputDim = use.intValue("inputDim"), outputDim = use.intValue("outputDim");
        if (inputDim <= 0) {
            diagnostics.error(field.element(), use.mirror(), use.explicitValue("inputDim"), field.name()
                    + ": Embedding inputDim is the vocabulary size and must be positive, got " + inputDim);
            ok = false;
        }
        if (outputDim <= 0) {
            diagnostics.error(field.element(), use.mirror(), use.explicitValue("outputDim"), field.name()
                    + ": Embedding outputDim must be positive, got " + outputDim);
            ok = false;
        }
        float initValue = (float) use.doubleValue("initValue");
        if (!Float.isFinite(initValue)) {
            diagnostics.error(field.element(), use.mirror(), use.explicitValue("initValue"), field.name()
                    + ": initValue must be a finite float, got " + use.doubleValue("initValue"));
            ok = false;
        }
        if (!ok) return Optional.empty();
        return Optional.of(new LayerPlan.Embedding(field.name(), in, inputDim, outputDim,
                Initializer.valueOf(use.enumValue("embeddingsInit")), initValue));
    }
}
