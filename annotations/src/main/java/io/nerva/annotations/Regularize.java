package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * L1 and L2 penalties on the parameters of the layer on the same field, as Keras'
 * {@code kernel_regularizer=L1L2(l1, l2)} and {@code bias_regularizer}: the training loss becomes
 * {@code loss + Σ l1·|w| + l2·w²} over the penalised tensors, and their gradients gain
 * {@code l1·sign(w) + 2·l2·w}. The loss {@code fit} and {@code evaluate} report includes the penalty, as Keras'.
 *
 * <p>The kernel penalties apply to the layer's main weight tensor: {@code kernel} of {@code @Dense},
 * {@code @Conv2D} and the recurrent layers (not their {@code recurrent_kernel}), {@code embeddings} of
 * {@code @Embedding}, {@code alpha} of {@code @PReLU}; the bias penalties to {@code bias}. Every
 * value must be finite and ≥ 0; a penalty on a tensor the layer does not have is a compile error.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Regularize {
    double kernelL1() default 0;

    double kernelL2() default 0;

    double biasL1() default 0;

    double biasL2() default 0;
}
