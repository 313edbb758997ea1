package io.nerva.annotations;

import java.lang.annotation.*;

/**
 * On a class implementing {@code io.nerva.runtime.custom.CustomLayer}: how its output shape follows from its
 * input shape, and its parameter tensors, in a form the annotation processor evaluates at compile time (and
 * {@code GradientChecker} at run time). Without it a layer keeps its input's shape and has no parameters.
 *
 * <pre>{@code
 * @CustomShape(output = CustomShape.Rule.LAST_AXIS_TO_UNITS, params = {
 *         @CustomShape.Param(name = "kernel", shape = {Dim.INPUT_LAST, Dim.UNITS}),
 *         @CustomShape.Param(name = "bias", shape = Dim.UNITS, init = Initializer.ZEROS)})
 * public final class MyDense implements CustomLayer { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface CustomShape {
    Rule output() default Rule.SAME;

    /** The parameter tensors, in buffer order, each saved as {@code <field>.<name>}. */
    Param[] params() default {};

    /** The output shape as a function of the input shape {@code in} and the field's {@code units}. */
    enum Rule {
        /** {@code out = in} (element-wise layers). */
        SAME,
        /** {@code out = in} with its last axis replaced by {@code units} (a Dense-like layer, per step of a sequence). */
        LAST_AXIS_TO_UNITS,
        /** {@code out = {units}} whatever the input's rank. */
        UNITS;

        /** Whether the rule reads the field's {@code units}. */
        public boolean usesUnits() {
            return this != SAME;
        }

        /** The output shape for input shape {@code in}; both the processor and the runtime evaluate it here. */
        public int[] output(int[] in, int units) {
            switch (this) {
                case SAME:
                    return in.clone();
                case LAST_AXIS_TO_UNITS: {
                    int[] out = in.clone();
                    out[out.length - 1] = units;
                    return out;
                }
                default:
                    return new int[] {units};
            }
        }
    }

    /** A size in a parameter shape. */
    enum Dim {
        /** The input's last axis. */
        INPUT_LAST,
        /** All values of one input sample. */
        INPUT_SIZE,
        /** The output's last axis. */
        OUTPUT_LAST,
        /** All values of one output sample. */
        OUTPUT_SIZE,
        /** The field's {@code @Custom(units = …)}. */
        UNITS;

        public long size(int[] in, int[] out, int units) {
            switch (this) {
                case INPUT_LAST:
                    return in[in.length - 1];
                case INPUT_SIZE:
                    return product(in);
                case OUTPUT_LAST:
                    return out[out.length - 1];
                case OUTPUT_SIZE:
                    return product(out);
                default:
                    return units;
            }
        }

        private static long product(int[] dims) {
            long n = 1;
            for (int d : dims) n *= d;
            return n;
        }
    }

    /**
     * One parameter tensor: its name (a Java identifier), its shape, and its initializer. Fans as Keras': a 1-D
     * tensor's size for both; otherwise the product of all dimensions but the last, and the last.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({})
    @interface Param {
        String name();

        Dim[] shape();

        Initializer init() default Initializer.GLOROT_UNIFORM;

        /** The value used by {@link Initializer#CONSTANT}. */
        float initValue() default 0f;
    }
}
