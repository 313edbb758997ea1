package io.nerva.format;

import java.io.IOException;

/**
 * A weight file that cannot be read or does not fit the model. The message always names the
 * file (or other source) first, then the tensor where one is involved, then what was expected
 * and what was found.
 */
public final class WeightFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String tensor;

    /** @param tensor the tensor the problem concerns, or {@code null} */
    public WeightFileException(String source, String tensor, String detail) {
        this(source, tensor, detail, null);
    }

    public WeightFileException(String source, String tensor, String detail, Throwable cause) {
        super(source + ": " + detail, cause);
        this.source = source;
        this.tensor = tensor;
    }

    /** The file or resource that was being read. */
    public String source() {
        return source;
    }

    /** The tensor the problem concerns, or {@code null} when it concerns the file as a whole. */
    public String tensor() {
        return tensor;
    }
}
