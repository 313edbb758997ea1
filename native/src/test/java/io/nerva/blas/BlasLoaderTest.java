package io.nerva.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlasLoaderTest {
    @TempDir
    Path tmp;

    private BlasLoader.Choice choose(Map<String, String> props, Map<String, String> env) {
        Map<String, String> p = new HashMap<>(props);
        p.putIfAbsent(BlasLoader.CACHE_DIR_PROPERTY, Backends.CACHE.toString());
        p.putIfAbsent(BlasLoader.GEMM_PROPERTY, "blas"); // the BLAS choice alone; oneDNN in front: its own test
        return BlasLoader.choose(p::get, env::get);
    }

    private static Path systemLibrary() {
        return ((OpenBlas) Backends.get("system")).path();
    }

    @Test
    void autoPrefersTheSystemLibrary() {
        var c = choose(Map.of(), Map.of());
        OpenBlas blas = assertInstanceOf(OpenBlas.class, c.blas());
        assertEquals("system", blas.origin());
        assertTrue(
                c.report().matches("nerva: BLAS backend = OpenBLAS \\S+ \\(system, /\\S+\\), \\d+ threads?"),
                c.report());
    }

    @Test
    void eachBackendCanBeForced() {
        assertEquals(
                "system",
                ((OpenBlas) choose(Map.of("nerva.blas", "system"), Map.of()).blas()).origin());
        assertEquals(
                "bytedeco",
                ((OpenBlas) choose(Map.of("nerva.blas", "bytedeco"), Map.of()).blas()).origin());
        var java = choose(Map.of("nerva.blas", "JAVA"), Map.of());
        assertInstanceOf(JavaBlas.class, java.blas());
        assertEquals("nerva: BLAS backend = pure Java, 1 thread", java.report());
    }

    @Test
    void oneDnnGoesInFrontOfTheBlasWhenItLoads() {
        var c = choose(Map.of("nerva.gemm", "auto"), Map.of());
        OneDnnGemm g = assertInstanceOf(OneDnnGemm.class, c.blas(), "libdnnl2 is installed by dev/setup");
        assertEquals("system", assertInstanceOf(OpenBlas.class, g.rest()).origin());
        assertTrue(
                c.report()
                        .matches(
                                "nerva: BLAS backend = oneDNN 2\\.\\d+\\.\\d+ sgemm \\(libdnnl\\.so\\.2\\) \\+ OpenBLAS \\S+ \\(system, /\\S+\\), \\d+ threads?"),
                c.report());
        // the pure-Java backend is chosen so that nothing native loads: oneDNN only when asked for
        assertInstanceOf(
                JavaBlas.class,
                choose(Map.of("nerva.gemm", "auto", "nerva.blas", "java"), Map.of())
                        .blas());
        var forced = choose(Map.of("nerva.gemm", "onednn", "nerva.blas", "java"), Map.of());
        assertInstanceOf(
                JavaBlas.class,
                assertInstanceOf(OneDnnGemm.class, forced.blas()).rest());
        var e = assertThrows(IllegalArgumentException.class, () -> choose(Map.of("nerva.gemm", "mkl"), Map.of()));
        assertEquals("-Dnerva.gemm must be one of auto, onednn, blas; got 'mkl'", e.getMessage());
    }

    @Test
    void anUnknownBackendIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> choose(Map.of("nerva.blas", "mkl"), Map.of()));
        assertEquals("-Dnerva.blas must be one of auto, system, bytedeco, java; got 'mkl'", e.getMessage());
    }

    @Test
    void aForcedBackendThatIsMissingIsAnError() {
        // the jar is on the test class path, so make it unusable instead: the cache root is a file
        Path notADir = tmp.resolve("file");
        var c = assertThrows(IllegalStateException.class, () -> {
            Files.writeString(notADir, "x");
            choose(Map.of("nerva.blas", "bytedeco", "nerva.cache.dir", notADir.toString()), Map.of());
        });
        assertTrue(
                c.getMessage()
                        .startsWith(
                                "-Dnerva.blas=bytedeco but that backend is not available: extracting the bundled OpenBLAS under "
                                        + notADir + " failed"),
                c.getMessage());
    }

    @Test
    void anExplicitLibraryWinsAndItsFailureIsLoud() {
        Path lib = systemLibrary();
        var c = choose(Map.of("nerva.blas.library", lib.toString()), Map.of("NERVA_BLAS_LIBRARY", "/nowhere/lib.so"));
        assertEquals("-Dnerva.blas.library", ((OpenBlas) c.blas()).origin());
        c = choose(Map.of(), Map.of("NERVA_BLAS_LIBRARY", lib.toString()));
        assertEquals("NERVA_BLAS_LIBRARY", ((OpenBlas) c.blas()).origin());
        assertTrue(c.report().contains("(NERVA_BLAS_LIBRARY, " + lib + ")"), c.report());

        var e = assertThrows(
                IllegalStateException.class,
                () -> choose(Map.of(), Map.of("NERVA_BLAS_LIBRARY", "/nowhere/libopenblas.so")));
        assertEquals(
                "NERVA_BLAS_LIBRARY=/nowhere/libopenblas.so was given but cannot be used: OpenBLAS library "
                        + "/nowhere/libopenblas.so does not exist or is not a file. Fix the path or unset it to let Nerva find a BLAS itself.",
                e.getMessage());
        Path notBlas = tmp.resolve("libnot.so");
        e = assertThrows(IllegalStateException.class, () -> {
            Files.writeString(notBlas, "not an ELF file");
            choose(Map.of("nerva.blas.library", notBlas.toString()), Map.of());
        });
        assertTrue(
                e.getMessage()
                        .startsWith("-Dnerva.blas.library=" + notBlas
                                + " was given but cannot be used: cannot load OpenBLAS library"),
                e.getMessage());
    }

    @Test
    void aForcedBackendSaysItIgnoresTheExplicitLibrary() {
        var c = choose(Map.of("nerva.blas", "java"), Map.of("NERVA_BLAS_LIBRARY", "/x/libopenblas.so"));
        assertEquals(
                "nerva: BLAS backend = pure Java, 1 thread (NERVA_BLAS_LIBRARY ignored because -Dnerva.blas=java)",
                c.report());
    }

    @Test
    void threadsPropertyIsAppliedAtLoad() {
        OpenBlas system = (OpenBlas) Backends.get("system");
        int before = system.threads();
        try {
            var c = choose(Map.of("nerva.threads", "1"), Map.of());
            assertEquals(1, c.blas().threads());
            assertTrue(c.report().endsWith(", 1 thread"), c.report());
            var e = assertThrows(
                    IllegalArgumentException.class, () -> choose(Map.of("nerva.threads", "two"), Map.of()));
            assertEquals("-Dnerva.threads must be an integer >= 1, got 'two'", e.getMessage());
        } finally {
            system.setThreads(before);
        }
    }

    // ---------------------------------------------------------------- extraction

    /** Every file of the extracted directory, by name, with its CRC-32. */
    private static Map<String, Long> contents(Path dir) throws IOException {
        Map<String, Long> out = new HashMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) out.put(p.getFileName().toString(), BlasLoader.crc(p));
        }
        return out;
    }

    @Test
    void extractsLibopenblasAndItsRuntimeOnlyOnceAndRepairsADamagedCopy() throws Exception {
        Path lib = BlasLoader.extractBytedeco(tmp);
        assertEquals("libopenblas.so.0", lib.getFileName().toString());
        assertTrue(
                lib.getParent().getFileName().toString().matches("openblas-\\d+\\.\\d+\\.\\d+-[\\d.]+-linux-x86_64"),
                lib.getParent().toString());
        Map<String, Long> first = contents(lib.getParent());
        assertEquals(
                List.of(".lock", "libgcc_s.so.1", "libgfortran.so.5", "libopenblas.so.0", "libquadmath.so.0"),
                first.keySet().stream().sorted().toList(),
                "no JNI wrappers, no temporary files");
        var modified = Files.getLastModifiedTime(lib);

        Thread.sleep(20);
        assertEquals(lib, BlasLoader.extractBytedeco(tmp));
        assertEquals(modified, Files.getLastModifiedTime(lib), "an intact copy is reused, not rewritten");

        try (FileChannel ch = FileChannel.open(lib, StandardOpenOption.WRITE)) {
            ch.truncate(1000); // as if a run died half-way through a non-atomic copy
        }
        assertEquals(lib, BlasLoader.extractBytedeco(tmp));
        assertEquals(first, contents(lib.getParent()));
    }

    @Test
    void concurrentExtractionByThreadsYieldsOneIntactLibrary() throws Exception {
        int n = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return BlasLoader.extractBytedeco(tmp);
                }));
            }
            start.countDown();
            Path lib = results.getFirst().get(2, TimeUnit.MINUTES);
            for (Future<Path> f : results) assertEquals(lib, f.get(2, TimeUnit.MINUTES));
            Path reference = BlasLoader.extractBytedeco(Files.createTempDirectory(tmp, "ref"));
            assertEquals(BlasLoader.crc(reference), BlasLoader.crc(lib));
            assertEquals(5, contents(lib.getParent()).size(), "one copy of each library plus the lock file");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentFirstRunsOfSeveralJvmsYieldOneIntactLibrary() throws Exception {
        Path cache = tmp.resolve("shared-cache");
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 3; i++) jvms.add(java("extract", cache.toString()).start());
        for (Process p : jvms) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES));
            assertEquals(0, p.exitValue(), "stdout: " + out + "\nstderr: " + err);
            assertTrue(out.startsWith("product 7.0 10.0 15.0 22.0 by OpenBLAS"), out);
            assertEquals("", err, "no warnings (e.g. about native access)");
        }
        try (var dirs = Files.list(cache)) {
            Path dir = dirs.findFirst().orElseThrow();
            Map<String, Long> files = contents(dir);
            assertEquals(5, files.size(), "no leftover temporary files: " + files.keySet());
            assertEquals(BlasLoader.crc(BlasLoader.extractBytedeco(tmp.resolve("ref"))), files.get("libopenblas.so.0"));
        }
    }

    @Test
    void theProcessWideChoicePrintsExactlyOneLineAndNoWarnings() throws Exception {
        Process p = java("choose").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), err);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), "stderr: " + err);
        assertTrue(
                lines.getFirst()
                        .matches(
                                "nerva: BLAS backend = (oneDNN \\S+ sgemm \\(libdnnl.so.2\\) \\+ )?OpenBLAS \\S+ \\(system, /\\S+\\), 1 thread"),
                err);
        assertTrue(out.startsWith("product 7.0 10.0 15.0 22.0"), out);
    }

    /** A JVM like this one (same java, class path and native-access flag) running {@link ChooseMain}. */
    private ProcessBuilder java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dnerva.threads=1",
                "-Dnerva.cache.dir=" + Backends.CACHE,
                "-cp",
                System.getProperty("java.class.path"),
                ChooseMain.class.getName()));
        cmd.addAll(List.of(args));
        assertNotEquals(null, cmd.getFirst());
        return new ProcessBuilder(cmd);
    }
}
