package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.nerva.blas.Blas;
import io.nerva.runtime.Mem;
import io.nerva.runtime.kernels.ConvKernels.Geometry;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvKernels#forward}/{@link ConvKernels#backward} on oneDNN's convolutions against the
 * im2col + sgemm path, for the geometries of Keras layers; and the fall-back to im2col when an
 * operand is on the heap, where {@code cols} was never filled by a oneDNN forward.
 */
class ConvOneDnnTest {
    private static final int[][] SHAPES = { // h, w, c, kh, kw, sh, sw, dh, dw, same, cout
        {28, 28, 1, 3, 3, 1, 1, 1, 1, 0, 32}, // one input channel
        {13, 13, 32, 3, 3, 1, 1, 1, 1, 0, 64},
        {9, 8, 5, 5, 5, 2, 3, 1, 1, 1, 6}, // SAME, strides 2 and 3
        {7, 9, 16, 3, 3, 1, 1, 2, 2, 1, 8}, // dilation 2, SAME
        {6, 6, 20, 2, 4, 2, 1, 1, 1, 1, 4}, // even kernel, SAME: padding below/right only
        {8, 7, 3, 3, 3, 2, 2, 1, 1, 0, 5} // VALID, stride not dividing the input
    };

    private static void assumeOneDnn() {
        Assumptions.assumeTrue(
                Blas.get().name().startsWith("oneDNN") && !"im2col".equals(System.getProperty("nerva.conv")),
                "the gemm backend is not oneDNN");
    }

