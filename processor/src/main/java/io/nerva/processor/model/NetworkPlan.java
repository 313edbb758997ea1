package io.nerva.processor.model;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;

import java.util.List;

/**
 * A network that passed every check: the input of the writing room. {@code weights} is the
 * checked class-path resource of trained weights, or empty.
 */
public record NetworkPlan(String packageName, String userClass, String modelClass, Shape input,
                          List<LayerPlan> layers, LossFunction loss, boolean trainable, String weights) {

    public Shape output() {
        return layers.getLast().output();
    }

    /** The activation that produces the network's output (LINEAR when the last layer has none). */
    public ActivationType outputActivation() {
        return switch (layers.getLast()) {
            case LayerPlan.Dense d -> d.activation();
            case LayerPlan.Activation a -> a.activation();
            case LayerPlan.Conv2D c -> c.activation();
            default -> ActivationType.LINEAR;
        };
    }

    public long paramCount() {
        return layers.stream().mapToLong(LayerPlan::paramCount).sum();
    }

    /** Parameters that are state, not trained (BatchNorm's moving averages). */
    public long nonTrainableParamCount() {
        return layers.stream().mapToLong(LayerPlan::nonTrainableParamCount).sum();
    }
}
