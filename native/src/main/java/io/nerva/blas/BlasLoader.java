package io.nerva.blas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.CRC32;

/**
 * Finds a BLAS backend. In the default {@code auto} mode, in this order:
 * <ol>
 *   <li>the library named by the system property {@value #LIBRARY_PROPERTY}, else the environment
 *       variable {@value #LIBRARY_ENV} (a file path). The user asked for it, so if it cannot be
 *       loaded that is an error, not a reason to fall back silently;</li>
 *   <li>the system's OpenBLAS ({@link #system()}): well-known install paths, then the dynamic
 *       linker's search ({@code libopenblas.so.0}, {@code libopenblas.so}, ...);</li>
 *   <li>the OpenBLAS inside the {@code org.bytedeco:openblas} jar for this platform, if it is on
 *       the class path ({@link #bytedeco()}), extracted once into a cache directory;</li>
 *   <li>the pure-Java fallback ({@link Blas#java()}).</li>
 * </ol>
 * The system property {@value #BACKEND_PROPERTY} = {@code auto | system | bytedeco | java}
 * forces one backend (failing if it is unavailable); {@value #THREADS_PROPERTY} sets the thread
 * count at load.
 */
public final class BlasLoader {
    public static final String BACKEND_PROPERTY = "nerva.blas";
    public static final String LIBRARY_PROPERTY = "nerva.blas.library";
    public static final String LIBRARY_ENV = "NERVA_BLAS_LIBRARY";
    public static final String THREADS_PROPERTY = "nerva.threads";
    /** {@code auto} (default: oneDNN's sgemm when libdnnl.so.2 loads), {@code onednn} (required) or {@code blas}. */
    public static final String GEMM_PROPERTY = "nerva.gemm";

    public static final String CACHE_DIR_PROPERTY = "nerva.cache.dir";

    private static final String BYTEDECO_POM = "META-INF/maven/org.bytedeco/openblas/pom.properties";
    /** Serialises extraction between threads of this JVM; the file lock does it between JVMs. */
    private static final Object EXTRACT_LOCK = new Object();

    private BlasLoader() {}

    /** Why a backend is not available; carried up to the one-line report or a forced-mode error. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** The backend and the line printed on stderr when it becomes the process-wide one. */
    record Choice(Blas blas, String report) {}

    // ---------------------------------------------------------------- the process-wide choice

    static Choice choose() {
        return choose(SystemLookup.PROPERTIES, SystemLookup.ENVIRONMENT);
    }

    /**
     * System properties or environment variables as a lookup. Classes, not method references: the
     * choice is made on the way to an application's first prediction, where each lambda bootstrap
     * shows in the start-up time.
     */
    private static final class SystemLookup implements UnaryOperator<String> {
        static final SystemLookup PROPERTIES = new SystemLookup(false), ENVIRONMENT = new SystemLookup(true);
        private final boolean environment;

        private SystemLookup(boolean environment) {
            this.environment = environment;
        }

        @Override
        public String apply(String name) {
            return environment ? System.getenv(name) : System.getProperty(name);
        }
    }

