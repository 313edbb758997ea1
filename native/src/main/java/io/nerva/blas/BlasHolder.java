package io.nerva.blas;

/**
 * The process-wide backend, chosen on first use of {@link Blas#get()} (class initialisation is
 * lazy and thread-safe). Prints exactly one line on stderr saying what was chosen; if a backend
 * the user asked for cannot be loaded, initialisation fails with the reason.
 */
final class BlasHolder {
    static final Blas INSTANCE;

    static {
        BlasLoader.Choice choice = BlasLoader.choose();
        System.err.println(choice.report());
        INSTANCE = choice.blas();
    }

    private BlasHolder() {}
}
