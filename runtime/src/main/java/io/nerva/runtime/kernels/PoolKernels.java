package io.nerva.runtime.kernels;

import io.nerva.blas.OneDnnConv;
import io.nerva.runtime.kernels.ConvKernels.Geometry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Max, average and global pooling over NHWC images. Windows are described by a
 * {@link Geometry} (dilation 1); cells in SAME padding are skipped: max pooling ignores them and
 * average pooling divides by the number of cells inside the input, as Keras. The innermost loop of
 * every kernel runs over the {@code c} contiguous channels of a pixel.
 *
 * <p>Max pooling records, per output value, the index of the winning input value within its sample
 * ({@code (iy·w + ix)·c + ch}) as an int in {@code argmax}; backward routes each gradient there.
 * Ties go to the first cell in row-major window order.
 *
 * <p>When oneDNN is the gemm backend, max pooling without padding runs oneDNN's pooling (JIT
 * kernels, 5–10× faster on the Fashion-MNIST CNNs) with the same rule, and {@code argmax} then
 * holds oneDNN's record instead: the winning cell {@code ky·kw + kx} as one byte per output value.
 * Which record a buffer holds depends only on the geometry and on whether {@code argmax} is native,
 * so forward and backward agree; {@code -Dnerva.conv=im2col} keeps Nerva's kernels.
 */
