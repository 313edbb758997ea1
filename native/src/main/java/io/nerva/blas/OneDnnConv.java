package io.nerva.blas;

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
import java.util.Arrays;

/**
 * 2D convolutions over NHWC images through oneDNN 2.x's convolution primitives (forward,
 * backward-data, backward-weights), for when oneDNN is the gemm backend ({@link OneDnnGemm}).
 *
 * <p>Activations stay in Nerva's layout ({@code nhwc}) and oneDNN picks the kernel's layout
 * ({@code any}): with that, oneDNN 2.6.3 chose its direct JIT kernels (brgconv forward, jit
 * backward) and on the peers' Fashion-MNIST CNN ran each pass 1.5–5× faster than im2col + sgemm
 * (no patch matrix is written or scattered back). With the kernel in Keras' {@code hwio} it picks
 * its own im2col + gemm, slower than ours. So the kernel is reordered into oneDNN's layout on each
 * call (a few µs) and the weight gradient back. Max pooling without padding goes through oneDNN's
 * pooling too ({@link #maxPoolForward}; JIT kernels, 5–10× faster than Nerva's Java loops).
 *
 * <p>Threads are Nerva's: a batch is split by samples across {@link Parallel}'s threads, each part
 * one single-threaded oneDNN call; the weight gradients of the parts are summed, so they differ
 * from one thread's in the last bits (a given thread count always gives the same bits; forward,
 * backward-data and pooling gave the same bits on one and two threads for the peers' CNN, per
 * sample as they are, though oneDNN does not promise it for every shape). Primitives live in
 * contexts (a stream, primitives per (shape, samples), their buffers and user scratchpads) that a
 * call borrows from a pool and returns, so a thread's first call reuses what earlier threads set up
 * (a thread-per-request server, virtual threads); after the first step a call allocates nothing.
 * Every oneDNN call runs with asynchronous signals blocked ({@link OneDnnGemm.SignalMask}).
 */
public final class OneDnnConv {
    private static final Linker LINKER = Linker.nativeLinker();

    // oneDNN 2.x constants (dnnl_types.h)
    private static final int F32 = 3, TAG_ANY = 1, TAG_NHWC = 20, TAG_HWIO = 30;
    private static final int FORWARD_TRAINING = 64, DIRECT = 1, CPU = 1, STREAM_DEFAULT = 1;
    private static final int ARG_SRC = 1, ARG_DST = 17, ARG_WEIGHTS = 33;
    private static final int ARG_DIFF_SRC = 129, ARG_DIFF_DST = 145, ARG_DIFF_WEIGHTS = 161;
    private static final int ARG_FROM = 1, ARG_TO = 17;
    private static final int ARG_SCRATCHPAD = 80, Q_SCRATCHPAD_MD = 136, SCRATCHPAD_USER = 1;
    private static final int FORWARD_INFERENCE = 96, POOLING_MAX = 511, ARG_WORKSPACE = 64, Q_WORKSPACE_MD = 135;
    private static final int Q_IMPL_INFO = 8, Q_WEIGHTS_MD = 131, Q_DIFF_WEIGHTS_MD = 132;
    /** Bytes of a {@code dnnl_memory_desc_t} (696 in 2.6) and an op descriptor (5976), with room to spare. */
    private static final long MD_BYTES = 1024, OP_DESC_BYTES = 8192;

    /**
     * A convolution over {@code h x w x c} NHWC images to {@code oh x ow x cout}: kernel
     * {@code kh x kw} ({@code [kh, kw, c, cout]}, Keras' layout), strides, dilation (1: none) and the
     * top/left padding; the bottom/right padding follows from the output size.
     */
    public record Shape(
            int h,
            int w,
            int c,
            int kh,
            int kw,
            int sh,
            int sw,
            int dh,
            int dw,
            int padTop,
            int padLeft,
            int oh,
            int ow,
            int cout) {
        public Shape {
            if (h < 1
                    || w < 1
                    || c < 1
                    || kh < 1
                    || kw < 1
                    || sh < 1
                    || sw < 1
                    || dh < 1
                    || dw < 1
                    || padTop < 0
                    || padLeft < 0
                    || oh < 1
                    || ow < 1
                    || cout < 1) {
                throw new IllegalArgumentException("invalid convolution shape " + this);
            }
        }

        long inSize() {
            return (long) h * w * c;
        }

        long outSize() {
            return (long) oh * ow * cout;
        }

        long kernelSize() {
            return (long) kh * kw * c * cout;
        }

        /** Bottom padding: what the last window needs below the image (none when it fits). */
        int padBottom() {
            return Math.max(0, (oh - 1) * sh + dh * (kh - 1) + 1 - h - padTop);
        }

        int padRight() {
            return Math.max(0, (ow - 1) * sw + dw * (kw - 1) + 1 - w - padLeft);
        }

        /** Whether oneDNN's output size rule, {@code floor((in + pads − extent)/stride) + 1}, gives {@code oh x ow}. */
        boolean consistent() {
            return (h + padTop + padBottom() - dh * (kh - 1) - 1) / sh + 1 == oh
                    && (w + padLeft + padRight() - dw * (kw - 1) - 1) / sw + 1 == ow;
        }
    }

    private static final class Holder {
        static final OneDnnConv INSTANCE = loadForBackend();
    }

    /**
     * oneDNN's convolutions when the gemm backend is oneDNN ({@link Blas#get()}) and the system
     * property {@code nerva.conv} is not {@code im2col}; otherwise, or when they cannot be set up,
     * null (callers then use im2col + sgemm).
     */
    public static OneDnnConv get() {
        return Holder.INSTANCE;
    }

    private static OneDnnConv loadForBackend() {
        if ("im2col".equals(System.getProperty("nerva.conv"))) return null;
        if (!(Blas.get() instanceof OneDnnGemm)) return null;
        return load(new String[1]);
    }

    /**
     * The convolutions of {@link OneDnnGemm#LIBRARY}, or null with the reason in {@code why[0]}.
     * {@link OneDnnGemm#load} must have succeeded first (it sets up OpenMP and the signal mask).
     */
    static OneDnnConv load(String[] why) {
        try {
            return new OneDnnConv(SymbolLookup.libraryLookup(OneDnnGemm.LIBRARY, Arena.global()));
        } catch (RuntimeException e) {
            why[0] = "oneDNN convolutions unavailable: " + e.getMessage();
            return null;
        }
    }