    /** {@code props} and {@code env} are injectable so that tests need not touch global state. */
    static Choice choose(UnaryOperator<String> props, UnaryOperator<String> env) {
        String asked = props.apply(BACKEND_PROPERTY);
        String mode = (asked == null ? "auto" : asked.strip()).toLowerCase(Locale.ROOT);
        String libraryProperty = blankToNull(props.apply(LIBRARY_PROPERTY));
        String libraryEnv = blankToNull(env.apply(LIBRARY_ENV));
        String librarySource =
                libraryProperty != null ? "-D" + LIBRARY_PROPERTY : libraryEnv != null ? LIBRARY_ENV : null;
        String library = libraryProperty != null ? libraryProperty : libraryEnv;
        Path cacheRoot = cacheRoot(props);

        Blas blas;
        String note = "";
        switch (mode) {
            case "auto" -> {
                if (library != null) {
                    try {
                        blas = OpenBlas.load(Path.of(library), librarySource);
                    } catch (RuntimeException e) {
                        throw new IllegalStateException(
                                librarySource + "=" + library + " was given but cannot be used: " + e.getMessage()
                                        + ". Fix the path or unset it to let Nerva find a BLAS itself.",
                                e);
                    }
                } else {
                    List<String> reasons = new ArrayList<>();
                    blas = null;
                    try {
                        blas = loadSystem(cacheRoot);
                    } catch (Unavailable u) {
                        reasons.add("system: " + u.getMessage());
                    }
                    if (blas == null) {
                        try {
                            blas = loadBytedeco(cacheRoot);
                        } catch (Unavailable u) {
                            reasons.add("bytedeco: " + u.getMessage());
                        }
                    }
                    if (blas == null) {
                        blas = new JavaBlas();
                        note = " (no OpenBLAS: " + String.join("; ", reasons) + ")";
                    }
                }
            }
            case "system", "bytedeco", "java" -> {
                try {
                    blas = switch (mode) {
                        case "system" -> loadSystem(cacheRoot);
                        case "bytedeco" -> loadBytedeco(cacheRoot);
                        default -> new JavaBlas();
                    };
                } catch (Unavailable u) {
                    throw new IllegalStateException(
                            "-D" + BACKEND_PROPERTY + "=" + mode + " but that backend is not available: "
                                    + u.getMessage(),
                            u);
                }
                if (library != null)
                    note = " (" + librarySource + " ignored because -D" + BACKEND_PROPERTY + "=" + mode + ")";
            }
            default ->
                throw new IllegalArgumentException(
                        "-D" + BACKEND_PROPERTY + " must be one of auto, system, bytedeco, java; got '" + mode + "'");
        }

        String gemm = blankToNull(props.apply(GEMM_PROPERTY));
        gemm = gemm == null ? "auto" : gemm.strip().toLowerCase(Locale.ROOT);
        if (!gemm.equals("auto") && !gemm.equals("onednn") && !gemm.equals("blas"))
            throw new IllegalArgumentException(
                    "-D" + GEMM_PROPERTY + " must be one of auto, onednn, blas; got '" + gemm + "'");
        if (gemm.equals("onednn") || gemm.equals("auto") && !(blas instanceof JavaBlas)) {
            // oneDNN's sgemm in front: about twice OpenBLAS' rate on AVX-512 (native/README.md); not
            // for the pure-Java backend unless asked for (it is chosen so that nothing native loads)
            String[] why = {null};
            OneDnnGemm dnnl = OneDnnGemm.load(blas, why);
            if (dnnl != null) {
                blas = dnnl;
            } else if (gemm.equals("onednn")) {
                throw new IllegalStateException("-D" + GEMM_PROPERTY + "=onednn but " + why[0]);
            }
        }
        String threads = blankToNull(props.apply(THREADS_PROPERTY));
        if (threads != null) {
            int n;
            try {
                n = Integer.parseInt(threads.strip());
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1)
                throw new IllegalArgumentException(
                        "-D" + THREADS_PROPERTY + " must be an integer >= 1, got '" + threads + "'");
            blas.setThreads(n);
        }
        int t = blas.threads();
        return new Choice(
                blas, "nerva: BLAS backend = " + blas.name() + ", " + t + (t == 1 ? " thread" : " threads") + note);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    // ---------------------------------------------------------------- system OpenBLAS

    /** The system's OpenBLAS, if one is installed (e.g. {@code apt-get install libopenblas0-pthread}). */
    public static Optional<OpenBlas> system() {
        try {
            return Optional.of(loadSystem(cacheRoot(System::getProperty)));
        } catch (Unavailable u) {
            return Optional.empty();
        }
    }

    static OpenBlas loadSystem(Path cacheRoot) throws Unavailable {
        List<String> failures = new ArrayList<>();
        // Well-known paths first: a name lookup would return any libopenblas.so.0 already loaded
        // in this process (matched by soname), e.g. the bytedeco copy.
        for (Path p : systemPaths()) {
            if (!Files.isRegularFile(p)) continue;
            try {
                return OpenBlas.load(p, "system");
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        for (String name : systemNames()) {
            try {
                OpenBlas blas = OpenBlas.loadByName(name, "system");
                if (blas.path().toAbsolutePath().startsWith(cacheRoot.toAbsolutePath())) {
                    failures.add(name + " resolved to the extracted bytedeco copy " + blas.path());
                    continue;
                }
                return blas;
            } catch (RuntimeException e) {
                // IllegalArgumentException: not found by the dynamic linker; keep looking
                if (!String.valueOf(e.getMessage()).contains("Cannot open library"))
                    failures.add(name + ": " + e.getMessage());
            }
        }
        throw new Unavailable("no libopenblas in the usual places or the dynamic linker's path"
                + (failures.isEmpty() ? "" : " (" + String.join("; ", failures) + ")")
                + "; install it, e.g. apt-get install libopenblas0-pthread");
    }

    static List<Path> systemPaths() {
        Platform pf = Platform.current();
        LinkedHashSet<Path> out = new LinkedHashSet<>();
        if (pf.os.equals("linux")) {
            String triplet = (pf.arch.equals("arm64") ? "aarch64" : pf.arch) + "-linux-gnu";
            for (String dir : List.of(
                    "/usr/lib/" + triplet,
                    "/lib/" + triplet,
                    "/usr/lib64",
                    "/usr/lib",
                    "/usr/local/lib",
                    "/opt/OpenBLAS/lib")) {
                for (String file :
                        List.of("libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", "libopenblaso.so.0")) {
                    out.add(Path.of(dir, file));
                }
            }
        } else if (pf.os.equals("macosx")) {
            for (String dir :
                    List.of("/opt/homebrew/opt/openblas/lib", "/usr/local/opt/openblas/lib", "/opt/local/lib")) {
                out.add(Path.of(dir, "libopenblas.dylib"));
            }
        }
        return List.copyOf(out);
    }

    static List<String> systemNames() {
        return switch (Platform.current().os) {
            case "linux" -> List.of("libopenblas.so.0", System.mapLibraryName("openblas"));
            case "windows" -> List.of(System.mapLibraryName("openblas"), System.mapLibraryName("libopenblas"));
            default -> List.of(System.mapLibraryName("openblas"));
        };
    }

    // ---------------------------------------------------------------- bytedeco OpenBLAS

    /** The OpenBLAS of the {@code org.bytedeco:openblas} jar on the class path, extracted to the default cache. */
    public static Optional<OpenBlas> bytedeco() {
        return bytedeco(cacheRoot(System::getProperty));
    }

    /** As {@link #bytedeco()}, extracting under {@code cacheRoot} instead of the default cache. */
    public static Optional<OpenBlas> bytedeco(Path cacheRoot) {
        try {
            return Optional.of(loadBytedeco(cacheRoot));
        } catch (Unavailable u) {
            return Optional.empty();
        }
    }

    static OpenBlas loadBytedeco(Path cacheRoot) throws Unavailable {
        Path main;
        try {
            main = extractBytedeco(cacheRoot);
        } catch (IOException | UncheckedIOException e) {
            throw new Unavailable("extracting the bundled OpenBLAS under " + cacheRoot + " failed: " + e);
        }
        Path dir = main.getParent();
        try (var files = Files.list(dir)) {
            // Its Fortran runtime first, by absolute path, so the bundled copies are used; the
            // GCC support library is the process's own when it has one (it is tied to the C runtime).
            for (Path dep : files.filter(p -> dependencyRank(p.getFileName().toString()) >= 0)
                    .sorted(Comparator.comparingInt(
                            p -> dependencyRank(p.getFileName().toString())))
                    .toList()) {
                String file = dep.getFileName().toString();
                if (file.startsWith("libgcc_s") && loadsByName(file)) continue;
                SymbolLookup.libraryLookup(dep, Arena.global());
            }
            return OpenBlas.load(main, "bytedeco");
        } catch (IOException | RuntimeException e) {
            throw new Unavailable("loading " + main + " failed: " + e.getMessage());
        }
    }

    /** Load order of the libraries bundled next to libopenblas; -1 for files that are not dependencies. */
    static int dependencyRank(String file) {
        List<String> order = List.of("libwinpthread", "libgcc_s", "libquadmath", "libgfortran");
        for (int i = 0; i < order.size(); i++) if (file.startsWith(order.get(i))) return i;
        return -1;
    }

    private static boolean loadsByName(String file) {
        try {
            SymbolLookup.libraryLookup(file, Arena.global());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static Path cacheRoot(UnaryOperator<String> props) {
        String dir = blankToNull(props.apply(CACHE_DIR_PROPERTY));
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "nerva");
    }

    /** One file to extract: its name, size and CRC-32 as recorded in the jar, and how to read it. */
    private record Resource(String fileName, long size, long crc, IoSupplier<InputStream> open) {}

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    /**
     * Extracts the bundled libopenblas and the shared libraries next to it (not the JNI wrappers)
     * into {@code cacheRoot/openblas-<version>-<platform>/} and returns the path of libopenblas.
     * Files already there are reused when their size and CRC-32 match the jar's; anything else is
     * written to a temporary file in the same directory and atomically moved into place, under a
     * file lock, so concurrent first runs of several JVMs (and threads) are safe and a library
     * another process has mapped is never rewritten in place.
     */
    static Path extractBytedeco(Path cacheRoot) throws IOException, Unavailable {
        Platform pf = Platform.current();
        String dirName = "org/bytedeco/openblas/" + pf.bytedeco() + "/";
        String mainName = pf.bytedecoLibrary();
        URL url = resource(dirName + mainName);
        if (url == null) {
            throw new Unavailable("org.bytedeco:openblas:" + pf.bytedeco() + " is not on the class path (no " + dirName
                    + mainName + ")");
        }
        List<Resource> resources = new ArrayList<>();
        String version;
        JarFile jar = null;
        try {
            if (url.getProtocol().equals("jar")) {
                JarURLConnection conn = (JarURLConnection) url.openConnection();
                conn.setUseCaches(false); // our own JarFile, closed below
                jar = conn.getJarFile();
                version = jarVersion(jar);
                JarFile j = jar;
                for (JarEntry e : jar.stream().toList()) {
                    String name = e.getName();
                    if (e.isDirectory() || !name.startsWith(dirName)) continue;
                    String file = name.substring(dirName.length());
                    if (file.contains("/") || !isBundledLibrary(file, mainName)) continue;
                    resources.add(new Resource(file, e.getSize(), e.getCrc(), () -> j.getInputStream(e)));
                }
            } else if (url.getProtocol().equals("file")) { // an exploded class-path directory
                Path dir = Path.of(url.toURI()).getParent();
                version = "unknown";
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        String file = p.getFileName().toString();
                        if (Files.isRegularFile(p) && isBundledLibrary(file, mainName)) {
                            resources.add(new Resource(file, Files.size(p), crc(p), () -> Files.newInputStream(p)));
                        }
                    }
                }
            } else {
                throw new Unavailable("cannot extract " + url + ": unsupported protocol " + url.getProtocol());
            }
            Path dir = cacheRoot.resolve("openblas-" + version + "-" + pf.bytedeco());
            extract(dir, resources);
            return dir.resolve(mainName);
        } catch (URISyntaxException e) {
            throw new IOException(e);
        } finally {
            if (jar != null) jar.close();
        }
    }

    private static URL resource(String name) {
        ClassLoader ctx = Thread.currentThread().getContextClassLoader();
        URL url = ctx == null ? null : ctx.getResource(name);
        return url != null ? url : BlasLoader.class.getClassLoader().getResource(name);
    }

    private static String jarVersion(JarFile jar) throws IOException {
        JarEntry pom = jar.getJarEntry(BYTEDECO_POM);
        if (pom == null) return "unknown";
        Properties p = new Properties();
        try (InputStream in = jar.getInputStream(pom)) {
            p.load(in);
        }
        return p.getProperty("version", "unknown");
    }

    /** libopenblas and its runtime dependencies; not the JNI wrappers, headers or cmake files. */
    static boolean isBundledLibrary(String file, String mainName) {
        return file.equals(mainName) || dependencyRank(file) >= 0;
    }

    private static void extract(Path dir, List<Resource> resources) throws IOException {
        Files.createDirectories(dir);
        synchronized (EXTRACT_LOCK) {
            try (FileChannel lockFile = FileChannel.open(
                            dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    var lock = lockFile.lock()) {
                for (Resource r : resources) {
                    Path target = dir.resolve(r.fileName());
                    if (intact(target, r)) continue;
                    Path tmp = Files.createTempFile(dir, "." + r.fileName() + ".", ".tmp");
                    try {
                        try (InputStream in = r.open().get()) {
                            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                        }
                        if (!intact(tmp, r)) {
                            throw new IOException("extracted " + r.fileName() + " does not match the jar: expected "
                                    + r.size() + " bytes with CRC-32 " + Long.toHexString(r.crc()) + ", got "
                                    + Files.size(tmp) + " bytes with CRC-32 " + Long.toHexString(crc(tmp)));
                        }
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            }
        }
    }

    private static boolean intact(Path file, Resource r) throws IOException {
        return Files.isRegularFile(file) && Files.size(file) == r.size() && (r.crc() < 0 || crc(file) == r.crc());
    }

    static long crc(Path file) throws IOException {
        CRC32 crc = new CRC32();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) >= 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return crc.getValue();
    }

    // ---------------------------------------------------------------- platform names

    /** This OS and CPU in bytedeco's vocabulary: {@code linux-x86_64}, {@code macosx-arm64}, ... */
    record Platform(String os, String arch) {
        static Platform current() {
            String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
            return new Platform(
                    os.startsWith("linux")
                            ? "linux"
                            : os.startsWith("mac") ? "macosx" : os.startsWith("windows") ? "windows" : os,
                    arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "arm64" : arch);
        }

        String bytedeco() {
            return os + "-" + arch;
        }

        String bytedecoLibrary() {
            return switch (os) {
                case "macosx" -> "libopenblas.0.dylib";
                case "windows" -> "libopenblas.dll";
                default -> "libopenblas.so.0";
            };
        }
    }
}
