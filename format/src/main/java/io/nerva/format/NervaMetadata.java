package io.nerva.format;

/** The metadata keys Nerva writes into a safetensors header, read by the runtime and by the processor. */
public final class NervaMetadata {
    /** The name of the network class the weights belong to. */
    public static final String CLASS_KEY = "nerva.class";
    /** The fingerprint of the network's architecture. */
    public static final String FINGERPRINT_KEY = "nerva.fingerprint";
    /** The version of Nerva's use of the format. */
    public static final String FORMAT_KEY = "nerva.format";
    /** The only {@link #FORMAT_KEY} value this version reads. */
    public static final String FORMAT_VERSION = "1";

    private NervaMetadata() {}
}
