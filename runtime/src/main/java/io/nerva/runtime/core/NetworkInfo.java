package io.nerva.runtime.core;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import java.util.List;

/**
 * The constant facts the annotation processor computed about one network: one instance per
 * generated class, so the class itself holds only what differs between networks.
 *
 * @param name             the user's network class
 * @param inputShape       shape of one input sample
 * @param inputSize        floats per input sample (the product of {@code inputShape}, computed once)
 * @param outputSize       floats per output sample
 * @param outputActivation activation of the last layer (decides loss fusion)
 * @param declaredLoss     {@code @Network(loss = ...)}, or UNSPECIFIED
 * @param trainable        false for {@code @Network(inferenceOnly = true)}
 * @param summary          the Keras-like summary
 * @param fingerprint      the architecture hash weight files record
 * @param params           every parameter tensor, back to back in one buffer
 */
public record NetworkInfo(
        String name,
        int[] inputShape,
        int inputSize,
        int outputSize,
        ActivationType outputActivation,
        LossFunction declaredLoss,
        boolean trainable,
        String summary,
        String fingerprint,
        List<ParamSpec> params) {}
