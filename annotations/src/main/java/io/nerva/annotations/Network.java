package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * Marks an abstract class whose annotated fields, in declaration order, are the layers of a
 * network. The annotation processor generates {@code <ClassName>Model}, a subclass with the
 * forward and backward passes for exactly this network.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Network {
    /** Shape of one sample, batch implicit: {@code {features}} or {@code {height, width, channels}}. */
    int[] input();

    /**
     * The loss this network is trained with, checked against the output layer at compile time.
     * {@link LossFunction#UNSPECIFIED} leaves the choice to {@code Fit.loss(...)} at run time.
     */
    LossFunction loss() default LossFunction.UNSPECIFIED;

    /** Whether the network is only used for inference (allows forward-only activations). */
    boolean inferenceOnly() default false;

    /**
     * A safetensors class-path resource holding trained weights for this network, relative to
     * the class's package unless it starts with {@code /} (as {@link Class#getResource}). The
     * processor checks every tensor name and shape against the declaration at compile time, and
     * the generated model gains {@code pretrained()}, which loads it.
     */
    String weights() default "";
}
