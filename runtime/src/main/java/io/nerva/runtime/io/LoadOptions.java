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
 */
public record LoadOptions(boolean allowExtra, boolean pytorchLayout, String expectedClass, String expectedFingerprint) {

    private static final LoadOptions DEFAULTS = new LoadOptions(false, false, null, null);

    /** Nerva layout, every tensor must match, no metadata required. */
    public static LoadOptions defaults() {
        return DEFAULTS;
    }

    public LoadOptions withAllowExtra() {
        return new LoadOptions(true, pytorchLayout, expectedClass, expectedFingerprint);
    }

    public LoadOptions withPytorchLayout() {
        return new LoadOptions(allowExtra, true, expectedClass, expectedFingerprint);
    }

    /** Fails the load unless the file's {@code nerva.class} metadata equals {@code className}. */
    public LoadOptions expectClass(String className) {
        return new LoadOptions(allowExtra, pytorchLayout, Objects.requireNonNull(className), expectedFingerprint);
    }

    /** Fails the load unless the file's {@code nerva.fingerprint} equals {@code fingerprint}: the architecture changed. */
    public LoadOptions expectFingerprint(String fingerprint) {
        return new LoadOptions(allowExtra, pytorchLayout, expectedClass, Objects.requireNonNull(fingerprint));
    }
}
