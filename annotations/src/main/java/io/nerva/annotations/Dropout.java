package io.nerva.annotations;

import java.lang.annotation.*;

/** Inverted dropout: while training, zeroes each value with probability {@code rate} and scales the rest by {@code 1/(1-rate)}. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Dropout {
    /** Probability of dropping a value, in [0, 1). */
    double value();
}
