package io.nerva.blas;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * sgemm through oneDNN's {@code dnnl_sgemm} (row-major, JIT-compiled kernels for the CPU's widest
 * vectors), every other routine through another backend. On the 2-core AVX-512 machines of this
 * project oneDNN 2.6 ran the products of the MLP, CNN and LSTM steps at 175–220 GFLOP/s on one core
 * against OpenBLAS 0.3.21's 88–100 (native/README.md). Debian: {@code apt-get install libdnnl2}.
 *
 * <p>oneDNN's OpenMP threads are pinned to one per call ({@code omp_set_num_threads(1)} on each
 * calling thread before its first product): the threads are Nerva's ({@link Parallel},
 * {@link GemmSplit}).
 */
public final class OneDnnGemm implements Blas, BlockGemm {
    /** The library oneDNN 2.x installs as ({@code libdnnl2}). */
    static final String LIBRARY = "libdnnl.so.2";

    private static final Linker LINKER = Linker.nativeLinker();

    private final Blas rest;
    private final String version;
    private final MethodHandle sgemm, sgemmHeap;

    private OneDnnGemm(SymbolLookup lib, Blas rest) {
        this.rest = Objects.requireNonNull(rest, "rest");
        // dnnl_status_t dnnl_sgemm(char transa, char transb, dim_t M, N, K, float alpha, const float *A,
        //     dim_t lda, const float *B, dim_t ldb, float beta, float *C, dim_t ldc)
        MemorySegment symbol = lib.find("dnnl_sgemm")
                .orElseThrow(() -> new IllegalArgumentException(LIBRARY + " has no symbol dnnl_sgemm"));
        // native operands go as raw addresses (no slice per call: a training step allocates nothing),
        // heap ones as critical heap segments
        this.sgemm = LINKER.downcallHandle(symbol, descriptor(JAVA_LONG));
        this.sgemmHeap = LINKER.downcallHandle(symbol, descriptor(ADDRESS), Linker.Option.critical(true));
        this.version = lib.find("dnnl_version")
                .map(s -> {
                    try {
                        // const dnnl_version_t *dnnl_version(void): {int major, minor, patch; ...}
                        MemorySegment v = ((MemorySegment) LINKER.downcallHandle(s, FunctionDescriptor.of(ADDRESS))
                                        .invokeExact())
                                .reinterpret(12);
                        return v.get(JAVA_INT, 0) + "." + v.get(JAVA_INT, 4) + "." + v.get(JAVA_INT, 8);
                    } catch (Throwable t) {
                        return "unknown";
                    }
                })
                .orElse("unknown");
    }

    private static FunctionDescriptor descriptor(java.lang.foreign.MemoryLayout pointer) {
        return FunctionDescriptor.of(
                JAVA_INT,
                JAVA_BYTE,
                JAVA_BYTE,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_FLOAT,
                pointer,
                JAVA_LONG,
                pointer,
                JAVA_LONG,
                JAVA_FLOAT,
                pointer,
                JAVA_LONG);
    }

    /**
     * oneDNN's sgemm in front of {@code rest}, or null with the reason in {@code why[0]} when
     * {@code libdnnl.so.2} or its OpenMP runtime cannot be loaded.
     */
    static OneDnnGemm load(Blas rest, String[] why) {
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            why[0] = LIBRARY + " not found (apt-get install libdnnl2)";
            return null;
        }
        try {
            // Debian's oneDNN runs on GNU OpenMP, which it loaded; not setenv("OMP_NUM_THREADS"): the
            // JVM's own threads read the environment meanwhile, and setenv under them crashes
            SymbolLookup gomp = SymbolLookup.libraryLookup("libgomp.so.1", Arena.global());
            ompSetNumThreads = LINKER.downcallHandle(
                    gomp.find("omp_set_num_threads").orElseThrow(), FunctionDescriptor.ofVoid(JAVA_INT));
            ompGetMaxThreads = LINKER.downcallHandle(
                    gomp.find("omp_get_max_threads").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            why[0] = "oneDNN's OpenMP runtime libgomp.so.1 not found";
            return null;
        }
        try {
            SignalMask.init();
        } catch (RuntimeException e) {
            why[0] = "cannot build the signal mask oneDNN calls need: " + e.getMessage();
            return null;
        }
        return new OneDnnGemm(lib, rest);
    }

