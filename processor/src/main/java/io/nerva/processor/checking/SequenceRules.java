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
            diagnostics.report(
                    Message.RECURRENT_UNITS,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("value"),
                    field.name(),
                    kind,
                    units);
            ok = false;
        }
        if (!in.isSequence()) {
            reportNotASequence(field, use, in, source);
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
            diagnostics.report(
                    Message.UNIT_FORGET_BIAS_WITHOUT_BIAS,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("unitForgetBias"),
                    field.name());
            ok = false;
        }
        float initValue = (float) use.doubleValue("initValue");
        if (!Float.isFinite(initValue)) {
            diagnostics.report(
                    Message.INIT_VALUE_NOT_FINITE,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("initValue"),
                    field.name(),
                    use.doubleValue("initValue"));
            ok = false;
        }
        if (!ok) return Optional.empty();
        LayerPlan.Cell cell = switch (use.kind()) {
            case SIMPLE_RNN -> LayerPlan.Cell.SIMPLE_RNN;
            case LSTM -> LayerPlan.Cell.LSTM;
            case GRU -> LayerPlan.Cell.GRU;
            default -> throw new IllegalArgumentException("not a recurrent kind: " + use.kind());
        };
        return Optional.of(new LayerPlan.Recurrent(
                field.name(),
                cell,
                in,
                units,
                activation,
                recurrentActivation,
                useBias,
                use.booleanValue("returnSequences"),
                use.booleanValue("goBackwards"),
                unitForgetBias,
                resetAfter,
                Initializer.valueOf(use.enumValue("kernelInit")),
                Initializer.valueOf(use.enumValue("recurrentInit")),
                Initializer.valueOf(use.enumValue("biasInit")),
                initValue));
    }

    /** Softmax normalises across units, which a cell's element-wise gates cannot do. */
    private boolean cellFunction(FieldDecl field, AnnotationUse use, String attribute, ActivationType type) {
        if (type != ActivationType.SOFTMAX) return true;
        diagnostics.report(
                Message.SOFTMAX_IN_CELL,
                field.element(),
                use.mirror(),
                use.explicitValue(attribute),
                field.name(),
                attribute,
                use.kind().displayName());
        return false;
    }

    /** A recurrent layer on a vector or an image, with the fix that fits where its input comes from. */
    private void reportNotASequence(FieldDecl field, AnnotationUse use, Shape in, String source) {
        String kind = use.kind().displayName();
        if (source.equals(NetworkChecker.NETWORK_INPUT)) {
            diagnostics.report(
                    in.isFlat() ? Message.SEQUENCE_INPUT_NEEDED_FLAT : Message.SEQUENCE_INPUT_NEEDED_IMAGE,
                    field.element(),
                    use.mirror(),
                    null,
                    field.name(),
                    kind,
                    in);
        } else {
            diagnostics.report(
                    in.isFlat() ? Message.RECURRENT_AFTER_VECTOR : Message.RECURRENT_AFTER_IMAGE,
                    field.element(),
                    use.mirror(),
                    null,
                    field.name(),
                    kind,
                    in,
                    source);
        }
    }

    Optional<LayerPlan> embedding(FieldDecl field, AnnotationUse use, Shape in, String source, boolean first) {
        boolean ok = true;
        if (!first) {
            diagnostics.report(
                    Message.EMBEDDING_NOT_FIRST, field.element(), use.mirror(), null, field.name(), in, source);
            ok = false;
        } else if (!in.isFlat()) {
            diagnostics.report(Message.EMBEDDING_INPUT, field.element(), use.mirror(), null, field.name(), in);
            ok = false;
        }
        int inputDim = use.intValue("inputDim"), outputDim = use.intValue("outputDim");
        if (inputDim <= 0) {
            diagnostics.report(
                    Message.EMBEDDING_INPUT_DIM,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("inputDim"),
                    field.name(),
                    inputDim);
            ok = false;
        }
        if (outputDim <= 0) {
            diagnostics.report(
                    Message.EMBEDDING_OUTPUT_DIM,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("outputDim"),
                    field.name(),
                    outputDim);
            ok = false;
        }
        float initValue = (float) use.doubleValue("initValue");
        if (!Float.isFinite(initValue)) {
            diagnostics.report(
                    Message.INIT_VALUE_NOT_FINITE,
                    field.element(),
                    use.mirror(),
                    use.explicitValue("initValue"),
                    field.name(),
                    use.doubleValue("initValue"));
            ok = false;
        }
        if (!ok) return Optional.empty();
        return Optional.of(new LayerPlan.Embedding(
                field.name(),
                in,
                inputDim,
                outputDim,
                Initializer.valueOf(use.enumValue("embeddingsInit")),
                initValue));
    }
}
