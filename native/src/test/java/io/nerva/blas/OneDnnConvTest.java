package io.nerva.blas;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * oneDNN's three convolution passes against the definition (double sums over NHWC / {@code [kh, kw,
 * c, cout]} arrays), on one thread and split by samples over two (the parts' weight gradients
 * summed), for the geometries Keras layers produce: VALID, SAME with uneven padding, strides,
 * dilation, one input channel, 1x1.
 */
class OneDnnConvTest {
    private static OneDnnConv conv() {
        Backends.get("onednn"); // sets up OpenMP pinning and the signal mask
        String[] why = {null};
        OneDnnConv c = OneDnnConv.load(why);
        if (c == null) throw new AssertionError(why[0]);
        return c;
    }

    /** Keras' geometry ({@code ConvKernels.Geometry.keras}) as a shape. */
    private static OneDnnConv.Shape keras(
            int h, int w, int c, int k1, int k2, int s1, int s2, int d1, int d2, boolean same, int cout) {
        int oh = same ? (h + s1 - 1) / s1 : (h - d1 * (k1 - 1) - 1) / s1 + 1;
        int ow = same ? (w + s2 - 1) / s2 : (w - d2 * (k2 - 1) - 1) / s2 + 1;
        int top = same ? Math.max((oh - 1) * s1 + d1 * (k1 - 1) + 1 - h, 0) / 2 : 0;
        int left = same ? Math.max((ow - 1) * s2 + d2 * (k2 - 1) + 1 - w, 0) / 2 : 0;
        return new OneDnnConv.Shape(h, w, c, k1, k2, s1, s2, d1, d2, top, left, oh, ow, cout);
    }

    private static final List<OneDnnConv.Shape> SHAPES = List.of(
            keras(28, 28, 1, 3, 3, 1, 1, 1, 1, false, 32), // the peers' conv1: one input channel
            keras(13, 13, 32, 3, 3, 1, 1, 1, 1, false, 64), // their conv2
            keras(9, 7, 3, 3, 3, 2, 2, 1, 1, true, 5), // SAME, stride 2
            keras(8, 8, 4, 2, 2, 1, 1, 1, 1, true, 6), // SAME with an even kernel: padding below and right only
            keras(8, 9, 3, 3, 2, 2, 3, 1, 1, false, 4), // VALID, strides not dividing the input
            keras(10, 11, 4, 3, 3, 1, 1, 2, 2, true, 7), // dilation 2, SAME
            keras(12, 10, 2, 3, 3, 1, 1, 2, 1, false, 3), // dilation along y only
            keras(6, 5, 8, 1, 1, 1, 1, 1, 1, false, 16)); // pointwise

    @AfterEach
    void oneThread() {
        Parallel.setThreads(1);
        OneDnnConv.minSplitMacs = OneDnnConv.MIN_SPLIT_MACS;
    }

