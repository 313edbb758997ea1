package io.nerva.annotations;

import java.lang.annotation.*;

/** Flattens an image-shaped input (H, W, C) into a vector of H*W*C values. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Flatten {}
