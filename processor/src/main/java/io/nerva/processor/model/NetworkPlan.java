package io.nerva.processor.model;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import java.util.List;
import java.util.Map;

/**
 * A network that passed every check: the input of the writing room. {@code enclosing} names the
 * classes a nested network class sits in, outermost first; {@code weights} is the checked
 * class-path resource of trained weights, or empty. {@code frozenLayers} names the layers declared
 * {@code trainable = false}.
 */
public record NetworkPlan(
        String packageName,
        List<String> enclosing,
        String userClass,
        String modelClass,
        Shape input,
        List<LayerPlan> layers,
        LossFunction loss,
        boolean trainable,
        String weights,
        Map<String, Regularization> regularizers,
        List<String> frozenLayers) {

    /** A network with no penalties and no layer declared frozen. */
    public NetworkPlan(
            String packageName,
            List<String> enclosing,
            String userClass,
            String modelClass,
            Shape input,
            List<LayerPlan> layers,
            LossFunction loss,
            boolean trainable,
            String weights) {
        this(
                packageName,
                enclosing,
                userClass,
                modelClass,
                input,
                layers,
                loss,
                trainable,
                weights,
                Map.of(),
                List.of());
    }

    /** The {@code @Regularize} of a layer, or {@link Regularization#NONE}. */
    public Regularization regularization(String layer) {
        return regularizers.getOrDefault(layer, Regularization.NONE);
    }

    /** Whether {@code layer} was declared {@code trainable = false}. */
    public boolean frozen(LayerPlan layer) {
        return frozenLayers.contains(layer.name());
    }

    /** Parameters the optimizer updates when the model is created: not state, not in a frozen layer. */
    public long trainedParamCount() {
        long n = 0;
        for (LayerPlan layer : layers) {
            if (frozen(layer)) continue;
            for (ParamTensor t : layer.params()) if (t.trainable()) n += t.size();
        }
        return n;
    }

    /** The generated class's name: {@code NetModel}, or {@code Outer_NetModel} for a nested class, so nested ones never clash. */
    public static String modelClassName(List<String> enclosing, String userClass) {
        return String.join("_", enclosing) + (enclosing.isEmpty() ? "" : "_") + userClass + "Model";
    }

    public LayerPlan lastLayer() {
        return layers.get(layers.size() - 1);
    }

    public Shape output() {
        return lastLayer().output();
    }

    /** The activation that produces the network's output (LINEAR when the last layer has none). */
    public ActivationType outputActivation() {
        ActivationType last = lastLayer().activation();
        return last == null ? ActivationType.LINEAR : last;
    }

    public long paramCount() {
        long n = 0;
        for (LayerPlan layer : layers) n = Math.addExact(n, layer.paramCount());
        return n;
    }

    /** Parameters that are state, not trained (BatchNorm's moving averages). */
    public long nonTrainableParamCount() {
        return layers.stream().mapToLong(LayerPlan::nonTrainableParamCount).sum();
    }
}
