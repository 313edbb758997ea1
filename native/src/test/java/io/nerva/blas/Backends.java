package io.nerva.blas;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backends every test runs against, each loaded explicitly (the bytedeco one too, although a
 * system library exists). A missing one fails the test that needs it, with how to fix it.
 */
final class Backends {
    static final List<String> ALL = List.of("system", "bytedeco", "java", "onednn");
    static final List<String> OPENBLAS = List.of("system", "bytedeco");
    /** The bytedeco copy is extracted under target/, not the user's cache. */
    static final Path CACHE = Path.of("target", "nerva-cache").toAbsolutePath();

    private static final Map<String, Blas> LOADED = new ConcurrentHashMap<>();

    private Backends() {}

    static Blas get(String name) {
        return LOADED.computeIfAbsent(name, n -> switch (n) {
            case "system" ->
                BlasLoader.system()
                        .orElseThrow(
                                () -> new AssertionError(
                                        "system OpenBLAS not found; install it (Debian/Ubuntu: apt-get install libopenblas0-pthread)"));
            case "bytedeco" ->
                BlasLoader.bytedeco(CACHE)
                        .orElseThrow(() -> new AssertionError(
                                "bytedeco OpenBLAS not loadable; is org.bytedeco:openblas:linux-x86_64 a test dependency? "
                                        + tryBytedeco()));
            case "java" -> Blas.java();
            case "onednn" -> {
                String[] why = {null};
                OneDnnGemm g = OneDnnGemm.load(get("system"), why);
                if (g == null) throw new AssertionError("oneDNN not loadable: " + why[0]);
                yield g;
            }
            default -> throw new IllegalArgumentException(n);
        });
    }

    private static String tryBytedeco() {
        try {
            BlasLoader.loadBytedeco(CACHE);
            return "";
        } catch (BlasLoader.Unavailable u) {
            return u.getMessage();
        }
    }
}