public final class PoolKernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    private PoolKernels() {}

    /**
     * {@code y[n, oy, ox, ch] = max} of its window; records the argmax unless {@code argmax} is {@code NULL}.
     * Per output pixel, the window's rows and columns inside the input are found once; then, per
     * channel, the maximum and its index stay in registers and are written once (a full 2x2
     * window, the common case, has its own unrolled loop).
     */
    public static void maxForward(Geometry g, MemorySegment x, MemorySegment y, MemorySegment argmax, int rows) {
        OneDnnConv.Window direct = direct(g);
        if (direct != null && (argmax == MemorySegment.NULL || argmax.isNative())) {
            if (x.isNative() && y.isNative()) {
                ONE_DNN.maxPoolForward(direct, x, y, argmax, rows);
                return;
            }
            if (argmax != MemorySegment.NULL) { // a heap operand: the same record, by the general loop
                maxForwardCells(g, x, y, argmax, rows);
                return;
            }
        }
        maxForwardJava(g, x, y, argmax, rows);
    }

    /** {@link #maxForward} by Nerva's kernels, {@code argmax} as int indices. */
    static void maxForwardJava(Geometry g, MemorySegment x, MemorySegment y, MemorySegment argmax, int rows) {
        if (!SampleParts.MAX_FORWARD.split(g, x, y, argmax, rows)) maxForward(g, x, y, argmax, 0, rows);
    }

    /** oneDNN's pooling, or null: Nerva's kernels only. */
    private static final OneDnnConv ONE_DNN = OneDnnConv.get();

    /** A geometry with its oneDNN window, null when oneDNN does not run it. */
    private record Direct(Geometry g, OneDnnConv.Window window) {}

    /** The geometries seen so far (copy on write: a lookup allocates nothing). */
    private static volatile Direct[] directs = new Direct[0];

    /** The oneDNN window of this max pooling when oneDNN runs it, else null. */
    static OneDnnConv.Window direct(Geometry g) {
        if (ONE_DNN == null) return null;
        for (Direct d : directs) {
            if (d.g == g || d.g.equals(g)) return d.window;
        }
        synchronized (PoolKernels.class) {
            for (Direct d : directs) {
                if (d.g.equals(g)) return d.window;
            }
            OneDnnConv.Window w = null;
            boolean inside = (g.oh() - 1) * g.sh() + g.kh() <= g.h() && (g.ow() - 1) * g.sw() + g.kw() <= g.w();
            if (g.padTop() == 0 && g.padLeft() == 0 && g.dh() == 1 && g.dw() == 1 && inside && g.kh() * g.kw() <= 255) {
                w = new OneDnnConv.Window(g.h(), g.w(), g.c(), g.kh(), g.kw(), g.sh(), g.sw(), g.oh(), g.ow());
                if (!ONE_DNN.supports(w)) w = null;
            }
            Direct[] grown = java.util.Arrays.copyOf(directs, directs.length + 1);
            grown[grown.length - 1] = new Direct(g, w);
            directs = grown;
            return w;
        }
    }

    /** {@link #maxForward} recording oneDNN's one-byte cells, by the general rule (heap operands). */
    private static void maxForwardCells(Geometry g, MemorySegment x, MemorySegment y, MemorySegment cells, int rows) {
        final int c = g.c(), outSize = g.oh() * g.ow() * c;
        for (int n = 0; n < rows; n++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int cell = 0;
                        for (int ky = 0; ky < g.kh(); ky++) {
                            for (int kx = 0; kx < g.kw(); kx++) {
                                long at = (long) n * g.inSize()
                                        + ((long) (oy * g.sh() + ky) * g.w() + ox * g.sw() + kx) * c
                                        + ch;
                                float v = x.getAtIndex(F, at);
                                if (v > best) {
                                    best = v;
                                    cell = ky * g.kw() + kx;
                                }
                            }
                        }
                        long i = (long) n * outSize + ((long) oy * g.ow() + ox) * c + ch;
                        y.setAtIndex(F, i, best);
                        cells.set(ValueLayout.JAVA_BYTE, i, (byte) cell);
                    }
                }
            }
        }
    }

    /** {@link #maxForward} of samples {@code [from, to)}. */
    static void maxForward(Geometry g, MemorySegment x, MemorySegment y, MemorySegment argmax, int from, int to) {
        if (fullTwoByTwo(g)) {
            maxForward2x2Staged(g, x, y, argmax, from, to);
        } else {
            maxForwardGeneral(g, x, y, argmax, from, to);
        }
    }

    /** {@link #maxForward} of any window, one segment access per element. */
    static void maxForwardGeneral(
            Geometry g, MemorySegment x, MemorySegment y, MemorySegment argmax, int from, int to) {
        final int c = g.c();
        final boolean record = argmax != MemorySegment.NULL;
        final int outSize = g.oh() * g.ow() * c;
        final int w = g.w(), rowStride = w * c;
        for (int n = from; n < to; n++) {
            long xn = (long) n * g.inSize();
            for (int oy = 0; oy < g.oh(); oy++) {
                int y0 = oy * g.sh() - g.padTop();
                int kyLo = Math.max(0, -y0), kyHi = Math.min(g.kh(), g.h() - y0);
                for (int ox = 0; ox < g.ow(); ox++) {
                    int x0 = ox * g.sw() - g.padLeft();
                    int kxLo = Math.max(0, -x0), kxHi = Math.min(g.kw(), w - x0);
                    long yi = (long) n * outSize + ((long) oy * g.ow() + ox) * c;
                    int first = ((y0 + kyLo) * w + x0 + kxLo) * c; // the window's first cell inside the input
                    if (record && kyHi - kyLo == 2 && kxHi - kxLo == 2) {
                        max4(x, xn, first, first + c, first + rowStride, first + rowStride + c, y, argmax, yi, c);
                        continue;
                    }
                    for (int ch = 0; ch < c; ch++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int at = first + ch;
                        for (int ky = kyLo; ky < kyHi; ky++) {
                            int pixel = ((y0 + ky) * w + x0) * c + ch;
                            for (int kx = kxLo; kx < kxHi; kx++) {
                                float v = x.getAtIndex(F, xn + pixel + kx * c);
                                if (v > best) {
                                    best = v;
                                    at = pixel + kx * c;
                                }
                            }
                        }
                        y.setAtIndex(F, yi + ch, best);
                        if (record) argmax.setAtIndex(I, yi + ch, at);
                    }
                }
            }
        }
    }

    /**
     * A window of four cells (the 2x2 pooling of most CNNs), with argmax, branch-free (which of the
     * four wins is unpredictable): the maximum by {@code Math.max}, then the first cell equal to it
     * by conditional moves, and {@code y} is read back from that cell, so ties (±0 included) and
     * the result match the general loop exactly. A NaN in the window takes the general loop.
     */
    /** Whether every window is a full 2x2 inside the input (no padding, none hanging over an edge). */
    static boolean fullTwoByTwo(Geometry g) {
        return g.kh() == 2
                && g.kw() == 2
                && g.padTop() == 0
                && g.padLeft() == 0
                && (g.oh() - 1) * g.sh() + 2 <= g.h()
                && (g.ow() - 1) * g.sw() + 2 <= g.w();
    }

    /**
     * {@link #maxForward} of full 2x2 windows with the argmax, one image at a time through heap
     * arrays (the input copied in, outputs and indices copied out in bulk): the same rule as
     * {@link #max4}, without a segment access per element. Inference ({@code argmax} NULL) takes it
     * too, the indices staying in the heap array: the general loop is several times slower.
     */
    private static void maxForward2x2Staged(
            Geometry g, MemorySegment x, MemorySegment y, MemorySegment argmax, int from, int to) {
        final int c = g.c(), in = g.inSize(), outSize = g.oh() * g.ow() * c, rowStride = g.w() * c;
        ConvKernels.Staging s = ConvKernels.Staging.get(in, outSize);
        int[] arg = PoolStaging.ints(outSize);
        MemorySegment argSeg = PoolStaging.intSegment();
        final float[] img = s.a, out = s.b;
        for (int n = from; n < to; n++) {
            MemorySegment.copy(x, (long) n * in * Float.BYTES, s.as, 0, (long) in * Float.BYTES);
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    int p0 = (oy * g.sh() * g.w() + ox * g.sw()) * c, p1 = p0 + c, p2 = p0 + rowStride, p3 = p2 + c;
                    max4(img, p0, p1, p2, p3, out, arg, (oy * g.ow() + ox) * c, c);
                }
            }
            MemorySegment.copy(s.bs, 0, y, (long) n * outSize * Float.BYTES, (long) outSize * Float.BYTES);
            if (argmax != MemorySegment.NULL) {
                MemorySegment.copy(
                        argSeg, 0, argmax, (long) n * outSize * Integer.BYTES, (long) outSize * Integer.BYTES);
            }
        }
    }

    /** {@link #max4} over heap arrays. */
    private static void max4(float[] x, int p0, int p1, int p2, int p3, float[] y, int[] argmax, int yi, int c) {
        for (int ch = 0; ch < c; ch++) {
            float v0 = x[p0 + ch], v1 = x[p1 + ch], v2 = x[p2 + ch], v3 = x[p3 + ch];
            float m = Math.max(Math.max(v0, v1), Math.max(v2, v3));
            if (m != m) { // NaN: as the general loop, which skips NaN cells
                float best = Float.NEGATIVE_INFINITY;
                int at = p0;
                if (v0 > best) {
                    best = v0;
                    at = p0;
                }
                if (v1 > best) {
                    best = v1;
                    at = p1;
                }
                if (v2 > best) {
                    best = v2;
                    at = p2;
                }
                if (v3 > best) {
                    best = v3;
                    at = p3;
                }
                y[yi + ch] = best;
                argmax[yi + ch] = at + ch;
                continue;
            }
            int at = v2 == m ? p2 : p3;
            at = v1 == m ? p1 : at;
            at = v0 == m ? p0 : at;
            at += ch;
            y[yi + ch] = x[at];
            argmax[yi + ch] = at;
        }
    }

    /** Per-thread int staging for the argmax indices, grown on demand. */
    private static final class PoolStaging {
        private static final ThreadLocal<PoolStaging> LOCAL = ThreadLocal.withInitial(PoolStaging::new);
        int[] ints = new int[0];
        MemorySegment seg = MemorySegment.ofArray(ints);

        static int[] ints(int n) {
            PoolStaging p = LOCAL.get();
            if (p.ints.length < n) {
                p.ints = new int[n];
                p.seg = MemorySegment.ofArray(p.ints);
            }
            return p.ints;
        }

        static MemorySegment intSegment() {
            return LOCAL.get().seg;
        }
    }

    private static void max4(
            MemorySegment x,
            long xn,
            int p0,
            int p1,
            int p2,
            int p3,
            MemorySegment y,
            MemorySegment argmax,
            long yi,
            int c) {
        for (int ch = 0; ch < c; ch++) {
            float v0 = x.getAtIndex(F, xn + p0 + ch), v1 = x.getAtIndex(F, xn + p1 + ch);
            float v2 = x.getAtIndex(F, xn + p2 + ch), v3 = x.getAtIndex(F, xn + p3 + ch);
            float m = Math.max(Math.max(v0, v1), Math.max(v2, v3));
            if (m != m) { // NaN: as the general loop, which skips NaN cells
                float best = Float.NEGATIVE_INFINITY;
                int at = p0;
                if (v0 > best) {
                    best = v0;
                    at = p0;
                }
                if (v1 > best) {
                    best = v1;
                    at = p1;
                }
                if (v2 > best) {
                    best = v2;
                    at = p2;
                }
                if (v3 > best) {
                    best = v3;
                    at = p3;
                }
                y.setAtIndex(F, yi + ch, best);
                argmax.setAtIndex(I, yi + ch, at + ch);
                continue;
            }
            int at = v2 == m ? p2 : p3;
            at = v1 == m ? p1 : at;
            at = v0 == m ? p0 : at;
            at += ch;
            y.setAtIndex(F, yi + ch, x.getAtIndex(F, xn + at));
            argmax.setAtIndex(I, yi + ch, at);
        }
    }

    /** {@code dx = 0}, then {@code dx[n, argmax[n, j]] += dy[n, j]} for every output value. */
    public static void maxBackward(Geometry g, MemorySegment dy, MemorySegment argmax, MemorySegment dx, int rows) {
        OneDnnConv.Window direct = direct(g);
        if (direct != null && argmax.isNative()) {
            if (dy.isNative() && dx.isNative()) {
                ONE_DNN.maxPoolBackward(direct, dy, argmax, dx, rows);
            } else {
                scatterCells(g, dy, argmax, dx, rows);
            }
            return;
        }
        maxBackwardJava(g, dy, argmax, dx, rows);
    }

    /** {@link #maxBackward} by Nerva's kernels, {@code argmax} as int indices. */
    static void maxBackwardJava(Geometry g, MemorySegment dy, MemorySegment argmax, MemorySegment dx, int rows) {
        if (!SampleParts.MAX_BACKWARD.split(g, dy, dx, argmax, rows)) maxBackward(g, dy, argmax, dx, 0, rows);
    }

    /** {@link #maxBackward} from oneDNN's one-byte cells (heap operands). */
    private static void scatterCells(Geometry g, MemorySegment dy, MemorySegment cells, MemorySegment dx, int rows) {
        final int c = g.c(), outSize = g.oh() * g.ow() * c;
        ConvKernels.clear(dx, 0, (long) rows * g.inSize());
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < outSize; j++) {
                long i = (long) n * outSize + j;
                int cell = cells.get(ValueLayout.JAVA_BYTE, i) & 0xff, ch = j % c, pixel = j / c;
                int iy = pixel / g.ow() * g.sh() + cell / g.kw(), ix = pixel % g.ow() * g.sw() + cell % g.kw();
                long at = (long) n * g.inSize() + ((long) iy * g.w() + ix) * c + ch;
                dx.setAtIndex(F, at, dx.getAtIndex(F, at) + dy.getAtIndex(F, i));
            }
        }
    }

    /** {@link #maxBackward} of samples {@code [from, to)}. */
    static void maxBackward(Geometry g, MemorySegment dy, MemorySegment argmax, MemorySegment dx, int from, int to) {
        scatter(dy, argmax, dx, from, to, g.oh() * g.ow() * g.c(), g.inSize());
    }

    /** {@code y = } mean of the window's cells inside the input. */
    public static void avgForward(Geometry g, MemorySegment x, MemorySegment y, int rows) {
        final int c = g.c();
        final int outSize = g.oh() * g.ow() * c;
        for (int n = 0; n < rows; n++) {
            long xn = (long) n * g.inSize();
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    long yi = (long) n * outSize + ((long) oy * g.ow() + ox) * c;
                    for (int ch = 0; ch < c; ch++) y.setAtIndex(F, yi + ch, 0f);
                    for (int ky = 0; ky < g.kh(); ky++) {
                        int iy = oy * g.sh() - g.padTop() + ky;
                        if (iy < 0 || iy >= g.h()) continue;
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int ix = ox * g.sw() - g.padLeft() + kx;
                            if (ix < 0 || ix >= g.w()) continue;
                            long xi = xn + ((long) iy * g.w() + ix) * c;
                            for (int ch = 0; ch < c; ch++) {
                                y.setAtIndex(F, yi + ch, y.getAtIndex(F, yi + ch) + x.getAtIndex(F, xi + ch));
                            }
                        }
                    }
                    float inv = 1f / cellsInside(g, oy, ox);
                    for (int ch = 0; ch < c; ch++) y.setAtIndex(F, yi + ch, y.getAtIndex(F, yi + ch) * inv);
                }
            }
        }
    }

    /** {@code dx = 0}, then each window's cells inside the input get {@code dy / cellsInside}. */
    public static void avgBackward(Geometry g, MemorySegment dy, MemorySegment dx, int rows) {
        final int c = g.c();
        final int outSize = g.oh() * g.ow() * c;
        ConvKernels.clear(dx, 0, (long) rows * g.inSize());
        for (int n = 0; n < rows; n++) {
            long xn = (long) n * g.inSize();
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    long yi = (long) n * outSize + ((long) oy * g.ow() + ox) * c;
                    float inv = 1f / cellsInside(g, oy, ox);
                    for (int ky = 0; ky < g.kh(); ky++) {
                        int iy = oy * g.sh() - g.padTop() + ky;
                        if (iy < 0 || iy >= g.h()) continue;
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int ix = ox * g.sw() - g.padLeft() + kx;
                            if (ix < 0 || ix >= g.w()) continue;
                            long xi = xn + ((long) iy * g.w() + ix) * c;
                            for (int ch = 0; ch < c; ch++) {
                                dx.setAtIndex(F, xi + ch, dx.getAtIndex(F, xi + ch) + dy.getAtIndex(F, yi + ch) * inv);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Cells of window {@code (oy, ox)} that lie inside the input. */
    static int cellsInside(Geometry g, int oy, int ox) {
        int y0 = oy * g.sh() - g.padTop(), x0 = ox * g.sw() - g.padLeft();
        int ny = Math.min(y0 + g.kh(), g.h()) - Math.max(y0, 0);
        int nx = Math.min(x0 + g.kw(), g.w()) - Math.max(x0, 0);
        return ny * nx;
    }

    /** {@code y[n, ch] = } mean over the {@code hw} pixels of {@code x[n, ·, ch]}. */
    public static void globalAvgForward(MemorySegment x, MemorySegment y, int rows, int hw, int c) {
        final float inv = 1f / hw;
        for (int n = 0; n < rows; n++) {
            long yn = (long) n * c, xn = (long) n * hw * c;
            for (int ch = 0; ch < c; ch++) y.setAtIndex(F, yn + ch, 0f);
            for (int p = 0; p < hw; p++) {
                long xi = xn + (long) p * c;
                for (int ch = 0; ch < c; ch++)
                    y.setAtIndex(F, yn + ch, y.getAtIndex(F, yn + ch) + x.getAtIndex(F, xi + ch));
            }
            for (int ch = 0; ch < c; ch++) y.setAtIndex(F, yn + ch, y.getAtIndex(F, yn + ch) * inv);
        }
    }

    /** {@code dx[n, p, ch] = dy[n, ch] / hw}. */
    public static void globalAvgBackward(MemorySegment dy, MemorySegment dx, int rows, int hw, int c) {
        final float inv = 1f / hw;
        for (int n = 0; n < rows; n++) {
            long yn = (long) n * c, xn = (long) n * hw * c;
            for (int p = 0; p < hw; p++) {
                long xi = xn + (long) p * c;
                for (int ch = 0; ch < c; ch++) dx.setAtIndex(F, xi + ch, dy.getAtIndex(F, yn + ch) * inv);
            }
        }
    }

    /** {@code y[n, ch] = } max over the pixels of {@code x[n, ·, ch]}; records the argmax unless {@code NULL}. */
    public static void globalMaxForward(
            MemorySegment x, MemorySegment y, MemorySegment argmax, int rows, int hw, int c) {
        final boolean record = argmax != MemorySegment.NULL;
        for (int n = 0; n < rows; n++) {
            long yn = (long) n * c, xn = (long) n * hw * c;
            for (int ch = 0; ch < c; ch++) {
                y.setAtIndex(F, yn + ch, x.getAtIndex(F, xn + ch));
                if (record) argmax.setAtIndex(I, yn + ch, ch);
            }
            for (int p = 1; p < hw; p++) {
                int pixel = p * c;
                for (int ch = 0; ch < c; ch++) {
                    float v = x.getAtIndex(F, xn + pixel + ch);
                    if (v > y.getAtIndex(F, yn + ch)) {
                        y.setAtIndex(F, yn + ch, v);
                        if (record) argmax.setAtIndex(I, yn + ch, pixel + ch);
                    }
                }
            }
        }
    }

    /** {@code dx = 0}, then each channel's gradient goes to its argmax pixel. */
    public static void globalMaxBackward(
            MemorySegment dy, MemorySegment argmax, MemorySegment dx, int rows, int hw, int c) {
        scatter(dy, argmax, dx, 0, rows, c, hw * c);
    }

    private static void scatter(
            MemorySegment dy, MemorySegment argmax, MemorySegment dx, int from, int to, int outSize, int inSize) {
        // One image at a time through heap arrays: the image's gradient is zeroed and summed there
        // and copied out in bulk, instead of a read-modify-write of the segment per element.
        ConvKernels.Staging s = ConvKernels.Staging.get(inSize, outSize);
        int[] arg = PoolStaging.ints(outSize);
        MemorySegment argSeg = PoolStaging.intSegment();
        final float[] img = s.a, grad = s.b;
        for (int n = from; n < to; n++) {
            long yn = (long) n * outSize;
            MemorySegment.copy(dy, yn * Float.BYTES, s.bs, 0, (long) outSize * Float.BYTES);
            MemorySegment.copy(argmax, yn * Integer.BYTES, argSeg, 0, (long) outSize * Integer.BYTES);
            java.util.Arrays.fill(img, 0, inSize, 0f);
            for (int j = 0; j < outSize; j++) img[arg[j]] += grad[j];
            MemorySegment.copy(s.as, 0, dx, (long) n * inSize * Float.BYTES, (long) inSize * Float.BYTES);
        }
    }

    /** {@link #scatter} element by element over the segments (kept as the reference of the staged one). */
    static void scatterSegments(
            MemorySegment dy, MemorySegment argmax, MemorySegment dx, int rows, int outSize, int inSize) {
        ConvKernels.clear(dx, 0, (long) rows * inSize);
        for (int n = 0; n < rows; n++) {
            long yn = (long) n * outSize, xn = (long) n * inSize;
            for (int j = 0; j < outSize; j++) {
                long xi = xn + argmax.getAtIndex(I, yn + j);
                dx.setAtIndex(F, xi, dx.getAtIndex(F, xi) + dy.getAtIndex(F, yn + j));
            }
        }
    }
}
