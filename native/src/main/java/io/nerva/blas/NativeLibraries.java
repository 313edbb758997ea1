package io.nerva.blas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/** Small helpers about native libraries already mapped into this process. */
final class NativeLibraries {
    private NativeLibraries() {}

    /**
     * The file mapped at {@code address} (Linux: from {@code /proc/self/maps}), so that a library
     * found by name can be reported by path. Empty where that is not available.
     */
    static Optional<Path> fileContaining(long address) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) return Optional.empty();
        try (var lines = Files.lines(maps)) {
            return lines.map(line -> line.split("\\s+", 6))
                    .filter(f -> f.length == 6 && f[5].startsWith("/") && contains(f[0], address))
                    .map(f -> Path.of(f[5].strip()))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code range} is {@code start-end} in hex, end exclusive. */
    private static boolean contains(String range, long address) {
        int dash = range.indexOf('-');
        long start = HexFormat.fromHexDigitsToLong(range, 0, dash);
        long end = HexFormat.fromHexDigitsToLong(range, dash + 1, range.length());
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }
}