    private final MethodHandle engineCreate, streamCreate, mdInitByTag, mdEqual, mdGetSize;
    private final MethodHandle fwdDescInit, bwdDataDescInit, bwdWeightsDescInit;
    private final MethodHandle pdCreate, pdQueryMd, pdQuery, pdDestroy, reorderPdCreate, primitiveCreate;
    private final MethodHandle memoryCreate, setDataHandle, execute, streamWait;
    private final MethodHandle primitiveDestroy, memoryDestroy, streamDestroy;
    private final MethodHandle poolFwdDescInit, poolBwdDescInit;
    /** Primitive attributes asking for a user scratchpad: a context's primitives then run on any thread. */
    private final long userScratchpad;

    private final long engine;

    private OneDnnConv(SymbolLookup lib) {
        // every pointer goes as a raw address (JAVA_LONG): a call wraps nothing in a segment
        engineCreate = handle(lib, "dnnl_engine_create", JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG);
        streamCreate = handle(lib, "dnnl_stream_create", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
        mdInitByTag = handle(
                lib, "dnnl_memory_desc_init_by_tag", JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
        mdEqual = handle(lib, "dnnl_memory_desc_equal", JAVA_INT, JAVA_LONG, JAVA_LONG);
        mdGetSize = handle(lib, "dnnl_memory_desc_get_size", JAVA_LONG, JAVA_LONG);
        // (desc, [prop,] alg, src|diff_src, weights|diff_weights, [bias,] dst|diff_dst, strides, dilates, pad_l, pad_r)
        fwdDescInit = handle(
                lib,
                "dnnl_dilated_convolution_forward_desc_init",
                JAVA_INT,
                JAVA_LONG,
                JAVA_INT,
                JAVA_INT,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG);
        bwdDataDescInit = handle(
                lib,
                "dnnl_dilated_convolution_backward_data_desc_init",
                JAVA_INT,
                JAVA_LONG,
                JAVA_INT,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG);
        bwdWeightsDescInit = handle(
                lib,
                "dnnl_dilated_convolution_backward_weights_desc_init",
                JAVA_INT,
                JAVA_LONG,
                JAVA_INT,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG);
        pdCreate = handle(
                lib, "dnnl_primitive_desc_create", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        pdQueryMd = handle(lib, "dnnl_primitive_desc_query_md", JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT);
        pdQuery = handle(lib, "dnnl_primitive_desc_query", JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG);
        pdDestroy = handle(lib, "dnnl_primitive_desc_destroy", JAVA_INT, JAVA_LONG);
        reorderPdCreate = handle(
                lib,
                "dnnl_reorder_primitive_desc_create",
                JAVA_INT,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG);
        primitiveCreate = handle(lib, "dnnl_primitive_create", JAVA_INT, JAVA_LONG, JAVA_LONG);
        memoryCreate = handle(lib, "dnnl_memory_create", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        setDataHandle = handle(lib, "dnnl_memory_set_data_handle", JAVA_INT, JAVA_LONG, JAVA_LONG);
        execute = handle(lib, "dnnl_primitive_execute", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG);
        streamWait = handle(lib, "dnnl_stream_wait", JAVA_INT, JAVA_LONG);
        primitiveDestroy = handle(lib, "dnnl_primitive_destroy", JAVA_INT, JAVA_LONG);
        memoryDestroy = handle(lib, "dnnl_memory_destroy", JAVA_INT, JAVA_LONG);
        streamDestroy = handle(lib, "dnnl_stream_destroy", JAVA_INT, JAVA_LONG);
        // (desc, [prop,] alg, src|diff_src, dst|diff_dst, strides, kernel, dilation, pad_l, pad_r)
        poolFwdDescInit = handle(
                lib,
                "dnnl_pooling_v2_forward_desc_init",
                JAVA_INT,
                JAVA_LONG,
                JAVA_INT,
                JAVA_INT,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG);
        poolBwdDescInit = handle(
                lib,
                "dnnl_pooling_v2_backward_desc_init",
                JAVA_INT,
                JAVA_LONG,
                JAVA_INT,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_LONG);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            MethodHandle create = engineCreate;
            masked(() -> check((int) create.invokeExact(out.address(), CPU, 0L), "dnnl_engine_create"));
            engine = out.get(JAVA_LONG, 0);
            MethodHandle attrCreate = handle(lib, "dnnl_primitive_attr_create", JAVA_INT, JAVA_LONG);
            MethodHandle setMode =
                    handle(lib, "dnnl_primitive_attr_set_scratchpad_mode", JAVA_INT, JAVA_LONG, JAVA_INT);
            masked(() -> {
                check((int) attrCreate.invokeExact(out.address()), "dnnl_primitive_attr_create");
                check((int) setMode.invokeExact(out.get(JAVA_LONG, 0), SCRATCHPAD_USER), "scratchpad mode");
            });
            userScratchpad = out.get(JAVA_LONG, 0);
        }
    }

    private static MethodHandle handle(
            SymbolLookup lib, String name, java.lang.foreign.MemoryLayout ret, java.lang.foreign.MemoryLayout... args) {
        MemorySegment symbol = lib.find(name)
                .orElseThrow(() -> new IllegalArgumentException(OneDnnGemm.LIBRARY + " has no symbol " + name));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(ret, args));
    }

    private static void check(int status, String what) {
        if (status != 0) throw new IllegalStateException(what + " failed with oneDNN status " + status);
    }

    // ---------------------------------------------------------------- public passes

    /**
     * {@code y [rows, oh, ow, cout] = conv(x [rows, h, w, c], W)} with {@code W} ({@code [kh, kw, c,
     * cout]}) at float offset {@code wOff} of {@code params}; no bias. Overwrites {@code y}.
     * Segments must be native.
     */
    public void forward(Shape s, MemorySegment x, MemorySegment params, long wOff, MemorySegment y, int rows) {
        run(Pass.FORWARD, s, x, params, wOff, y, rows);
    }

    /** {@code dx = dLoss/dx} given {@code dy = dLoss/dy} (overwrites {@code dx}). */
    public void backwardData(Shape s, MemorySegment dy, MemorySegment params, long wOff, MemorySegment dx, int rows) {
        run(Pass.BACKWARD_DATA, s, dy, params, wOff, dx, rows);
    }

    /** {@code dW = dLoss/dW} at float offset {@code gOff} of {@code grads} (overwrites), given {@code x} and {@code dy}. */
    public void backwardWeights(Shape s, MemorySegment x, MemorySegment dy, MemorySegment grads, long gOff, int rows) {
        run(Pass.BACKWARD_WEIGHTS, s, x, grads, gOff, dy, rows);
    }

    /**
     * Whether oneDNN runs this shape with an optimised kernel in all three passes (its reference
     * kernels are slower than im2col + sgemm). Sets the primitives up for one sample in a context.
     */
    public boolean supports(Shape s) {
        if (!s.consistent()) return false;
        Caller c = borrow();
        try {
            Prims p = c.prims(s, 1);
            for (Pass pass : Pass.values()) {
                if (p.step(pass).impl.startsWith("ref")) return false;
            }
            return true;
        } catch (IllegalStateException e) {
            return false;
        } finally {
            giveBack(c);
        }
    }

    /** The implementation oneDNN chose for {@code pass} over {@code rows} samples (tests, benchmarks). */
    public String implementation(Shape s, Pass pass, int rows) {
        Caller c = borrow();
        try {
            return c.prims(s, rows).step(pass).impl;
        } finally {
            giveBack(c);
        }
    }

    /** The three passes of a convolution. */
    public enum Pass {
        FORWARD,
        BACKWARD_DATA,
        BACKWARD_WEIGHTS
    }

    /** Calls with fewer multiply-adds than this stay on one thread (a split costs a few µs). */
    static final long MIN_SPLIT_MACS = 1L << 20;

    /** {@link #MIN_SPLIT_MACS}; tests lower it to split small shapes too. */
    static volatile long minSplitMacs = MIN_SPLIT_MACS;

    /**
     * Runs {@code pass} over {@code rows} samples, split by samples when more than one of
     * {@link Parallel}'s threads is free. Operands: forward {@code (x, W, y)}, backward-data
     * {@code (dy, W, dx)}, backward-weights {@code (x, dW, dy)}: {@code a} and {@code c} are per
     * sample, {@code b} the kernel at {@code bOff}.
     */
    private void run(Pass pass, Shape s, MemorySegment a, MemorySegment b, long bOff, MemorySegment c, int rows) {
        if (rows < 1) throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        if (!a.isNative() || !b.isNative() || !c.isNative())
            throw new IllegalArgumentException("oneDNN convolutions need native segments");
        long macs = (long) rows * s.outSize() * s.kh() * s.kw() * s.c();
        int parts = Math.min(rows, Parallel.threads());
        // a confined segment stays on its thread (the redo of oneDNN's pooling reads it from Java)
        boolean shared = Parallel.shared(a) && Parallel.shared(b) && Parallel.shared(c);
        if (parts < 2 || macs < minSplitMacs || !shared || !Parallel.available()) {
            runPart(pass, s, a, b, bOff, c, 0, rows, 0);
            return;
        }
        Job job = JOBS.get();
        job.set(this, pass, s, a, b, bOff, c, rows, parts);
        try {
            Parallel.run(job, parts);
            if (pass == Pass.BACKWARD_WEIGHTS) job.sumParts(b, bOff);
        } finally {
            job.clear();
        }
    }

    /**
     * Samples {@code [from, to)} of {@code pass} on this thread, in a borrowed context. Backward-weights writes part 0's
     * gradient to {@code b} and part {@code p > 0}'s to {@code partGrads} slot {@code p − 1}.
     */
    void runPart(
            Pass pass,
            Shape s,
            MemorySegment a,
            MemorySegment b,
            long bOff,
            MemorySegment c,
            int from,
            int to,
            long partGradAddress) {
        Caller caller = borrow();
        Step step;
        try {
            step = caller.prims(s, to - from).step(pass); // set-up masks the signals itself: not nested
        } catch (RuntimeException | Error e) {
            giveBack(caller);
            throw e;
        }
        long aAt = a.address() + from * (pass == Pass.BACKWARD_DATA ? s.outSize() : s.inSize()) * Float.BYTES;
        long cAt = c.address() + from * (pass == Pass.BACKWARD_DATA ? s.inSize() : s.outSize()) * Float.BYTES;
        long kernelAt = partGradAddress != 0 ? partGradAddress : b.address() + bOff * Float.BYTES;
        MemorySegment signals = OneDnnGemm.CALLER.get(); // also pins oneDNN to 1 OpenMP thread here
        OneDnnGemm.SignalMask.block(signals);
        try {
            check((int) setDataHandle.invokeExact(step.perSampleA, aAt), "dnnl_memory_set_data_handle");
            check((int) setDataHandle.invokeExact(step.perSampleC, cAt), "dnnl_memory_set_data_handle");
            check((int) setDataHandle.invokeExact(step.userKernel, kernelAt), "dnnl_memory_set_data_handle");
            if (step.reorder != 0 && pass != Pass.BACKWARD_WEIGHTS)
                exec(step.reorder, caller.stream, step.reorderArgs, step.reorderNargs);
            exec(step.primitive, caller.stream, step.args, step.nargs);
            if (step.reorder != 0 && pass == Pass.BACKWARD_WEIGHTS)
                exec(step.reorder, caller.stream, step.reorderArgs, step.reorderNargs);
            check((int) streamWait.invokeExact(caller.stream), "dnnl_stream_wait");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            OneDnnGemm.SignalMask.restore(signals);
            giveBack(caller);
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(c);
        }
    }

    private void exec(long primitive, long stream, MemorySegment args, int nargs) throws Throwable {
        check((int) execute.invokeExact(primitive, stream, nargs, args.address()), "dnnl_primitive_execute");
    }

    // ---------------------------------------------------------------- contexts: streams and primitives

    /**
     * Contexts not in use. A call takes one and puts it back, on whatever thread it runs (the
     * primitives have user scratchpads, in their context), so threads that come and go (a server's,
     * virtual ones) reuse the contexts set up before; one is made when none is free, i.e. there are
     * as many as calls ever ran at once. Slots, not a queue: taking and returning allocate nothing.
     */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Caller> idle =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(64);

    /** Contexts made so far (tests). */
    final java.util.concurrent.atomic.AtomicInteger contexts = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * The slot of the context this thread used last: a thread keeps its context while it can (its
     * kernel copies and scratchpads stay in that core's cache).
     */
    private final ThreadLocal<int[]> lastSlot = ThreadLocal.withInitial(() -> new int[] {0});

    private Caller borrow() {
        int[] last = lastSlot.get();
        Caller c = idle.get(last[0]);
        if (c != null && idle.compareAndSet(last[0], c, null)) return c;
        for (int i = 0; i < idle.length(); i++) {
            c = idle.get(i);
            if (c != null && idle.compareAndSet(i, c, null)) {
                last[0] = i;
                return c;
            }
        }
        return new Caller();
    }

    private void giveBack(Caller c) {
        int[] last = lastSlot.get();
        if (idle.get(last[0]) == null && idle.compareAndSet(last[0], null, c)) return;
        for (int i = 0; i < idle.length(); i++) {
            if (idle.get(i) == null && idle.compareAndSet(i, null, c)) {
                last[0] = i;
                return;
            }
        }
        c.owned.run(); // more calls ran at once than there are slots: this context goes
    }

    /**
     * A stream and the primitives of every shape run in it, each set up on its first use here (a
     * few ms per shape after the first context: oneDNN's primitive cache keeps the compiled
     * kernels), with the buffers they need: reordered kernels, scratchpads. One call at a time.
     */
    private final class Caller {
        final Arena arena = Arena.ofAuto();
        final Owned owned = new Owned();
        final long stream;
        Prims[] prims = new Prims[0];

        Caller() {
            MemorySegment out = arena.allocate(JAVA_LONG);
            masked(() ->
                    check((int) streamCreate.invokeExact(out.address(), engine, STREAM_DEFAULT), "dnnl_stream_create"));
            stream = out.get(JAVA_LONG, 0);
            owned.add(Owned.STREAM, stream);
            contexts.incrementAndGet();
        }

        PoolPrims[] pools = new PoolPrims[0];

        /** The pooling primitives of {@code p} over {@code rows} samples, set up on first use. */
        PoolPrims pool(Window p, int rows) {
            for (PoolPrims q : pools) {
                if (q.rows == rows && q.window.equals(p)) return q;
            }
            PoolPrims q = new PoolPrims(this, p, rows);
            pools = Arrays.copyOf(pools, pools.length + 1);
            pools[pools.length - 1] = q;
            return q;
        }

        /** The primitives of {@code s} over {@code rows} samples, set up on first use. */
        Prims prims(Shape s, int rows) {
            for (Prims p : prims) {
                if (p.rows == rows && p.shape.equals(s)) return p;
            }
            Prims p = new Prims(this, s, rows);
            prims = Arrays.copyOf(prims, prims.length + 1);
            prims[prims.length - 1] = p;
            return p;
        }
    }

    /** The oneDNN objects of a context, for destroying it (the buffers they point into are its arena's). */
    private final class Owned implements Runnable {
        static final byte PRIMITIVE = 0, MEMORY = 1, DESC = 2, STREAM = 3;
        private long[] handles = new long[16];
        private byte[] kinds = new byte[16];
        private int count;

        synchronized void add(byte kind, long handle) {
            if (count == handles.length) {
                handles = Arrays.copyOf(handles, 2 * count);
                kinds = Arrays.copyOf(kinds, 2 * count);
            }
            handles[count] = handle;
            kinds[count++] = kind;
        }

        @Override
        public synchronized void run() {
            masked(() -> {
                for (int i = count - 1; i >= 0; i--) { // users before what they use
                    long h = handles[i];
                    int status = switch (kinds[i]) {
                        case PRIMITIVE -> (int) primitiveDestroy.invokeExact(h);
                        case MEMORY -> (int) memoryDestroy.invokeExact(h);
                        case DESC -> (int) pdDestroy.invokeExact(h);
                        default -> (int) streamDestroy.invokeExact(h);
                    };
                    check(status, "destroying a oneDNN object");
                }
                count = 0;
            });
        }
    }

    /**
     * Runs oneDNN calls with the asynchronous signals blocked (see {@link OneDnnGemm}). For set-up and
     * tear-down: the per-step calls block them inline, so that a step allocates no lambda.
     */
    private static void masked(NativeCall body) {
        MemorySegment signals = OneDnnGemm.CALLER.get();
        OneDnnGemm.SignalMask.block(signals);
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            OneDnnGemm.SignalMask.restore(signals);
        }
    }

    @FunctionalInterface
    private interface NativeCall {
        void run() throws Throwable;
    }

    /** A shape's three passes over a number of samples, each set up on first use. */
    private final class Prims {
        final Caller caller;
        final Shape shape;
        final int rows;
        final MemorySegment src, dst, userKernel, anyKernel, strides, dilates, padL, padR;
        long forwardPd;
        final Step[] steps = new Step[Pass.values().length];

        Prims(Caller caller, Shape s, int rows) {
            this.caller = caller;
            this.shape = s;
            this.rows = rows;
            Arena arena = caller.arena;
            src = arena.allocate(MD_BYTES, 8);
            dst = arena.allocate(MD_BYTES, 8);
            userKernel = arena.allocate(MD_BYTES, 8);
            anyKernel = arena.allocate(MD_BYTES, 8);
            strides = dims(arena, s.sh(), s.sw());
            dilates = dims(arena, s.dh() - 1, s.dw() - 1); // oneDNN counts dilation from 0
            padL = dims(arena, s.padTop(), s.padLeft());
            padR = dims(arena, s.padBottom(), s.padRight());
            // logical dimensions are NCHW / OIHW whatever the layout
            MemorySegment srcDims = dims(arena, rows, s.c(), s.h(), s.w());
            MemorySegment dstDims = dims(arena, rows, s.cout(), s.oh(), s.ow());
            MemorySegment kernelDims = dims(arena, s.cout(), s.c(), s.kh(), s.kw());
            masked(() -> {
                check((int) mdInitByTag.invokeExact(src.address(), 4, srcDims.address(), F32, TAG_NHWC), "src md");
                check((int) mdInitByTag.invokeExact(dst.address(), 4, dstDims.address(), F32, TAG_NHWC), "dst md");
                check(
                        (int) mdInitByTag.invokeExact(userKernel.address(), 4, kernelDims.address(), F32, TAG_HWIO),
                        "kernel md");
                check(
                        (int) mdInitByTag.invokeExact(anyKernel.address(), 4, kernelDims.address(), F32, TAG_ANY),
                        "kernel md");
            });
        }

        Step step(Pass pass) {
            Step st = steps[pass.ordinal()];
            if (st == null) {
                if (forwardPd == 0) {
                    forwardPd = primitiveDesc(Pass.FORWARD, 0);
                    caller.owned.add(Owned.DESC, forwardPd);
                }
                long pd = pass == Pass.FORWARD ? forwardPd : primitiveDesc(pass, forwardPd);
                st = steps[pass.ordinal()] = new Step(this, pass, pd);
                if (pass != Pass.FORWARD) destroy(pd); // the forward one stays: the backward ones' hint
            }
            return st;
        }

        private long primitiveDesc(Pass pass, long hint) {
            Arena arena = caller.arena;
            MemorySegment op = arena.allocate(OP_DESC_BYTES, 8), out = arena.allocate(JAVA_LONG);
            long k = anyKernel.address(), st = strides.address(), dl = dilates.address();
            long pl = padL.address(), pr = padR.address();
            masked(() -> {
                int status = switch (pass) {
                    case FORWARD ->
                        (int) fwdDescInit.invokeExact(
                                op.address(),
                                FORWARD_TRAINING,
                                DIRECT,
                                src.address(),
                                k,
                                0L,
                                dst.address(),
                                st,
                                dl,
                                pl,
                                pr);
                    case BACKWARD_DATA ->
                        (int) bwdDataDescInit.invokeExact(
                                op.address(), DIRECT, src.address(), k, dst.address(), st, dl, pl, pr);
                    case BACKWARD_WEIGHTS ->
                        (int) bwdWeightsDescInit.invokeExact(
                                op.address(), DIRECT, src.address(), k, 0L, dst.address(), st, dl, pl, pr);
                };
                check(status, "convolution " + pass + " descriptor of " + shape);
                check(
                        (int) pdCreate.invokeExact(out.address(), op.address(), userScratchpad, engine, hint),
                        "convolution " + pass + " primitive descriptor of " + shape);
            });
            return out.get(JAVA_LONG, 0);
        }

        private void destroy(long pd) {
            masked(() -> check((int) pdDestroy.invokeExact(pd), "dnnl_primitive_desc_destroy"));
        }
    }

    /**
     * One pass: its primitive, its memories (the per-sample operands' and the user kernel's data
     * set per call), and the reorder between the user kernel ({@code hwio}) and the layout oneDNN
     * chose, into a buffer of its own.
     */
    private final class Step {
        final String impl;
        long primitive, reorder;
        long perSampleA, perSampleC, userKernel;
        int nargs = 3, reorderNargs = 2;
        final MemorySegment args, reorderArgs;
        private final Owned owner;

        Step(Prims p, Pass pass, long pd) {
            Caller caller = p.caller;
            owner = caller.owned;
            Arena arena = caller.arena;
            args = arena.allocate(4 * 16L, 8);
            reorderArgs = arena.allocate(3 * 16L, 8);
            MemorySegment out = arena.allocate(JAVA_LONG);
            String[] implOut = {null};
            masked(() -> {
                check((int) pdQuery.invokeExact(pd, Q_IMPL_INFO, 0, out.address()), "impl info");
                implOut[0] = MemorySegment.ofAddress(out.get(JAVA_LONG, 0))
                        .reinterpret(256)
                        .getString(0);
                check((int) primitiveCreate.invokeExact(out.address(), pd), "convolution " + pass + " primitive");
                primitive = out.get(JAVA_LONG, 0);
                caller.owned.add(Owned.PRIMITIVE, primitive);
                long kernelMd = (long)
                        pdQueryMd.invokeExact(pd, pass == Pass.BACKWARD_WEIGHTS ? Q_DIFF_WEIGHTS_MD : Q_WEIGHTS_MD, 0);
                perSampleA = memory(out, pass == Pass.BACKWARD_DATA ? p.dst : p.src, 0);
                perSampleC = memory(out, pass == Pass.BACKWARD_DATA ? p.src : p.dst, 0);
                userKernel = memory(out, p.userKernel, 0);
                long kernel = userKernel;
                if ((int) mdEqual.invokeExact(kernelMd, p.userKernel.address()) == 0) {
                    // oneDNN's layout: a buffer of its own and a reorder to or from the user's kernel
                    long bytes = (long) mdGetSize.invokeExact(kernelMd);
                    MemorySegment buffer = arena.allocate(bytes, 64);
                    kernel = memoryAt(out, kernelMd, buffer.address());
                    boolean toUser = pass == Pass.BACKWARD_WEIGHTS;
                    long from = toUser ? kernelMd : p.userKernel.address();
                    long to = toUser ? p.userKernel.address() : kernelMd;
                    check(
                            (int) reorderPdCreate.invokeExact(out.address(), from, engine, to, engine, userScratchpad),
                            "kernel reorder descriptor");
                    long rpd = out.get(JAVA_LONG, 0);
                    check((int) primitiveCreate.invokeExact(out.address(), rpd), "kernel reorder");
                    reorder = out.get(JAVA_LONG, 0);
                    caller.owned.add(Owned.PRIMITIVE, reorder);
                    arg(reorderArgs, 0, ARG_FROM, toUser ? kernel : userKernel);
                    arg(reorderArgs, 1, ARG_TO, toUser ? userKernel : kernel);
                    long scratch = scratchpad(caller, out, rpd);
                    if (scratch != 0) arg(reorderArgs, reorderNargs++, ARG_SCRATCHPAD, scratch);
                    check((int) pdDestroy.invokeExact(rpd), "dnnl_primitive_desc_destroy");
                }
                long scratch = scratchpad(caller, out, pd);
                if (scratch != 0) arg(args, nargs++, ARG_SCRATCHPAD, scratch);
                switch (pass) {
                    case FORWARD -> {
                        arg(args, 0, ARG_SRC, perSampleA);
                        arg(args, 1, ARG_WEIGHTS, kernel);
                        arg(args, 2, ARG_DST, perSampleC);
                    }
                    case BACKWARD_DATA -> {
                        arg(args, 0, ARG_DIFF_DST, perSampleA);
                        arg(args, 1, ARG_WEIGHTS, kernel);
                        arg(args, 2, ARG_DIFF_SRC, perSampleC);
                    }
                    case BACKWARD_WEIGHTS -> {
                        arg(args, 0, ARG_SRC, perSampleA);
                        arg(args, 1, ARG_DIFF_WEIGHTS, kernel);
                        arg(args, 2, ARG_DIFF_DST, perSampleC);
                    }
                }
            });
            impl = implOut[0];
        }

        private long memory(MemorySegment out, MemorySegment md, long handle) throws Throwable {
            return memoryAt(out, md.address(), handle);
        }

        private long memoryAt(MemorySegment out, long md, long handle) throws Throwable {
            check((int) memoryCreate.invokeExact(out.address(), md, engine, handle), "dnnl_memory_create");
            long memory = out.get(JAVA_LONG, 0);
            owner.add(Owned.MEMORY, memory);
            return memory;
        }

        private static void arg(MemorySegment args, int i, int kind, long memory) {
            args.set(JAVA_INT, i * 16L, kind);
            args.set(JAVA_LONG, i * 16L + 8, memory);
        }
    }

    /** A memory over a buffer of the context for {@code pd}'s scratchpad, or 0 when it needs none. */
    private long scratchpad(Caller caller, MemorySegment out, long pd) throws Throwable {
        long md = (long) pdQueryMd.invokeExact(pd, Q_SCRATCHPAD_MD, 0);
        long bytes = md == 0 ? 0 : (long) mdGetSize.invokeExact(md);
        if (bytes == 0) return 0;
        MemorySegment buffer = caller.arena.allocate(bytes, 64);
        check((int) memoryCreate.invokeExact(out.address(), md, engine, buffer.address()), "dnnl_memory_create");
        long memory = out.get(JAVA_LONG, 0);
        caller.owned.add(Owned.MEMORY, memory);
        return memory;
    }

    private static MemorySegment dims(Arena arena, long... v) {
        MemorySegment s = arena.allocate(JAVA_LONG, v.length);
        for (int i = 0; i < v.length; i++) s.setAtIndex(JAVA_LONG, i, v[i]);
        return s;
    }

    // ---------------------------------------------------------------- max pooling

    /**
     * A max pooling over {@code h x w x c} NHWC images to {@code oh x ow x c}, window
     * {@code kh x kw}, strides {@code sh x sw}, every window inside the image (no padding).
     */
    public record Window(int h, int w, int c, int kh, int kw, int sh, int sw, int oh, int ow) {
        public Window {
            if (h < 1 || w < 1 || c < 1 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || oh < 1 || ow < 1) {
                throw new IllegalArgumentException("invalid pooling window " + this);
            }
            if ((oh - 1) * sh + kh > h || (ow - 1) * sw + kw > w) {
                throw new IllegalArgumentException("a window of " + this + " reaches outside the image");
            }
            if (kh * kw > 255) throw new IllegalArgumentException("more than 255 cells in a window: " + this);
        }

        long inSize() {
            return (long) h * w * c;
        }

        long outSize() {
            return (long) oh * ow * c;
        }

        /** Whether oneDNN's output size rule gives {@code oh x ow} without padding. */
        boolean consistent() {
            return (h - kh) / sh + 1 == oh && (w - kw) / sw + 1 == ow;
        }
    }

    /**
     * Whether oneDNN runs this max pooling with an optimised kernel (forward with and without
     * the winners, backward). Sets the primitives up for one sample in a context.
     */
    public boolean supports(Window p) {
        if (!p.consistent()) return false;
        Caller c = borrow();
        try {
            PoolPrims q = c.pool(p, 1);
            return !q.step(PoolPass.TRAIN).impl.startsWith("ref")
                    && !q.step(PoolPass.INFER).impl.startsWith("ref")
                    && !q.step(PoolPass.BACKWARD).impl.startsWith("ref");
        } catch (IllegalStateException e) {
            return false;
        } finally {
            giveBack(c);
        }
    }

    /**
     * {@code y [rows, oh, ow, c]} = the maximum of each window of {@code x}: the first cell in
     * row-major window order greater than all before it, starting from −∞ (so ties go to the
     * first cell, NaN cells are skipped, a window of NaN and −∞ gives −∞ and cell 0). Unless
     * {@code cells} is {@link MemorySegment#NULL}, records each winner's cell {@code ky·kw + kx}
     * as one byte per output value (oneDNN's workspace), for {@link #maxPoolBackward}. oneDNN
     * starts from {@code −Float.MAX_VALUE} instead; its outputs of that value are redone here.
     */
    public void maxPoolForward(Window p, MemorySegment x, MemorySegment y, MemorySegment cells, int rows) {
        runPool(cells == MemorySegment.NULL ? PoolPass.INFER : PoolPass.TRAIN, p, x, y, cells, rows);
    }

    /** {@code dx = 0}, then each {@code dy} added to its window's winner recorded in {@code cells}. */
    public void maxPoolBackward(Window p, MemorySegment dy, MemorySegment cells, MemorySegment dx, int rows) {
        runPool(PoolPass.BACKWARD, p, dy, dx, cells, rows);
    }

    enum PoolPass {
        TRAIN,
        INFER,
        BACKWARD
    }

    private void runPool(PoolPass pass, Window p, MemorySegment a, MemorySegment c, MemorySegment cells, int rows) {
        if (rows < 1) throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        if (!a.isNative() || !c.isNative() || !(cells == MemorySegment.NULL || cells.isNative()))
            throw new IllegalArgumentException("oneDNN pooling needs native segments");
        int parts = Math.min(rows, Parallel.threads());
        boolean shared = Parallel.shared(a) && Parallel.shared(c) && Parallel.shared(cells);
        if (parts < 2 || (long) rows * p.inSize() < MIN_SPLIT_POOL_FLOATS || !shared || !Parallel.available()) {
            runPoolPart(pass, p, a, c, cells, 0, rows);
            return;
        }
        PoolJob job = POOL_JOBS.get();
        job.conv = this;
        job.pass = pass;
        job.window = p;
        job.a = a;
        job.c = c;
        job.cells = cells;
        job.rows = rows;
        try {
            Parallel.run(job, parts);
        } finally {
            job.conv = null;
            job.window = null;
            job.a = job.c = job.cells = null;
        }
    }

    /** Poolings over fewer input floats than this stay on one thread. */
    private static final long MIN_SPLIT_POOL_FLOATS = 1L << 15;

    void runPoolPart(PoolPass pass, Window p, MemorySegment a, MemorySegment c, MemorySegment cells, int from, int to) {
        Caller caller = borrow();
        PoolStep step;
        try {
            step = caller.pool(p, to - from).step(pass); // set-up masks the signals itself: not nested
        } catch (RuntimeException | Error e) {
            giveBack(caller);
            throw e;
        }
        boolean back = pass == PoolPass.BACKWARD;
        long aAt = a.address() + from * (back ? p.outSize() : p.inSize()) * Float.BYTES;
        long cAt = c.address() + from * (back ? p.inSize() : p.outSize()) * Float.BYTES;
        MemorySegment signals = OneDnnGemm.CALLER.get(); // also pins oneDNN to 1 OpenMP thread here
        OneDnnGemm.SignalMask.block(signals);
        try {
            check((int) setDataHandle.invokeExact(step.a, aAt), "dnnl_memory_set_data_handle");
            check((int) setDataHandle.invokeExact(step.c, cAt), "dnnl_memory_set_data_handle");
            if (step.cells != 0) {
                long cellsAt = cells.address() + from * p.outSize(); // one byte per output value
                check((int) setDataHandle.invokeExact(step.cells, cellsAt), "dnnl_memory_set_data_handle");
            }
            exec(step.primitive, caller.stream, step.args, step.nargs);
            check((int) streamWait.invokeExact(caller.stream), "dnnl_stream_wait");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            OneDnnGemm.SignalMask.restore(signals);
            giveBack(caller);
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(c);
            Reference.reachabilityFence(cells);
        }
        if (!back) redoLowest(p, a, c, cells, from, to);
    }

    /** Outputs of {@code −Float.MAX_VALUE} (oneDNN's starting value) by the rule of {@link #maxPoolForward}. */
    private static void redoLowest(Window p, MemorySegment x, MemorySegment y, MemorySegment cells, int from, int to) {
        final long outSize = p.outSize(), end = to * outSize;
        for (long i = from * outSize; i < end; i++) {
            if (y.getAtIndex(JAVA_FLOAT, i) != -Float.MAX_VALUE) continue;
            long n = i / outSize, j = i % outSize;
            int ch = (int) (j % p.c()), pixel = (int) (j / p.c());
            int oy = pixel / p.ow(), ox = pixel % p.ow();
            float best = Float.NEGATIVE_INFINITY;
            int cell = 0;
            for (int ky = 0; ky < p.kh(); ky++) {
                for (int kx = 0; kx < p.kw(); kx++) {
                    long at = n * p.inSize() + ((long) (oy * p.sh() + ky) * p.w() + ox * p.sw() + kx) * p.c() + ch;
                    float v = x.getAtIndex(JAVA_FLOAT, at);
                    if (v > best) {
                        best = v;
                        cell = ky * p.kw() + kx;
                    }
                }
            }
            y.setAtIndex(JAVA_FLOAT, i, best);
            if (cells != MemorySegment.NULL) cells.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) cell);
        }
    }

