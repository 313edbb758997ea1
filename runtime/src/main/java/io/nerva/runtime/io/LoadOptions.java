package io.nerva.runtime.io;

import java.util.Objects;

/**
 * How {@link SafeTensors#load} matches a file to a model. Immutable; start from
 * {@link #defaults()} and chain, e.g. {@code LoadOptions.defaults().expectClass("Mnist").withAllowExtra()}.
 *
 * @param allowExtra          ignore tensors the model does not have instead of failing
 * @param pytorchLayout       names and layouts are PyTorch's (see {@link SafeTensors#load})
 * @param expectedClass       required value of {@code nerva.class} in the metadata, or {@code null}
 * @param expectedFingerprint required value of {@code nerva.fingerprint}, or {@code null}
 * @param allowNonFinite      load tensors holding NaN or infinity instead of refusing the file
 */
public record LoadOptions(
        boolean allowExtra,
        boolean pytorchLayout,
        String expectedClass,
        String expectedFingerprint,
        boolean allowNonFinite) {

    private static final LoadOptions DEFAULTS = new LoadOptions(false, false, null, null, false);

    /** The options without {@code allowNonFinite} (kept for callers of the four-component form). */
    public LoadOptions(boolean allowExtra, boolean pytorchLayout, String expectedClass, String expectedFingerprint) {
        this(allowExtra, pytorchLayout, expectedClass, expectedFingerprint, false);
    }

    /** Nerva layout, every tensor must match, no metadata required. */
    public static LoadOptions defaults() {
        return DEFAULTS;
    }

    public LoadOptions withAllowExtra() {
        return new LoadOptions(true, pytorchLayout, expectedClass, expectedFingerprint, allowNonFinite);
    }

    public LoadOptions withPytorchLayout() {
        return new LoadOptions(allowExtra, true, expectedClass, expectedFingerprint, allowNonFinite);
    }

    /** Fails the load unless the file's {@code nerva.class} metadata equals {@code className}. */
    public LoadOptions expectClass(String className) {
        return new LoadOptions(
                allowExtra, pytorchLayout, Objects.requireNonNull(className), expectedFingerprint, allowNonFinite);
    }

    /** Fails the load unless the file's {@code nerva.fingerprint} equals {@code fingerprint}: the architecture changed. */
    public LoadOptions expectFingerprint(String fingerprint) {
        return new LoadOptions(
                allowExtra, pytorchLayout, expectedClass, Objects.requireNonNull(fingerprint), allowNonFinite);
    }

    /**
     * Loads tensors holding NaN or infinity. By default such a file is refused, naming the tensor
     * and the first bad index, since a model with them predicts NaN.
     */
    public LoadOptions withAllowNonFinite() {
        return new LoadOptions(allowExtra, pytorchLayout, expectedClass, expectedFingerprint, true);
    }
}