    /**
     * Asynchronous signals are blocked while {@code dnnl_sgemm} runs. oneDNN 2.6.3's kernels keep
     * data below the stack pointer, and a signal handler run on the thread's stack meanwhile
     * overwrites it: a C loop of {@code dnnl_sgemm} calls on a thread receiving SIGUSR2 every 200 µs
     * aborted with "double free or corruption" in 3 of 5 runs, none without the signals and none
     * with the handler on an alternate stack; in the JVM, JFR's execution sampler did the same.
     * Synchronous signals (SIGSEGV for the JVM's polls, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT,
     * SIGSYS) stay open. A blocked signal is delivered when the product ends.
     */
    static final class SignalMask {
        private static final int SIG_BLOCK = 0, SIG_SETMASK = 2;
        static final int SIGSET_BYTES = 128;
        private static MethodHandle pthreadSigmask;
        private static MemorySegment blockAsync;

        static synchronized void init() {
            if (blockAsync != null) return;
            SymbolLookup libc = LINKER.defaultLookup();
            MethodHandle fill = LINKER.downcallHandle(
                    libc.find("sigfillset").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MethodHandle del = LINKER.downcallHandle(
                    libc.find("sigdelset").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            MemorySegment set = Arena.global().allocate(SIGSET_BYTES, 8);
            try {
                if ((int) fill.invokeExact(set) != 0) throw new IllegalStateException("sigfillset failed");
                for (int sig : new int[] {4, 5, 6, 7, 8, 11, 31}) { // ILL TRAP ABRT BUS FPE SEGV SYS
                    if ((int) del.invokeExact(set, sig) != 0) throw new IllegalStateException("sigdelset " + sig);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            pthreadSigmask = LINKER.downcallHandle(
                    libc.find("pthread_sigmask").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            blockAsync = set;
        }

        /** Blocks the asynchronous signals on this thread, saving its mask in {@code saved} for {@link #restore}. */
        static void block(MemorySegment saved) {
            try {
                int rc = (int) pthreadSigmask.invokeExact(SIG_BLOCK, blockAsync, saved);
                if (rc != 0) throw new IllegalStateException("pthread_sigmask failed: " + rc);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        static void restore(MemorySegment saved) {
            try {
                int rc = (int) pthreadSigmask.invokeExact(SIG_SETMASK, saved, MemorySegment.NULL);
                if (rc != 0) throw new IllegalStateException("pthread_sigmask failed: " + rc);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** {@code omp_set_num_threads} and {@code omp_get_max_threads}, set by {@link #load}. */
    private static MethodHandle ompSetNumThreads, ompGetMaxThreads;

    /** The OpenMP threads a oneDNN call from this thread would use (tests). */
    static int openMpThreadsOfThisThread() {
        try {
            return (int) ompGetMaxThreads.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Each calling thread's set-up, done once: oneDNN pinned to one OpenMP thread per call (OpenMP
     * keeps the setting per thread; the threads are Nerva's), and the buffer {@link SignalMask}
     * saves the thread's signal mask in. {@link OneDnnConv} shares it.
     */
    static final ThreadLocal<MemorySegment> CALLER = ThreadLocal.withInitial(() -> {
        try {
            ompSetNumThreads.invokeExact(1);
        } catch (Throwable t) {
            throw new IllegalStateException("omp_set_num_threads failed", t);
        }
        return Arena.ofAuto().allocate(SignalMask.SIGSET_BYTES, 8);
    });

    @Override
    public String name() {
        return "oneDNN " + version + " sgemm (" + LIBRARY + ") + " + rest.name();
    }

    @Override
    public String config() {
        return "oneDNN " + version + " sgemm, 1 OpenMP thread per call; " + rest.config();
    }

    /**
     * Products of fewer multiply-adds go to OpenBLAS (system property {@code nerva.oneDnnMinProduct}):
     * a {@code dnnl_sgemm} call costs ~4.5 µs before any arithmetic, OpenBLAS' ~2.3 µs (64×10×128:
     * 4.9 against 2.9 µs), and oneDNN's faster kernels only pay that back above ~220k.
     */
    static final long SMALL_PRODUCT = Long.getLong("nerva.oneDnnMinProduct", 1L << 17);

    private boolean small(int m, int n, int k) {
        return (long) m * n * k < SMALL_PRODUCT && rest instanceof OpenBlas;
    }

    /** The backend for everything but sgemm, and for small products. */
    public Blas rest() {
        return rest;
    }

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
        if (small(m, n, k)) {
            rest.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            GemmSplit.sgemm(this, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

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
        MemorySegment signals = CALLER.get();
        SignalMask.block(signals);
        int status;
        try {
            if (a.isNative() && b.isNative() && c.isNative()) {
                status = (int) sgemm.invokeExact(
                        trans(transA),
                        trans(transB),
                        (long) m,
                        (long) n,
                        (long) k,
                        alpha,
                        a.address() + aOff * 4,
                        (long) lda,
                        b.address() + bOff * 4,
                        (long) ldb,
                        beta,
                        c.address() + cOff * 4,
                        (long) ldc);
            } else {
                status = (int) sgemmHeap.invokeExact(
                        trans(transA),
                        trans(transB),
                        (long) m,
                        (long) n,
                        (long) k,
                        alpha,
                        at(a, aOff),
                        (long) lda,
                        at(b, bOff),
                        (long) ldb,
                        beta,
                        at(c, cOff),
                        (long) ldc);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            SignalMask.restore(signals);
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(c);
        }
        if (status != 0) throw failed(status, m, n, k);
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
        if (small(m, n, k)) {
            rest.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            GemmSplit.sgemm(this, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

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
        sgemmBlock(
                transA,
                transB,
                m,
                n,
                k,
                alpha,
                MemorySegment.ofArray(a),
                aOff,
                lda,
                MemorySegment.ofArray(b),
                bOff,
                ldb,
                beta,
                MemorySegment.ofArray(c),
                cOff,
                ldc);
    }

    private static byte trans(boolean t) {
        return (byte) (t ? 'T' : 'N');
    }

    /** The operand from float {@code off} on (an empty operand's offset may lie past its end; never read then). */
    private static MemorySegment at(MemorySegment s, long off) {
        return off != 0 && off * 4 <= s.byteSize() ? s.asSlice(off * 4) : s;
    }

    private static IllegalStateException failed(int status, int m, int n, int k) {
        return new IllegalStateException(
                "dnnl_sgemm failed with status " + status + " on a " + m + "×" + k + " by " + k + "×" + n + " product");
    }

    // ---------------------------------------------------------------- everything else: the other backend

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
        rest.sgemv(transA, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    @Override
    public void saxpy(int n, float alpha, MemorySegment x, long xOffset, MemorySegment y, long yOffset) {
        rest.saxpy(n, alpha, x, xOffset, y, yOffset);
    }

    @Override
    public void sscal(int n, float alpha, MemorySegment x, long xOffset) {
        rest.sscal(n, alpha, x, xOffset);
    }

    @Override
    public int threads() {
        return Parallel.threads();
    }

    @Override
    public void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        Parallel.setThreads(threads);
        if (rest instanceof OpenBlas) rest.setThreads(threads); // its sgemv: OpenBLAS' pool in nerva.threading=openblas
    }

    @Override
    public String toString() {
        return name();
    }
}
