package io.nerva.runtime.io;

/**
 * How {@link SafeTensors#save} treats a model's weights. Immutable; start from {@link #defaults()}.
 *
 * @param allowNonFinite write weights that hold NaN or infinity instead of refusing (by default a
 *                       save of such weights fails, naming the tensor and the first bad index)
 */
public record SaveOptions(boolean allowNonFinite) {

    private static final SaveOptions DEFAULTS = new SaveOptions(false);

    /** Refuse non-finite weights. */
    public static SaveOptions defaults() {
        return DEFAULTS;
    }

    /** Writes the weights even when some are NaN or infinite (for post-mortem analysis of a diverged run). */
    public SaveOptions withAllowNonFinite() {
        return new SaveOptions(true);
    }
}