    @Test
    void threePassesMatchTheDefinitionOnOneAndTwoThreads() {
        OneDnnConv conv = conv();
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            OneDnnConv.minSplitMacs = 0; // split even the small ones
            for (OneDnnConv.Shape s : SHAPES) {
                for (int rows : new int[] {1, 3, 64}) check(conv, s, rows, threads);
            }
        }
    }

    private static void check(OneDnnConv conv, OneDnnConv.Shape s, int rows, int threads) {
        String what = s + ", " + rows + " samples, " + threads + " thread(s)";
        assertTrue(conv.supports(s), what);
        Random rnd = new Random(rows * 31L + s.hashCode());
        int in = (int) s.inSize(), out = (int) s.outSize(), k = (int) s.kernelSize();
        float[] x = random(rnd, rows * in), kernel = random(rnd, k), dy = random(rnd, rows * out);
        try (Arena arena = Arena.ofShared()) {
            long wOff = 3; // the kernel sits at an offset in the parameters, as in a network
            MemorySegment xs = native_(arena, x, 0), params = native_(arena, kernel, wOff);
            MemorySegment dys = native_(arena, dy, 0);
            MemorySegment y = arena.allocate(4L * rows * out, 64), dx = arena.allocate(4L * rows * in, 64);
            MemorySegment grads = arena.allocate(4L * (k + 5), 64);
            y.fill((byte) 0x7f); // garbage: every pass overwrites
            dx.fill((byte) 0x7f);
            grads.fill((byte) 0x7f);
            conv.forward(s, xs, params, wOff, y, rows);
            conv.backwardData(s, dys, params, wOff, dx, rows);
            conv.backwardWeights(s, xs, dys, grads, 2, rows);

            double[] ry = new double[rows * out], rdx = new double[rows * in], rdw = new double[k];
            reference(s, rows, x, kernel, dy, ry, rdx, rdw);
            close(ry, y, 0, what + ": forward");
            close(rdx, dx, 0, what + ": backward data");
            close(rdw, grads, 2, what + ": backward weights");
            assertEquals(
                    0x7f7f7f7f, grads.get(java.lang.foreign.ValueLayout.JAVA_INT, 4L), what + ": wrote before gOff");
        }
    }

    /** The definition: {@code y[n,oy,ox,co] = Σ x[n, oy·sh − top + ky·dh, ox·sw − left + kx·dw, ci]·W[ky,kx,ci,co]}, and its adjoints. */
    private static void reference(
            OneDnnConv.Shape s, int rows, float[] x, float[] kernel, float[] dy, double[] y, double[] dx, double[] dw) {
        int c = s.c(), co = s.cout();
        for (int n = 0; n < rows; n++) {
            for (int oy = 0; oy < s.oh(); oy++) {
                for (int ox = 0; ox < s.ow(); ox++) {
                    int o = ((n * s.oh() + oy) * s.ow() + ox) * co;
                    for (int ky = 0; ky < s.kh(); ky++) {
                        int iy = oy * s.sh() - s.padTop() + ky * s.dh();
                        if (iy < 0 || iy >= s.h()) continue;
                        for (int kx = 0; kx < s.kw(); kx++) {
                            int ix = ox * s.sw() - s.padLeft() + kx * s.dw();
                            if (ix < 0 || ix >= s.w()) continue;
                            int i = ((n * s.h() + iy) * s.w() + ix) * c;
                            for (int ci = 0; ci < c; ci++) {
                                int kBase = ((ky * s.kw() + kx) * c + ci) * co;
                                for (int j = 0; j < co; j++) {
                                    y[o + j] += (double) x[i + ci] * kernel[kBase + j];
                                    dx[i + ci] += (double) dy[o + j] * kernel[kBase + j];
                                    dw[kBase + j] += (double) x[i + ci] * dy[o + j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void close(double[] want, MemorySegment got, long off, String what) {
        double scale = 0;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            float g = got.getAtIndex(JAVA_FLOAT, off + i);
            if (!(Math.abs(g - want[i]) <= 1e-5 * scale + 1e-6)) {
                throw new AssertionError(what + ": element " + i + " is " + g + ", want " + want[i]);
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private static MemorySegment native_(Arena arena, float[] a, long off) {
        MemorySegment s = arena.allocate(4L * (a.length + off), 64);
        MemorySegment.copy(a, 0, s, JAVA_FLOAT, 4 * off, a.length);
        return s;
    }

    /**
     * Threads that come and go reuse the contexts (streams, primitives) made before: ten threads
     * one after the other make at most one, and a context moves between threads correctly.
     */
    @Test
    void shortLivedThreadsReuseContexts() throws InterruptedException {
        OneDnnConv conv = conv();
        OneDnnConv.Shape s = SHAPES.get(2);
        float[][] first = {null};
        Runnable call = () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment x = arena.allocate(4 * s.inSize()), params = arena.allocate(4 * s.kernelSize());
                for (long i = 0; i < s.inSize(); i++) x.setAtIndex(JAVA_FLOAT, i, (i % 7) - 3f);
                for (long i = 0; i < s.kernelSize(); i++) params.setAtIndex(JAVA_FLOAT, i, (i % 5) - 2f);
                MemorySegment y = arena.allocate(4 * s.outSize());
                conv.forward(s, x, params, 0, y, 1);
                float[] got = y.toArray(JAVA_FLOAT);
                synchronized (first) {
                    if (first[0] == null) first[0] = got;
                    else if (!java.util.Arrays.equals(first[0], got)) throw new AssertionError("another result");
                }
            }
        };
        call.run();
        int before = conv.contexts.get();
        for (int i = 0; i < 10; i++) {
            Thread t = new Thread(call);
            java.util.concurrent.atomic.AtomicReference<Throwable> failed =
                    new java.util.concurrent.atomic.AtomicReference<>();
            t.setUncaughtExceptionHandler((th, e) -> failed.set(e));
            t.start();
            t.join();
            if (failed.get() != null) throw new AssertionError(failed.get());
        }
        assertTrue(conv.contexts.get() <= before + 1, "contexts made: " + (conv.contexts.get() - before));
    }

    @Test
    void heapOperandsAreRefused() {
        OneDnnConv conv = conv();
        OneDnnConv.Shape s = SHAPES.get(2);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(4 * s.kernelSize());
            MemorySegment y = arena.allocate(4 * s.outSize());
            MemorySegment heap = MemorySegment.ofArray(new float[(int) s.inSize()]);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> conv.forward(s, heap, params, 0, y, 1));
            assertTrue(e.getMessage().contains("native"), e.getMessage());
        }
    }

    @Test
    void anOutputSizeOneDnnWouldNotComputeIsUnsupported() {
        // 9 rows, 3-tall kernel, stride 2, no padding: 4 output rows, not 3
        OneDnnConv.Shape s = new OneDnnConv.Shape(9, 9, 2, 3, 3, 2, 2, 1, 1, 0, 0, 3, 4, 3);
        assertFalse(conv().supports(s));
        assertThrows(
                IllegalArgumentException.class,
                () -> new OneDnnConv.Shape(9, 9, 2, 3, 3, 0, 2, 1, 1, 0, 0, 5, 4, 3),
                "stride 0");
    }

    @Test
    void chosenKernelsAreOneDnnsOptimisedOnes() {
        OneDnnConv conv = conv();
        for (OneDnnConv.Pass pass : OneDnnConv.Pass.values()) {
            String impl = conv.implementation(SHAPES.get(1), pass, 64);
            assertFalse(impl.startsWith("ref"), pass + ": " + impl);
        }
    }
}
