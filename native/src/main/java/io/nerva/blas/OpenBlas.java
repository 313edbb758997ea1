package io.nerva.blas;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * OpenBLAS through the Foreign Function &amp; Memory API (CBLAS interface, row-major).
 *
 * <p>Every routine has two downcall handles:
 * <ul>
 *   <li><b>native</b>, used when every operand is an off-heap segment: pointers are bound as
 *       {@code JAVA_LONG} and passed as {@code segment.address() + offset·4}, so a call allocates
 *       nothing (no scope acquisition, no boxing); {@link Reference#reachabilityFence} keeps the
 *       segments (and so automatic arenas' memory) alive until the call returns. The caller must
 *       not close a <em>shared</em> arena while a call on its memory runs - the same rule as for
 *       any native code holding a raw pointer.</li>
 *   <li><b>heap</b>, used for {@code float[]} and heap segments: {@code ADDRESS} parameters with
 *       {@link Linker.Option#critical(boolean) critical(true)}, so OpenBLAS reads and writes the
 *       Java array in place (zero copy). A critical call does not leave the Java thread state, so
 *       the GC cannot run (and every other thread waiting for a safepoint stalls) until it
 *       returns: fine for the products a network does per step (microseconds to a few
 *       milliseconds), wrong for very long calls - use off-heap memory for those.</li>
 * </ul>
 *
 * <p>Integer parameters are 32-bit in the standard OpenBLAS build; a build with
 * {@code USE64BITINT} (reported by {@code openblas_get_config}) gets 64-bit bindings, adapted to
 * the same Java signatures.
 */
public final class OpenBlas implements Blas, BlockGemm {
    // cblas.h enums (always C int, even in 64-bit-integer builds)
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CRITICAL_HEAP = Linker.Option.critical(true);

    private final Path path;
    private final String origin;
    private final String config;
    private final String corename;
    private final String version;
    private final boolean int64;

    private final MethodHandle sgemm, sgemmHeap, sgemv, sgemvHeap, saxpy, saxpyHeap, sscal, sscalHeap;
    private final MethodHandle getNumThreads, setNumThreads;

    private OpenBlas(SymbolLookup lib, Path path, String origin) {
        this.path = path;
        this.origin = origin;
        MethodHandle getConfig =
                LINKER.downcallHandle(find(lib, "openblas_get_config"), FunctionDescriptor.of(ADDRESS));
        this.config = cString(getConfig);
        this.corename = lib.find("openblas_get_corename")
                .map(s -> cString(LINKER.downcallHandle(s, FunctionDescriptor.of(ADDRESS))))
                .orElse("unknown");
        this.version = parseVersion(config);
        this.int64 = config.contains("USE64BITINT");
        ValueLayout blasint = int64 ? JAVA_LONG : JAVA_INT;

        // cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
        MemoryLayout[] gemm = {
            JAVA_INT,
            JAVA_INT,
            JAVA_INT,
            blasint,
            blasint,
            blasint,
            JAVA_FLOAT,
            null,
            blasint,
            null,
            blasint,
            JAVA_FLOAT,
            null,
            blasint
        };
        MethodType gemmType = MethodType.methodType(
                void.class,
                int.class,
                int.class,
                int.class,
                int.class,
                int.class,
                int.class,
                float.class,
                long.class,
                int.class,
                long.class,
                int.class,
                float.class,
                long.class,
                int.class);
        sgemm = bind(lib, "cblas_sgemm", gemm, JAVA_LONG, gemmType, false);
        sgemmHeap = bind(lib, "cblas_sgemm", gemm, ADDRESS, pointers(gemmType), true);

        // cblas_sgemv(order, trans, M, N, alpha, A, lda, X, incX, beta, Y, incY)
        MemoryLayout[] gemv = {
            JAVA_INT, JAVA_INT, blasint, blasint, JAVA_FLOAT, null, blasint, null, blasint, JAVA_FLOAT, null, blasint
        };
        MethodType gemvType = MethodType.methodType(
                void.class,
                int.class,
                int.class,
                int.class,
                int.class,
                float.class,
                long.class,
                int.class,
                long.class,
                int.class,
                float.class,
                long.class,
                int.class);
        sgemv = bind(lib, "cblas_sgemv", gemv, JAVA_LONG, gemvType, false);
        sgemvHeap = bind(lib, "cblas_sgemv", gemv, ADDRESS, pointers(gemvType), true);

        // cblas_saxpy(N, alpha, X, incX, Y, incY)
        MemoryLayout[] axpy = {blasint, JAVA_FLOAT, null, blasint, null, blasint};
        MethodType axpyType =
                MethodType.methodType(void.class, int.class, float.class, long.class, int.class, long.class, int.class);
        saxpy = bind(lib, "cblas_saxpy", axpy, JAVA_LONG, axpyType, false);
        saxpyHeap = bind(lib, "cblas_saxpy", axpy, ADDRESS, pointers(axpyType), true);

        // cblas_sscal(N, alpha, X, incX)
        MemoryLayout[] scal = {blasint, JAVA_FLOAT, null, blasint};
        MethodType scalType = MethodType.methodType(void.class, int.class, float.class, long.class, int.class);
        sscal = bind(lib, "cblas_sscal", scal, JAVA_LONG, scalType, false);
        sscalHeap = bind(lib, "cblas_sscal", scal, ADDRESS, pointers(scalType), true);

        // openblas_get_num_threads() and openblas_set_num_threads(int): plain C int in every build
        getNumThreads = LINKER.downcallHandle(find(lib, "openblas_get_num_threads"), FunctionDescriptor.of(JAVA_INT));
        setNumThreads =
                LINKER.downcallHandle(find(lib, "openblas_set_num_threads"), FunctionDescriptor.ofVoid(JAVA_INT));

        if (NERVA_THREADS) {
            // OpenBLAS's pool size (cores, or OPENBLAS_NUM_THREADS) becomes Nerva's; OpenBLAS itself runs
            // single-threaded
            Parallel.setThreads(Math.max(Parallel.threads(), openblasThreads()));
            openblasSetThreads(1);
        }
    }

    /**
     * Loads OpenBLAS from {@code library} (a file path) for the life of the process.
     *
     * @throws IllegalArgumentException if the file does not exist, cannot be loaded, or lacks a
     *                                  CBLAS/OpenBLAS symbol; the message says which
     */
    public static OpenBlas load(Path library) {
        return load(library, "explicit");
    }

    static OpenBlas load(Path library, String origin) {
        Objects.requireNonNull(library, "library");
        if (!Files.isRegularFile(library)) {
            throw new IllegalArgumentException("OpenBLAS library " + library + " does not exist or is not a file");
        }
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load OpenBLAS library " + library + ": " + e.getMessage(), e);
        }
        return new OpenBlas(lib, library, origin);
    }

    /** Loads by dynamic-linker name (e.g. {@code libopenblas.so.0}), searched the platform's usual way. */
    static OpenBlas loadByName(String name, String origin) {
        SymbolLookup lib = SymbolLookup.libraryLookup(name, Arena.global()); // IAE when not found
        MemorySegment probe = find(lib, "cblas_sgemm");
        Path file = NativeLibraries.fileContaining(probe.address()).orElse(Path.of(name));
        return new OpenBlas(lib, file, origin);
    }

    private static MemorySegment find(SymbolLookup lib, String symbol) {
        return lib.find(symbol)
                .orElseThrow(() -> new IllegalArgumentException(
                        "the library has no symbol " + symbol + "; expected an OpenBLAS build with CBLAS"));
    }

    /**
     * A downcall handle for {@code symbol}; {@code null} entries of {@code args} are the pointer
     * parameters and become {@code pointer}. The handle is adapted to {@code javaType} so that the
     * callers use the same int-based signature whatever the library's integer width.
     */
    private static MethodHandle bind(
            SymbolLookup lib,
            String symbol,
            MemoryLayout[] args,
            MemoryLayout pointer,
            MethodType javaType,
            boolean heap) {
        MemoryLayout[] layouts = args.clone();
        for (int i = 0; i < layouts.length; i++) if (layouts[i] == null) layouts[i] = pointer;
        FunctionDescriptor fd = FunctionDescriptor.ofVoid(layouts);
        MethodHandle h = heap
                ? LINKER.downcallHandle(find(lib, symbol), fd, CRITICAL_HEAP)
                : LINKER.downcallHandle(find(lib, symbol), fd);
        return h.asType(javaType); // int -> long widening for USE64BITINT builds, identity otherwise
    }

    /** The same type with every {@code long} (a raw pointer) replaced by {@code MemorySegment}. */
    private static MethodType pointers(MethodType t) {
        for (int i = 0; i < t.parameterCount(); i++) {
            if (t.parameterType(i) == long.class) t = t.changeParameterType(i, MemorySegment.class);
        }
        return t;
    }

    private static String cString(MethodHandle h) {
        try {
            MemorySegment s = (MemorySegment) h.invokeExact();
            return s.equals(MemorySegment.NULL)
                    ? ""
                    : s.reinterpret(Long.MAX_VALUE).getString(0).strip();
        } catch (Throwable t) {
            throw new IllegalStateException("OpenBLAS config query failed", t);
        }
    }

    /** {@code "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..."} -> {@code "0.3.21"}. */
    static String parseVersion(String config) {
        String[] words = config.strip().split("\\s+");
        return words.length >= 2 && words[0].equals("OpenBLAS") ? words[1] : "unknown";
    }

    // ---------------------------------------------------------------- metadata

    /** E.g. {@code OpenBLAS 0.3.21 (system, /lib/x86_64-linux-gnu/libopenblas.so.0)}. */
    @Override
    public String name() {
        return "OpenBLAS " + version + " (" + origin + ", " + path + ")";
    }

    /** {@code openblas_get_config()}, plus the core name chosen at run time when it is a DYNAMIC_ARCH build. */
    @Override
    public String config() {
        return config + (config.contains(corename) ? "" : " core=" + corename);
    }

    public String version() {
        return version;
    }

    public Path path() {
        return path;
    }

    /** {@code system}, {@code bytedeco}, {@code explicit}, ... */
    public String origin() {
        return origin;
    }

    /** The CPU kernel set OpenBLAS uses, e.g. {@code Haswell} or {@code Zen}. */
    public String corename() {
        return corename;
    }

    @Override
    public String toString() {
        return name();
    }

    // ---------------------------------------------------------------- threads

    /**
     * Who runs a product's threads: {@code nerva} (default; {@link Parallel} splits products into
     * single-threaded BLAS calls) or {@code openblas} (OpenBLAS's own pool). System property
     * {@code nerva.threading}.
     */
    static final boolean NERVA_THREADS = !"openblas".equals(System.getProperty("nerva.threading", "nerva"));

    @Override
    public int threads() {
        return NERVA_THREADS ? Parallel.threads() : openblasThreads();
    }

    /**
     * The threads products may use, the caller's included: with {@code nerva.threading=nerva} (the
     * default) {@link Parallel}'s, OpenBLAS staying single-threaded; else {@code
     * openblas_set_num_threads} (process-wide; OpenBLAS caps it at the threads its pool was created
     * with, and an OpenMP build ignores it in favour of {@code OMP_NUM_THREADS}).
     */
    @Override
    public void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (NERVA_THREADS) {
            Parallel.setThreads(threads);
        } else {
            openblasSetThreads(threads);
        }
    }

    private int openblasThreads() {
        try {
            return (int) getNumThreads.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void openblasSetThreads(int threads) {
        try {
            setNumThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- sgemm

    @Override
    public void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            MemorySegment a,
            long aOff,
            int lda,
            MemorySegment b,
            long bOff,
            int ldb,
            float beta,
            MemorySegment c,
            long cOff,
            int ldc) {
        GemmSplit.sgemm(this, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** One checked product (or a block of one), on the calling thread. */
    @Override
    public void sgemmBlock(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            MemorySegment a,
            long aOff,
            int lda,
            MemorySegment b,
            long bOff,
            int ldb,
            float beta,
            MemorySegment c,
            long cOff,
            int ldc) {
        try {
            if (a.isNative() && b.isNative() && c.isNative()) {
                sgemm.invokeExact(
                        ROW_MAJOR,
                        trans(transA),
                        trans(transB),
                        m,
                        n,
                        k,
                        alpha,
                        a.address() + aOff * 4,
                        lda,
                        b.address() + bOff * 4,
                        ldb,
                        beta,
                        c.address() + cOff * 4,
                        ldc);
            } else {
                sgemmHeap.invokeExact(
                        ROW_MAJOR,
                        trans(transA),
                        trans(transB),
                        m,
                        n,
                        k,
                        alpha,
                        at(a, aOff),
                        lda,
                        at(b, bOff),
                        ldb,
                        beta,
                        at(c, cOff),
                        ldc);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(c);
        }
    }

    @Override
    public void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        GemmSplit.sgemm(this, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** One checked product on heap arrays (or a block of one), on the calling thread. */
    @Override
    public void sgemmBlock(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        try {
            sgemmHeap.invokeExact(
                    ROW_MAJOR,
                    trans(transA),
                    trans(transB),
                    m,
                    n,
                    k,
                    alpha,
                    heap(a, aOff),
                    lda,
                    heap(b, bOff),
                    ldb,
                    beta,
                    heap(c, cOff),
                    ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- level 1/2

    @Override
    public void sgemv(
            boolean transA,
            int m,
            int n,
            float alpha,
            MemorySegment a,
            long aOff,
            int lda,
            MemorySegment x,
            long xOff,
            float beta,
            MemorySegment y,
            long yOff) {
        Checks.sgemv(transA, m, n, lda, aOff, a.byteSize(), xOff, x.byteSize(), yOff, y.byteSize(), "segment");
        Checks.writable("y", y);
        if (m == 0 || n == 0) {
            if ((transA ? n : m) > 0) sscal(transA ? n : m, beta, y, yOff, beta == 0); // y = beta·y
            return;
        }
        try {
            if (a.isNative() && x.isNative() && y.isNative()) {
                sgemv.invokeExact(
                        ROW_MAJOR,
                        trans(transA),
                        m,
                        n,
                        alpha,
                        a.address() + aOff * 4,
                        lda,
                        x.address() + xOff * 4,
                        1,
                        beta,
                        y.address() + yOff * 4,
                        1);
            } else {
                sgemvHeap.invokeExact(
                        ROW_MAJOR, trans(transA), m, n, alpha, at(a, aOff), lda, at(x, xOff), 1, beta, at(y, yOff), 1);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(y);
        }
    }

    @Override
    public void saxpy(int n, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        Checks.dimension("n", n);
        Checks.vector("x", "n", n, xOff, x.byteSize(), "segment");
        Checks.vector("y", "n", n, yOff, y.byteSize(), "segment");
        Checks.writable("y", y);
        if (n == 0) return;
        try {
            if (x.isNative() && y.isNative()) {
                saxpy.invokeExact(n, alpha, x.address() + xOff * 4, 1, y.address() + yOff * 4, 1);
            } else {
                saxpyHeap.invokeExact(n, alpha, at(x, xOff), 1, at(y, yOff), 1);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(y);
        }
    }

    @Override
    public void sscal(int n, float alpha, MemorySegment x, long xOff) {
        Checks.dimension("n", n);
        Checks.vector("x", "n", n, xOff, x.byteSize(), "segment");
        Checks.writable("x", x);
        if (n == 0) return;
        sscal(n, alpha, x, xOff, false);
    }

    /** {@code zeroFill}: beta == 0 in BLAS means "overwrite", which sscal need not honour for NaN. */
    private void sscal(int n, float alpha, MemorySegment x, long xOff, boolean zeroFill) {
        if (zeroFill) {
            x.asSlice(xOff * 4, n * 4L).fill((byte) 0);
            return;
        }
        try {
            if (x.isNative()) {
                sscal.invokeExact(n, alpha, x.address() + xOff * 4, 1);
            } else {
                sscalHeap.invokeExact(n, alpha, at(x, xOff), 1);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(x);
        }
    }

    private static int trans(boolean t) {
        return t ? TRANS : NO_TRANS;
    }

    /** A heap segment at float {@code off} of {@code a}; passed to a critical downcall, not copied. */
    private static MemorySegment heap(float[] a, int off) {
        return at(MemorySegment.ofArray(a), off);
    }

    /**
     * The segment from float {@code off} on. An operand of zero elements (e.g. A when k = 0) may
     * have its offset past the end; OpenBLAS never reads it, so any valid pointer does.
     */
    private static MemorySegment at(MemorySegment s, long off) {
        return off != 0 && off * 4 <= s.byteSize() ? s.asSlice(off * 4) : s;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t); // downcalls declare no checked exceptions
    }
}
