package io.nerva.processor.model;

/** An annotation value javac could not resolve (already an error of its own). */
public final class MalformedAnnotationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedAnnotationException(String message) {
        super(message);
    }
}