    private static final ThreadLocal<PoolJob> POOL_JOBS = ThreadLocal.withInitial(PoolJob::new);

    /** One calling thread's pooling split by samples, refilled per call. */
    private static final class PoolJob implements Parallel.Task {
        OneDnnConv conv;
        PoolPass pass;
        Window window;
        MemorySegment a, c, cells;
        int rows;

        @Override
        public void run(int part, int parts) {
            int from = Parallel.start(part, rows, parts), to = Parallel.start(part + 1, rows, parts);
            conv.runPoolPart(pass, window, a, c, cells, from, to);
        }
    }

    /** A pooling's three passes over a number of samples on one thread, each set up on first use. */
    private final class PoolPrims {
        final Caller caller;
        final Window window;
        final int rows;
        final MemorySegment src, dst, strides, kernel, dilation, pad;
        long trainPd;
        final PoolStep[] steps = new PoolStep[PoolPass.values().length];

        PoolPrims(Caller caller, Window p, int rows) {
            this.caller = caller;
            this.window = p;
            this.rows = rows;
            Arena arena = caller.arena;
            src = arena.allocate(MD_BYTES, 8);
            dst = arena.allocate(MD_BYTES, 8);
            strides = dims(arena, p.sh(), p.sw());
            kernel = dims(arena, p.kh(), p.kw());
            dilation = dims(arena, 0, 0);
            pad = dims(arena, 0, 0);
            MemorySegment srcDims = dims(arena, rows, p.c(), p.h(), p.w());
            MemorySegment dstDims = dims(arena, rows, p.c(), p.oh(), p.ow());
            masked(() -> {
                check((int) mdInitByTag.invokeExact(src.address(), 4, srcDims.address(), F32, TAG_NHWC), "src md");
                check((int) mdInitByTag.invokeExact(dst.address(), 4, dstDims.address(), F32, TAG_NHWC), "dst md");
            });
        }