    @Test
    void oneDnnPassesMatchIm2colForPaddingStridesAndDilation() {
        assumeOneDnn();
        Random r = new Random(11);
        for (int[] s : SHAPES) {
            Geometry g = Geometry.keras(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9] == 1);
            int cout = s[10], rows = 5;
            assertNotNull(ConvKernels.direct(g, cout), "oneDNN should run " + g);
            long in = (long) rows * g.inSize(), out = (long) rows * g.oh() * g.ow() * cout, k = (long) g.patch() * cout;
            MemorySegment x = Mem.of(Mem.uniform(r, (int) in, -1, 1));
            MemorySegment params = Mem.of(Mem.uniform(r, (int) k + 7, -1, 1));
            MemorySegment dz = Mem.of(Mem.uniform(r, (int) out, -1, 1));
            MemorySegment cols = Mem.zeros((long) rows * g.oh() * g.ow() * g.patch());

            MemorySegment z = Mem.zeros(out), zWant = Mem.zeros(out);
            ConvKernels.forward(g, cout, x, cols, params, 7, z, rows);
            ConvKernels.forwardIm2col(g, cout, x, cols, params, 7, zWant, rows);
            close(zWant, z, out, g + " forward");

            MemorySegment dw = Mem.filled(k + 2, 9f), dx = Mem.filled(in, 9f);
            MemorySegment dwWant = Mem.filled(k + 2, 9f), dxWant = Mem.zeros(in);
            ConvKernels.backward(g, cout, x, cols, params, 7, dz, dw, 2, dx, rows);
            ConvKernels.backwardIm2col(g, cout, x, cols, params, 7, dz, dwWant, 2, dxWant, rows);
            close(dwWant, dw, k + 2, g + " dW");
            close(dxWant, dx, in, g + " dx");
        }
    }

    @Test
    void aHeapOperandFallsBackToIm2colWithFreshPatches() {
        assumeOneDnn();
        Random r = new Random(5);
        Geometry g = Geometry.keras(9, 8, 5, 3, 3, 1, 1, 1, 1, true);
        int cout = 4, rows = 3;
        int in = rows * g.inSize(), out = rows * g.oh() * g.ow() * cout, k = g.patch() * cout;
        MemorySegment x = Mem.of(Mem.uniform(r, in, -1, 1)), params = Mem.of(Mem.uniform(r, k, -1, 1));
        MemorySegment dz = Mem.of(Mem.uniform(r, out, -1, 1));
        MemorySegment cols = Mem.filled((long) rows * g.oh() * g.ow() * g.patch(), 123f); // never filled by oneDNN
        MemorySegment z = Mem.zeros(out);
        ConvKernels.forward(g, cout, x, cols, params, 0, z, rows); // oneDNN: cols left alone
        float[] dw = new float[k];
        MemorySegment dx = Mem.zeros(in);
        ConvKernels.backward(g, cout, x, cols, params, 0, dz, MemorySegment.ofArray(dw), 0, dx, rows);

        MemorySegment cleanCols = Mem.zeros((long) rows * g.oh() * g.ow() * g.patch());
        MemorySegment dwWant = Mem.zeros(k), dxWant = Mem.zeros(in);
        ConvKernels.im2col(g, x, cleanCols, rows);
        ConvKernels.backwardIm2col(g, cout, x, cleanCols, params, 0, dz, dwWant, 0, dxWant, rows);
        close(dwWant, MemorySegment.ofArray(dw), k, "dW");
        close(dxWant, dx, in, "dx");
    }

    /** After warm-up a convolution step (oneDNN passes, fused ReLU passes) allocates nothing on this thread. */
    @Test
    void aConvolutionStepAllocatesNothing() {
        assumeOneDnn();
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        Random r = new Random(2);
        Geometry g = Geometry.keras(13, 13, 32, 3, 3, 1, 1, 1, 1, false);
        int cout = 64, rows = 8, m = rows * g.oh() * g.ow();
        long k = (long) g.patch() * cout;
        MemorySegment x = Mem.of(Mem.uniform(r, rows * g.inSize(), -1, 1));
        MemorySegment params = Mem.of(Mem.uniform(r, (int) k + cout, -1, 1)), grads = Mem.zeros(k + cout);
        MemorySegment out = Mem.zeros((long) m * cout), grad = Mem.of(Mem.uniform(r, m * cout, -1, 1));
        MemorySegment dx = Mem.zeros((long) rows * g.inSize()), cols = Mem.zeros((long) m * g.patch());
        Runnable step = () -> {
            ConvKernels.forward(g, cout, x, cols, params, 0, out, rows);
            ConvKernels.biasRelu(out, params, k, m, cout);
            ConvKernels.reluBackward(out, grad, m, cout, grads, k);
            ConvKernels.backward(g, cout, x, cols, params, 0, grad, grads, 0, dx, rows);
        };
        for (int i = 0; i < 3000; i++) step.run();
        int calls = 2000;
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < calls; i++) step.run();
        long perCall = (mx.getThreadAllocatedBytes(tid) - before) / calls;
        if (perCall >= 16) throw new AssertionError(perCall + " bytes allocated per convolution step");
    }

    /**
     * Max pooling through oneDNN gives the bits of Nerva's kernels, output and input gradient, on
     * ties, ±0, NaN, ±∞ and −Float.MAX_VALUE, for stride 2, overlapping and uneven windows; with a
     * heap operand the same one-byte record is written and read by the Java fall-backs.
     */
    @Test
    void oneDnnMaxPoolingMatchesNervasKernels() {
        assumeOneDnn();
        Random r = new Random(9);
        int[][] shapes = { // h, w, c, kh, kw, sh, sw
            {26, 26, 32, 2, 2, 2, 2},
            {11, 11, 64, 2, 2, 2, 2},
            {9, 9, 5, 3, 3, 2, 2},
            {7, 8, 3, 3, 3, 1, 1},
            {6, 9, 4, 2, 3, 1, 2}
        };
        float[] special = {
            Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f, 0f, -Float.MAX_VALUE, 1f, 1f, -1f
        };
        for (int[] sh : shapes) {
            Geometry g = Geometry.keras(sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], sh[6], 1, 1, false);
            assertNotNull(PoolKernels.direct(g), "oneDNN should run " + g);
            int rows = 5, in = rows * g.inSize(), out = rows * g.oh() * g.ow() * g.c();
            float[] xs = new float[in];
            for (int i = 0; i < in; i++) {
                xs[i] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : Math.round(r.nextGaussian() * 2) / 2f;
            }
            // whole windows of NaN / −∞ / −MAX in sample 0, channel 0
            for (int i = 0; i < g.kh() * g.w() * g.c(); i += g.c()) xs[i] = special[(i / g.c()) % 3 == 0 ? 0 : 1];
            xs[0] = -Float.MAX_VALUE;
            MemorySegment x = Mem.of(xs), dy = Mem.of(Mem.uniform(r, out, -1, 1));
            MemorySegment yWant = Mem.zeros(out), argWant = Mem.zeros(out), dxWant = Mem.zeros(in);
            PoolKernels.maxForwardJava(g, x, yWant, argWant, rows);
            PoolKernels.maxBackwardJava(g, dy, argWant, dxWant, rows);

            MemorySegment y = Mem.filled(out, 7f), cells = Mem.zeros(out), dx = Mem.filled(in, 7f);
            PoolKernels.maxForward(g, x, y, cells, rows);
            PoolKernels.maxBackward(g, dy, cells, dx, rows);
            bits(yWant, y, out, g + " y");
            boolean overlapping = g.sh() < g.kh() || g.sw() < g.kw(); // a cell's gradients are added in another order
            if (overlapping) close(dxWant, dx, in, g + " dx");
            else bits(dxWant, dx, in, g + " dx");
            MemorySegment yInference = Mem.zeros(out);
            PoolKernels.maxForward(g, x, yInference, MemorySegment.NULL, rows);
            bits(yWant, yInference, out, g + " y without argmax");

            // heap x and y: the Java loop writes the same record; heap dy: the Java scatter reads it
            float[] yHeap = new float[out];
            MemorySegment cellsHeap = Mem.zeros(out), dxHeap = Mem.filled(in, 7f);
            PoolKernels.maxForward(g, MemorySegment.ofArray(xs), MemorySegment.ofArray(yHeap), cellsHeap, rows);
            bits(yWant, MemorySegment.ofArray(yHeap), out, g + " y, heap");
            for (long i = 0; i < out; i++) {
                assertEquals(
                        cells.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i),
                        cellsHeap.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i),
                        g + " cell " + i);
            }
            float[] dyHeap = new float[out];
            MemorySegment.copy(dy, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, dyHeap, 0, out);
            PoolKernels.maxBackward(g, MemorySegment.ofArray(dyHeap), cells, dxHeap, rows);
            if (overlapping) close(dxWant, dxHeap, in, g + " dx, heap dy");
            else bits(dxWant, dxHeap, in, g + " dx, heap dy");
        }
    }

    private static void bits(MemorySegment want, MemorySegment got, long n, String what) {
        for (long i = 0; i < n; i++) {
            assertEquals(
                    Float.floatToRawIntBits(Mem.at(want, i)), Float.floatToRawIntBits(Mem.at(got, i)), what + " " + i);
        }
    }

    /** Segments of a confined arena stay on their thread: no split, the same results. */
    @Test
    void confinedSegmentsAreNotSplit() {
        assumeOneDnn();
        int saved = io.nerva.blas.Parallel.threads();
        io.nerva.blas.Parallel.setThreads(2);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            Geometry g = Geometry.keras(13, 13, 32, 3, 3, 1, 1, 1, 1, false),
                    p = Geometry.keras(11, 11, 64, 2, 2, 2, 2, 1, 1, false);
            int rows = 64, cout = 64, in = rows * g.inSize(), out = rows * g.oh() * g.ow() * cout;
            int pooled = rows * p.oh() * p.ow() * p.c();
            Random r = new Random(4);
            MemorySegment x = confined(arena, Mem.uniform(r, in, -1, 1)),
                    params = confined(arena, Mem.uniform(r, g.patch() * cout, -1, 1));
            MemorySegment z = arena.allocate(4L * out), dz = confined(arena, Mem.uniform(r, out, -1, 1));
            MemorySegment dw = arena.allocate(4L * g.patch() * cout), dx = arena.allocate(4L * in);
            MemorySegment y = arena.allocate(4L * pooled),
                    cells = arena.allocate(4L * pooled),
                    dzPool = arena.allocate(4L * out);
            ConvKernels.forward(g, cout, x, MemorySegment.NULL, params, 0, z, rows);
            ConvKernels.backward(g, cout, x, MemorySegment.NULL, params, 0, dz, dw, 0, dx, rows);
            PoolKernels.maxForward(p, z, y, cells, rows);
            PoolKernels.maxBackward(p, y, cells, dzPool, rows);
            MemorySegment zWant = Mem.zeros(out), yWant = Mem.zeros(pooled), argWant = Mem.zeros(pooled);
            ConvKernels.forward(
                    g,
                    cout,
                    Mem.of(x.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT)),
                    MemorySegment.NULL,
                    Mem.of(params.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT)),
                    0,
                    zWant,
                    rows);
            close(zWant, z, out, "forward");
            PoolKernels.maxForwardJava(p, zWant, yWant, argWant, rows);
            bits(yWant, y, pooled, "pooling");
        } finally {
            io.nerva.blas.Parallel.setThreads(saved);
        }
    }

    private static MemorySegment confined(java.lang.foreign.Arena arena, float[] v) {
        MemorySegment s = arena.allocate(4L * v.length, 64);
        MemorySegment.copy(v, 0, s, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, v.length);
        return s;
    }

    @Test
    void pointwiseConvolutionsStayOneProduct() {
        assumeOneDnn();
        assertNull(ConvKernels.direct(Geometry.keras(6, 6, 8, 1, 1, 1, 1, 1, 1, false), 16));
    }

    private static void close(MemorySegment want, MemorySegment got, long n, String what) {
        double scale = 0;
        for (long i = 0; i < n; i++) scale = Math.max(scale, Math.abs(Mem.at(want, i)));
        for (long i = 0; i < n; i++) {
            float w = Mem.at(want, i), g = Mem.at(got, i);
            if (!(Math.abs(w - g) <= 1e-5 * scale)) {
                throw new AssertionError(what + ": element " + i + " is " + g + ", im2col gives " + w);
            }
        }
    }
}
