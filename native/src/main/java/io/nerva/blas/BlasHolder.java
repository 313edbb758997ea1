package io.nerva.blas;

/** Lazily chosen process-wide backend. Placeholder until discovery lands: always pure Java. */
final class BlasHolder {
    static final Blas INSTANCE = new JavaBlas();

    private BlasHolder() {}
}
