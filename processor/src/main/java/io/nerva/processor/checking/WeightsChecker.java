package io.nerva.processor.checking;

import io.nerva.processor.model.FieldDecl;
import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.NetworkDecl;
import io.nerva.processor.model.NetworkPlan;
import io.nerva.processor.model.ParamTensor;
import io.nerva.processor.model.WeightsResource;
import io.nerva.format.NervaMetadata;
import io.nerva.processor.model.Fingerprint;
import io.nerva.format.TensorInfo;

import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

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
        switch (resource) {
            case WeightsResource.NotFound nf -> {
                diagnostics.error(decl.type(), decl.mirror(), where, "weights resource '" + name + "' not found: looked for "
                        + nf.looked() + " in the class output, class path and source path; put the file under "
                        + "src/main/resources/" + nf.looked());
                return false;
            }
            case WeightsResource.Unreadable u -> {
                diagnostics.error(decl.type(), decl.mirror(), where, "weights resource " + u.where()
                        + " is not a valid safetensors file: " + u.problem());
                return false;
            }
            case WeightsResource.Found found -> {
                return compare(decl, plan, found, where);
            }
        }
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
                AnnotationMirror mirror = field.annotations().getFirst().mirror();
                long[] expected = Arrays.stream(p.shape()).asLongStream().toArray();
                if (t == null) {
                    diagnostics.error(field.element(), mirror, null, layer.name() + ": weights resource " + found.where()
                            + " has no tensor '" + tensor + "' (expected shape " + p.shapeString() + ")");
                } else if (!Arrays.equals(t.shape(), expected)) {
                    diagnostics.error(field.element(), mirror, null, layer.name() + ": tensor '" + tensor + "' in "
                            + found.where() + " has shape " + Arrays.toString(t.shape()) + ", but this layer needs "
                            + p.shapeString());
                } else if (!t.dtype().name().matches("F32|F16|BF16|F64")) {
                    diagnostics.error(field.element(), mirror, null, layer.name() + ": tensor '" + tensor + "' in "
                            + found.where() + " has dtype " + t.dtype() + "; Nerva loads F32, F16, BF16 or F64");
                }
            }
        }
        for (String extra : inFile.keySet()) {
            diagnostics.error(decl.type(), decl.mirror(), where, "weights resource " + found.where() + " has tensor '"
                    + extra + "', which no layer of " + plan.userClass() + " declares");
        }
        String recorded = found.header().metadata().get(NervaMetadata.FINGERPRINT_KEY);
        String expected = Fingerprint.of(plan);
        if (diagnostics.errorCount() == errorsBefore && recorded != null && !recorded.equals(expected)) {
            diagnostics.error(decl.type(), decl.mirror(), where, "weights resource " + found.where()
                    + " was saved from a different architecture (fingerprint " + recorded + ", this network "
                    + expected + "): the shapes fit, but an activation or another setting changed since");
        }
        return diagnostics.errorCount() == errorsBefore;
    }

    private static FieldDecl field(NetworkDecl decl, String name) {
        return decl.layerFields().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }
}