        PoolStep step(PoolPass pass) {
            PoolStep st = steps[pass.ordinal()];
            if (st == null) {
                if (trainPd == 0) {
                    trainPd = primitiveDesc(PoolPass.TRAIN, 0);
                    caller.owned.add(Owned.DESC, trainPd);
                }
                long pd = pass == PoolPass.TRAIN ? trainPd : primitiveDesc(pass, trainPd);
                st = steps[pass.ordinal()] = new PoolStep(this, pass, pd);
                if (pass != PoolPass.TRAIN) masked(() -> check((int) pdDestroy.invokeExact(pd), "pd destroy"));
            }
            return st;
        }

        private long primitiveDesc(PoolPass pass, long hint) {
            Arena arena = caller.arena;
            MemorySegment op = arena.allocate(OP_DESC_BYTES, 8), out = arena.allocate(JAVA_LONG);
            long st = strides.address(), k = kernel.address(), dl = dilation.address(), pd = pad.address();
            masked(() -> {
                int status = pass == PoolPass.BACKWARD
                        ? (int) poolBwdDescInit.invokeExact(
                                op.address(), POOLING_MAX, src.address(), dst.address(), st, k, dl, pd, pd)
                        : (int) poolFwdDescInit.invokeExact(
                                op.address(),
                                pass == PoolPass.TRAIN ? FORWARD_TRAINING : FORWARD_INFERENCE,
                                POOLING_MAX,
                                src.address(),
                                dst.address(),
                                st,
                                k,
                                dl,
                                pd,
                                pd);
                check(status, "max pooling " + pass + " descriptor of " + window);
                check(
                        (int) pdCreate.invokeExact(out.address(), op.address(), userScratchpad, engine, hint),
                        "max pooling " + pass + " primitive descriptor of " + window);
            });
            return out.get(JAVA_LONG, 0);
        }
    }

