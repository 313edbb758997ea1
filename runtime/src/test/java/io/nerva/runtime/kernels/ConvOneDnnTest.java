package io.nerva.runtime.kernels;

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
