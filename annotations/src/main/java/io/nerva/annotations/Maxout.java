package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * Maxout (Goodfellow et al. 2013) over the last axis: the input's last axis of {@code units·k} values is
 * read as {@code units} groups of {@code k} consecutive pieces, and each output unit is the largest of its
 * group, {@code out[u] = max(in[u·k], …, in[u·k + k − 1])} (as TensorFlow Addons' {@code Maxout(units)}).
 * Put it after a {@code @Dense(units·k)} (no activation) for the maxout unit of the paper. The input's last
 * axis must be divisible by {@code k}; no parameters. The gradient flows to the largest piece (the first on a tie).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Maxout {
    /** Pieces per unit, {@code k ≥ 1}. */
    int value();
}