    /** One pooling pass: its primitive and memories (data set per call). */
    private final class PoolStep {
        final String impl;
        long primitive, a, c, cells;
        int nargs;
        final MemorySegment args;

        PoolStep(PoolPrims q, PoolPass pass, long pd) {
            Caller caller = q.caller;
            args = caller.arena.allocate(4 * 16L, 8);
            MemorySegment out = caller.arena.allocate(JAVA_LONG);
            String[] implOut = {null};
            masked(() -> {
                check((int) pdQuery.invokeExact(pd, Q_IMPL_INFO, 0, out.address()), "impl info");
                implOut[0] = MemorySegment.ofAddress(out.get(JAVA_LONG, 0))
                        .reinterpret(256)
                        .getString(0);
                check((int) primitiveCreate.invokeExact(out.address(), pd), "max pooling " + pass + " primitive");
                primitive = out.get(JAVA_LONG, 0);
                caller.owned.add(Owned.PRIMITIVE, primitive);
                boolean back = pass == PoolPass.BACKWARD;
                a = memory(caller, out, back ? q.dst.address() : q.src.address());
                c = memory(caller, out, back ? q.src.address() : q.dst.address());
                Step.arg(args, 0, back ? ARG_DIFF_DST : ARG_SRC, a);
                Step.arg(args, 1, back ? ARG_DIFF_SRC : ARG_DST, c);
                nargs = 2;
                if (pass != PoolPass.INFER) {
                    long ws = (long) pdQueryMd.invokeExact(pd, Q_WORKSPACE_MD, 0);
                    long bytes = (long) mdGetSize.invokeExact(ws);
                    if (bytes != q.rows * q.window.outSize()) {
                        throw new IllegalStateException("oneDNN's max pooling workspace is " + bytes
                                + " bytes, not one per output value, for " + q.window);
                    }
                    cells = memory(caller, out, ws);
                    Step.arg(args, 2, ARG_WORKSPACE, cells);
                    nargs = 3;
                }
                long scratch = scratchpad(caller, out, pd);
                if (scratch != 0) Step.arg(args, nargs++, ARG_SCRATCHPAD, scratch);
            });
            impl = implOut[0];
        }

