package io.nerva.processor.checking;

import io.nerva.format.NervaMetadata;
import io.nerva.format.TensorInfo;
import io.nerva.processor.model.FieldDecl;
import io.nerva.processor.model.Fingerprint;
import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.NetworkDecl;
import io.nerva.processor.model.NetworkPlan;
import io.nerva.processor.model.ParamTensor;
import io.nerva.processor.model.WeightsResource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;

/**
 * Checks an embedded weight resource against the declaration: every tensor a layer needs is
 * there with the declared shape (an error on that layer's field), and nothing else is.
 */
public final class WeightsChecker {
    private final Diagnostics diagnostics;

    public WeightsChecker(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** Returns whether the resource fits the network. */
    public boolean check(NetworkDecl decl, NetworkPlan plan, WeightsResource resource) {
        AnnotationValue where = decl.network().explicitValue("weights");
        String name = plan.weights();
        if (resource instanceof WeightsResource.NotFound nf) {
            diagnostics.report(Message.WEIGHTS_NOT_FOUND, decl.type(), decl.mirror(), where, name, nf.looked());
            return false;
        }
        if (resource instanceof WeightsResource.Unreadable u) {
            diagnostics.report(Message.WEIGHTS_UNREADABLE, decl.type(), decl.mirror(), where, u.where(), u.problem());
            return false;
        }
        return compare(decl, plan, (WeightsResource.Found) resource, where);
    }

    private boolean compare(NetworkDecl decl, NetworkPlan plan, WeightsResource.Found found, AnnotationValue where) {
        int errorsBefore = diagnostics.errorCount();
        Map<String, TensorInfo> inFile = new LinkedHashMap<>();
        for (TensorInfo t : found.header().tensors()) inFile.put(t.name(), t);
        for (LayerPlan layer : plan.layers()) {
            for (ParamTensor p : layer.params()) {
                String tensor = layer.name() + "." + p.suffix();
                TensorInfo t = inFile.remove(tensor);
                FieldDecl field = field(decl, layer.name());
                AnnotationMirror mirror = field.annotations().get(0).mirror();
                long[] expected = Arrays.stream(p.shape()).asLongStream().toArray();
                if (t == null) {
                    diagnostics.report(
                            Message.WEIGHTS_MISSING_TENSOR,
                            field.element(),
                            mirror,
                            null,
                            layer.name(),
                            found.where(),
                            tensor,
                            p.shapeString());
                } else if (!Arrays.equals(t.shape(), expected)) {
                    diagnostics.report(
                            Message.WEIGHTS_TENSOR_SHAPE,
                            field.element(),
                            mirror,
                            null,
                            layer.name(),
                            tensor,
                            found.where(),
                            Arrays.toString(t.shape()),
                            p.shapeString());
                } else if (!t.dtype().name().matches("F32|F16|BF16|F64")) {
                    diagnostics.report(
                            Message.WEIGHTS_TENSOR_DTYPE,
                            field.element(),
                            mirror,
                            null,
                            layer.name(),
                            tensor,
                            found.where(),
                            t.dtype());
                }
            }
        }
        for (String extra : inFile.keySet()) {
            diagnostics.report(
                    Message.WEIGHTS_EXTRA_TENSOR,
                    decl.type(),
                    decl.mirror(),
                    where,
                    found.where(),
                    extra,
                    plan.userClass());
        }
        String recorded = found.header().metadata().get(NervaMetadata.FINGERPRINT_KEY);
        String expected = Fingerprint.of(plan);
        if (diagnostics.errorCount() == errorsBefore && recorded != null && !recorded.equals(expected)) {
            diagnostics.report(
                    Message.WEIGHTS_OTHER_ARCHITECTURE,
                    decl.type(),
                    decl.mirror(),
                    where,
                    found.where(),
                    recorded,
                    expected);
        }
        return diagnostics.errorCount() == errorsBefore;
    }

    private static FieldDecl field(NetworkDecl decl, String name) {
        return decl.layerFields().stream()
                .filter(f -> f.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
