package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * A layer written by the user in plain Java: {@code value} names a class implementing the runtime's
 * {@code io.nerva.runtime.custom.CustomLayer} (a layer with its own parameters, forward and backward) or
 * {@code io.nerva.runtime.custom.ActivationFunction} (an element-wise function and its derivative).
 *
 * <p>Checked at compile time: the class exists, implements exactly one of the two interfaces, is public,
 * concrete, top-level or static, with a public constructor without parameters; its {@link CustomShape} (a
 * layer class's declared shape rule and parameter tensors) evaluates, for this field's input and
 * {@link #units()}, to positive sizes within the runtime's limits, and {@code units} is given exactly when
 * the rule uses it. Left to run time: that forward and backward compute what they should (check them with
 * {@code io.nerva.runtime.custom.GradientChecker}) and write only within the buffers they are given (the
 * buffers are bounds-checked slices: a write outside is an exception, never a corruption), and that the
 * class is stateless (one instance serves every model and thread of the generated class).
 *
 * <p>The field's {@code Layer.kernel()} is the first declared parameter tensor and {@code bias()} the one
 * named {@code bias}; every tensor is saved and loaded as {@code <field>.<name>}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Custom {
    /** The layer or activation class. */
    Class<?> value();

    /** The size the class's {@link CustomShape} rule and parameter shapes call {@link CustomShape.Dim#UNITS}; 0 = none. */
    int units() default 0;
}