        private long memory(Caller caller, MemorySegment out, long md) throws Throwable {
            check((int) memoryCreate.invokeExact(out.address(), md, engine, 0L), "dnnl_memory_create");
            long memory = out.get(JAVA_LONG, 0);
            caller.owned.add(Owned.MEMORY, memory);
            return memory;
        }
    }

    // ---------------------------------------------------------------- splitting by samples

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    /** One calling thread's split pass, refilled per call; holds the parts' weight gradients (native, grown on demand). */
    private static final class Job implements Parallel.Task {
        OneDnnConv conv;
        Pass pass;
        Shape shape;
        MemorySegment a, b, c;
        long bOff;
        int rows;
        MemorySegment partGrads = MemorySegment.NULL;
        long kernelSize;
        int parts;

        void set(
                OneDnnConv conv,
                Pass pass,
                Shape s,
                MemorySegment a,
                MemorySegment b,
                long bOff,
                MemorySegment c,
                int rows,
                int parts) {
            this.conv = conv;
            this.pass = pass;
            this.shape = s;
            this.a = a;
            this.b = b;
            this.bOff = bOff;
            this.c = c;
            this.rows = rows;
            this.parts = parts;
            kernelSize = s.kernelSize();
            long need = (parts - 1) * kernelSize * Float.BYTES;
            if (pass == Pass.BACKWARD_WEIGHTS && partGrads.byteSize() < need) {
                partGrads = Arena.ofAuto().allocate(need, 64);
            }
        }

        @Override
        public void run(int part, int parts) {
            int from = Parallel.start(part, rows, parts), to = Parallel.start(part + 1, rows, parts);
            long slot = pass == Pass.BACKWARD_WEIGHTS && part > 0
                    ? partGrads.address() + (part - 1) * kernelSize * Float.BYTES
                    : 0;
            conv.runPart(pass, shape, a, b, bOff, c, from, to, slot);
        }

        /** Adds the gradients of parts 1.. to part 0's, in part order. */
        void sumParts(MemorySegment grads, long gOff) {
            for (int p = 1; p < parts; p++) {
                long base = (p - 1) * kernelSize;
                for (long i = 0; i < kernelSize; i++) {
                    long at = gOff + i;
                    grads.setAtIndex(
                            JAVA_FLOAT,
                            at,
                            grads.getAtIndex(JAVA_FLOAT, at) + partGrads.getAtIndex(JAVA_FLOAT, base + i));
                }
            }
        }

        void clear() {
            conv = null;
            shape = null;
            a = b = c = null;
        }
    }
}
