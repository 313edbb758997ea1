package io.nerva.runtime.kernels;

import io.nerva.blas.OneDnnConv;
import io.nerva.blas.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * 2D convolution over NHWC images as im2col + one matrix product per batch.
 *
 * <p>The patch matrix {@code cols} has one row per output pixel {@code (n, oy, ox)} and one column
 * per kernel tap and input channel {@code (ky, kx, ci)}, so {@code cols [rows·oh·ow, kh·kw·cin] ×
 * W [kh·kw·cin, cout]} is the NHWC output itself ({@code [rows·oh·ow, cout]} row-major) and the
 * kernel {@code [kh, kw, cin, cout]} (Keras' layout) is already that matrix. Backward:
 * {@code dW = colsᵀ·dZ}, {@code dCols = dZ·Wᵀ} then {@link #col2im} scatters the patches back.
 * A 1x1, stride-1, unpadded convolution skips im2col: the input is already its patch matrix.
 *
 * <p>When oneDNN is the gemm backend, {@link #forward} and {@link #backward} run oneDNN's own
 * convolutions instead ({@link OneDnnConv}: direct kernels, no patch matrix, 1.5–5× faster on the
 * Fashion-MNIST CNNs), except for pointwise convolutions (already one product) and shapes oneDNN
 * has only reference kernels for; {@code -Dnerva.conv=im2col} keeps im2col + sgemm everywhere.
 */
public final class ConvKernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ConvKernels() {}

    /**
     * The geometry of a sliding window over an {@code h x w x c} NHWC image: window {@code kh x kw},
     * strides, dilation, the top/left padding and the output size. Shared by pooling (dilation 1).
     */
    public record Geometry(
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
            int ow) {
        public Geometry {
            if (h < 1
                    || w < 1
                    || c < 1
                    || kh < 1
                    || kw < 1
                    || sh < 1
                    || sw < 1
                    || dh < 1
                    || dw < 1
                    || oh < 1
                    || ow < 1
                    || padTop < 0
                    || padLeft < 0) {
                throw new IllegalArgumentException("invalid window geometry " + this);
            }
        }

        /**
         * Keras' (TensorFlow's) geometry: VALID {@code out = floor((in − dil·(k−1) − 1)/s) + 1}; SAME
         * {@code out = ceil(in/s)} with {@code padTotal = max((out−1)·s + dil·(k−1) + 1 − in, 0)} and
         * {@code padTop = padTotal/2}.
         */
        public static Geometry keras(
                int h, int w, int c, int kh, int kw, int sh, int sw, int dh, int dw, boolean same) {
            int oh = same ? ceilDiv(h, sh) : (h - dh * (kh - 1) - 1) / sh + 1;
            int ow = same ? ceilDiv(w, sw) : (w - dw * (kw - 1) - 1) / sw + 1;
            int padTop = same ? Math.max((oh - 1) * sh + dh * (kh - 1) + 1 - h, 0) / 2 : 0;
            int padLeft = same ? Math.max((ow - 1) * sw + dw * (kw - 1) + 1 - w, 0) / 2 : 0;
            return new Geometry(h, w, c, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow);
        }

        private static int ceilDiv(int a, int b) {
            return (a + b - 1) / b;
        }

        /** Floats per input sample. */
        public int inSize() {
            return h * w * c;
        }

        /** Columns of the patch matrix, {@code kh·kw·c}. */
        public int patch() {
            return kh * kw * c;
        }

        /** Whether the input is its own patch matrix (1x1 window, stride 1, no padding). */
        public boolean pointwise() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && oh == h && ow == w;
        }
    }

    /** oneDNN's convolutions, or null: im2col + sgemm only. */
    private static final OneDnnConv ONE_DNN = OneDnnConv.get();

    /** A geometry and filter count with its oneDNN shape, null when oneDNN does not run it. */
    private record Direct(Geometry g, int cout, OneDnnConv.Shape shape) {}

    /** The geometries seen so far (a handful per network; copy on write, so a lookup allocates nothing). */
    private static volatile Direct[] directs = new Direct[0];

    /** The oneDNN shape of this convolution when oneDNN runs it, else null (im2col + sgemm). */
    static OneDnnConv.Shape direct(Geometry g, int cout) {
        if (ONE_DNN == null || g.pointwise()) return null;
        for (Direct d : directs) {
            if (d.cout == cout && (d.g == g || d.g.equals(g))) return d.shape;
        }
        synchronized (ConvKernels.class) {
            for (Direct d : directs) {
                if (d.cout == cout && d.g.equals(g)) return d.shape;
            }
            OneDnnConv.Shape s = new OneDnnConv.Shape(
                    g.h(),
                    g.w(),
                    g.c(),
                    g.kh(),
                    g.kw(),
                    g.sh(),
                    g.sw(),
                    g.dh(),
                    g.dw(),
                    g.padTop(),
                    g.padLeft(),
                    g.oh(),
                    g.ow(),
                    cout);
            if (!ONE_DNN.supports(s)) s = null;
            Direct[] grown = java.util.Arrays.copyOf(directs, directs.length + 1);
            grown[grown.length - 1] = new Direct(g, cout, s);
            directs = grown;
            return s;
        }
    }

    /**
     * {@code z [rows·oh·ow, cout] = cols · W} where {@code cols = im2col(x)} (kept for backward), or
     * {@code x · W} directly when {@link Geometry#pointwise()}; or oneDNN's convolution (see the class
     * comment; {@code cols} is then left alone). {@code W} is {@code [kh·kw·cin, cout]}
     * at float offset {@code wOff} of {@code params}. Bias and activation follow separately
     * ({@link DenseKernels#biasActivation} over {@code rows·oh·ow} rows of {@code cout}).
     */
    public static void forward(
            Geometry g,
            int cout,
            MemorySegment x,
            MemorySegment cols,
            MemorySegment params,
            long wOff,
            MemorySegment z,
            int rows) {
        OneDnnConv.Shape direct = direct(g, cout);
        if (direct != null && x.isNative() && params.isNative() && z.isNative()) {
            ONE_DNN.forward(direct, x, params, wOff, z, rows);
        } else {
            forwardIm2col(g, cout, x, cols, params, wOff, z, rows);
        }
    }

    /** {@link #forward} through im2col + sgemm. */
    static void forwardIm2col(
            Geometry g,
            int cout,
            MemorySegment x,
            MemorySegment cols,
            MemorySegment params,
            long wOff,
            MemorySegment z,
            int rows) {
        int m = rows * g.oh() * g.ow();
        if (g.pointwise()) {
            DenseKernels.matmul(false, false, m, cout, g.c(), x, 0, params, wOff, z, 0, 0f);
        } else {
            im2col(g, x, cols, rows);
            DenseKernels.matmul(false, false, m, cout, g.patch(), cols, 0, params, wOff, z, 0, 0f);
        }
    }

    /**
     * Given {@code dz = dLoss/dz [rows·oh·ow, cout]}: writes {@code dW = colsᵀ·dz} at {@code gOff}
     * of {@code grads} (overwrites), and, unless {@code dx} is {@link MemorySegment#NULL},
     * {@code dx = col2im(dz·Wᵀ)} (overwrites). On the im2col path {@code cols} must still hold the
     * patches of the forward pass, and is reused as the buffer of {@code dz·Wᵀ}; oneDNN's
     * convolutions need only {@code x}.
     */
    public static void backward(
            Geometry g,
            int cout,
            MemorySegment x,
            MemorySegment cols,
            MemorySegment params,
            long wOff,
            MemorySegment dz,
            MemorySegment grads,
            long gOff,
            MemorySegment dx,
            int rows) {
        OneDnnConv.Shape direct = direct(g, cout);
        if (direct != null) {
            if (x.isNative()
                    && params.isNative()
                    && dz.isNative()
                    && grads.isNative()
                    && (dx == MemorySegment.NULL || dx.isNative())) {
                ONE_DNN.backwardWeights(direct, x, dz, grads, gOff, rows);
                if (dx != MemorySegment.NULL) ONE_DNN.backwardData(direct, dz, params, wOff, dx, rows);
                return;
            }
            im2col(g, x, cols, rows); // a heap operand: im2col after all, and forward may not have filled cols
        }
        backwardIm2col(g, cout, x, cols, params, wOff, dz, grads, gOff, dx, rows);
    }

    /** {@link #backward} through sgemm + col2im, given the patches in {@code cols}. */
    static void backwardIm2col(
            Geometry g,
            int cout,
            MemorySegment x,
            MemorySegment cols,
            MemorySegment params,
            long wOff,
            MemorySegment dz,
            MemorySegment grads,
            long gOff,
            MemorySegment dx,
            int rows) {
        int m = rows * g.oh() * g.ow();
        int k = g.patch();
        MemorySegment patches = g.pointwise() ? x : cols;
        DenseKernels.matmul(true, false, k, cout, m, patches, 0, dz, 0, grads, gOff, 0f);
        if (dx == MemorySegment.NULL) return;
        if (g.pointwise()) {
            DenseKernels.matmul(false, true, m, g.c(), cout, dz, 0, params, wOff, dx, 0, 0f);
        } else {
            DenseKernels.matmul(false, true, m, k, cout, dz, 0, params, wOff, cols, 0, 0f);
            col2im(g, cols, dx, rows);
        }
    }

    /** Runs shorter than this many floats are copied element by element (a bulk copy costs ~10 ns to set up). */
    private static final int BULK_MIN = 16;

    /**
     * {@code cols[(n, oy, ox), (ky, kx, ci)] = x[n, oy·sh − padTop + ky·dh, ox·sw − padLeft + kx·dw, ci]},
     * zero where that pixel lies in the padding. With dilation 1 along x, the {@code kw} taps of one
     * kernel row are {@code kw·c} contiguous floats of the input and of the patch row, so each kernel
     * row is one copy (its padded ends zero runs); long runs are bulk copies, short ones (a
     * single-channel input) element loops.
     */
    public static void im2col(Geometry g, MemorySegment x, MemorySegment cols, int rows) {
        if (!SampleParts.IM2COL.split(g, x, cols, MemorySegment.NULL, rows)) im2col(g, x, cols, 0, rows);
    }

    /** {@link #im2col} of samples {@code [from, to)}. */
    static void im2col(Geometry g, MemorySegment x, MemorySegment cols, int from, int to) {
        if (g.kw() * g.c() < BULK_MIN) {
            im2colStaged(g, x, cols, from, to);
            return;
        }
        final int c = g.c(), patch = g.patch(), kw = g.kw(), w = g.w(), h = g.h();
        final int tapRun = g.dw() == 1 ? kw * c : c; // floats copied per run
        final int tapsPerRun = g.dw() == 1 ? kw : 1;
        long row = (long) from * g.oh() * g.ow();
        for (int n = from; n < to; n++) {
            long xn = (long) n * g.inSize();
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++, row++) {
                    long dst = row * patch;
                    for (int ky = 0; ky < g.kh(); ky++) {
                        int iy = oy * g.sh() - g.padTop() + ky * g.dh();
                        for (int kx = 0; kx < kw; kx += tapsPerRun, dst += tapRun) {
                            if (iy < 0 || iy >= h) {
                                zero(cols, dst, tapRun);
                                continue;
                            }
                            int ix0 = ox * g.sw() - g.padLeft() + kx * g.dw();
                            // valid taps [a, b) of this run
                            int a = Math.max(0, -ix0), b = Math.min(tapsPerRun, w - ix0);
                            if (b <= a) {
                                zero(cols, dst, tapRun);
                                continue;
                            }
                            if (a > 0) zero(cols, dst, a * c);
                            copy(
                                    x,
                                    xn + (long) (ix0 + a) * c + (long) iy * w * c,
                                    cols,
                                    dst + (long) a * c,
                                    (b - a) * c);
                            if (b < tapsPerRun) zero(cols, dst + (long) b * c, (tapsPerRun - b) * c);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #im2col} for short runs (a one- or few-channel input, where per-run segment copies
     * dominate): each image is copied into a heap array, its patch rows are built in another with
     * plain array loops, and written to {@code cols} in one bulk copy.
     */
    private static void im2colStaged(Geometry g, MemorySegment x, MemorySegment cols, int from, int to) {
        final int c = g.c(), patch = g.patch(), w = g.w(), h = g.h(), in = g.inSize();
        final int perImage = g.oh() * g.ow() * patch;
        Staging s = Staging.get(in, perImage);
        final float[] img = s.a, out = s.b;
        for (int n = from; n < to; n++) {
            MemorySegment.copy(x, (long) n * in * Float.BYTES, s.as, 0, (long) in * Float.BYTES);
            int dst = 0;
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int ky = 0; ky < g.kh(); ky++) {
                        int iy = oy * g.sh() - g.padTop() + ky * g.dh();
                        boolean rowInside = iy >= 0 && iy < h;
                        for (int kx = 0; kx < g.kw(); kx++, dst += c) {
                            int ix = ox * g.sw() - g.padLeft() + kx * g.dw();
                            if (rowInside && ix >= 0 && ix < w) {
                                int src = (iy * w + ix) * c;
                                for (int ch = 0; ch < c; ch++) out[dst + ch] = img[src + ch];
                            } else {
                                for (int ch = 0; ch < c; ch++) out[dst + ch] = 0f;
                            }
                        }
                    }
                }
            }
            MemorySegment.copy(s.bs, 0, cols, (long) n * perImage * Float.BYTES, (long) perImage * Float.BYTES);
        }
    }

    /** Per-thread heap staging arrays of {@link #im2colStaged}, grown on demand (never per step once sized). */
    static final class Staging {
        private static final ThreadLocal<Staging> LOCAL = ThreadLocal.withInitial(Staging::new);
        float[] a = new float[0], b = new float[0];
        MemorySegment as = MemorySegment.ofArray(a), bs = MemorySegment.ofArray(b);

        static Staging get(int aFloats, int bFloats) {
            Staging s = LOCAL.get();
            if (s.a.length < aFloats) {
                s.a = new float[aFloats];
                s.as = MemorySegment.ofArray(s.a);
            }
            if (s.b.length < bFloats) {
                s.b = new float[bFloats];
                s.bs = MemorySegment.ofArray(s.b);
            }
            return s;
        }
    }

    /** 64 KiB of zeros, the source of {@link #clear}. */
    private static final MemorySegment ZEROS = java.lang.foreign.Arena.global().allocate(1 << 16, 64);

    /**
     * Zeroes {@code floats} floats of {@code s} from float index {@code at} by bulk copies from a
     * zero segment: {@code s.asSlice(..).fill(0)} allocates a slice (~40 bytes) that escape
     * analysis does not always remove, and the training step must not allocate.
     */
    static void clear(MemorySegment s, long at, long floats) {
        long off = at * Float.BYTES, bytes = floats * Float.BYTES;
        while (bytes > 0) {
            long n = Math.min(bytes, ZEROS.byteSize());
            MemorySegment.copy(ZEROS, 0, s, off, n);
            off += n;
            bytes -= n;
        }
    }

    private static void zero(MemorySegment s, long at, int n) {
        if (n >= BULK_MIN) {
            clear(s, at, n);
        } else {
            for (int i = 0; i < n; i++) s.setAtIndex(F, at + i, 0f);
        }
    }

    private static void copy(MemorySegment src, long from, MemorySegment dst, long to, int n) {
        if (n >= BULK_MIN) {
            MemorySegment.copy(src, from * Float.BYTES, dst, to * Float.BYTES, (long) n * Float.BYTES);
        } else {
            for (int i = 0; i < n; i++) dst.setAtIndex(F, to + i, src.getAtIndex(F, from + i));
        }
    }

    /**
     * The adjoint of {@link #im2col}: {@code dx = 0}, then each patch entry is added back to its
     * pixel, one contiguous run of {@code kw·c} floats per kernel row (dilation 1 along x).
     */
    public static void col2im(Geometry g, MemorySegment cols, MemorySegment dx, int rows) {
        if (!SampleParts.COL2IM.split(g, cols, dx, MemorySegment.NULL, rows)) col2im(g, cols, dx, 0, rows);
    }

    /** {@link #col2im} of samples {@code [from, to)}. */
    static void col2im(Geometry g, MemorySegment cols, MemorySegment dx, int from, int to) {
        final int c = g.c(), patch = g.patch(), kw = g.kw(), w = g.w(), h = g.h();
        final int tapRun = g.dw() == 1 ? kw * c : c;
        final int tapsPerRun = g.dw() == 1 ? kw : 1;
        clear(dx, (long) from * g.inSize(), (long) (to - from) * g.inSize());
        long row = (long) from * g.oh() * g.ow();
        for (int n = from; n < to; n++) {
            long xn = (long) n * g.inSize();
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++, row++) {
                    long src = row * patch;
                    for (int ky = 0; ky < g.kh(); ky++) {
                        int iy = oy * g.sh() - g.padTop() + ky * g.dh();
                        for (int kx = 0; kx < kw; kx += tapsPerRun, src += tapRun) {
                            if (iy < 0 || iy >= h) continue;
                            int ix0 = ox * g.sw() - g.padLeft() + kx * g.dw();
                            int a = Math.max(0, -ix0), b = Math.min(tapsPerRun, w - ix0);
                            if (b <= a) continue;
                            addRun(
                                    cols,
                                    src + (long) a * c,
                                    dx,
                                    xn + (long) iy * w * c + (long) (ix0 + a) * c,
                                    (b - a) * c);
                        }
                    }
                }
            }
        }
    }

    private static void addRun(MemorySegment src, long from, MemorySegment dst, long to, int n) {
        for (int i = 0; i < n; i++) dst.setAtIndex(F, to + i, dst.getAtIndex(F, to + i) + src.getAtIndex(F, from + i));
    }

    /** Per-thread scratch for column sums (grown on demand, never per step). */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[64]);

    private static float[] sums(int n) {
        float[] a = SUMS.get();
        if (a.length < n) {
            a = new float[n];
            SUMS.set(a);
        }
        return a;
    }

    /**
     * The forward tail of a ReLU convolution, in place on the product: {@code out[r, j] =
     * max(out[r, j] + b[j], 0)} with {@code b} at {@code biasOff} of {@code params} ({@code -1}: no
     * bias). The same values as {@link DenseKernels#biasActivation} with RELU, in one pass and without
     * a separate pre-activation buffer: {@link #reluBackward} needs only {@code out}. Vectorised over
     * heap tiles ({@link Tiles}).
     */
    public static void biasRelu(MemorySegment out, MemorySegment params, long biasOff, int m, int cout) {
        int tileRows = Tiles.rowsPerTile(cout);
        if (tileRows == 0) {
            biasReluScalar(out, params, biasOff, m, cout);
            return;
        }
        if (!TileParts.BIAS_RELU.split(out, params, biasOff, null, m, cout)) {
            biasRelu(out, params, biasOff, cout, 0, m);
        }
    }

    /** {@link #biasRelu} of rows {@code [from, to)} (tiled). */
    static void biasRelu(MemorySegment out, MemorySegment params, long biasOff, int cout, int from, int to) {
        int tileRows = Tiles.rowsPerTile(cout);
        Tiles t = Tiles.get();
        boolean bias = biasOff >= 0;
        if (bias) t.replicate(params, biasOff, Math.min(tileRows, to - from), cout);
        for (int r0 = from; r0 < to; r0 += tileRows) {
            int n = Math.min(tileRows, to - r0) * cout;
            long off = (long) r0 * cout * Float.BYTES, bytes = (long) n * Float.BYTES;
            MemorySegment.copy(out, off, t.xs, 0, bytes);
            if (bias) addRelu(t.x, t.col, n);
            else relu(t.x, n);
            MemorySegment.copy(t.xs, 0, out, off, bytes);
        }
    }

    static void addRelu(float[] x, float[] b, int n) {
        for (int i = 0; i < n; i++) x[i] = Math.max(x[i] + b[i], 0f);
    }

    static void relu(float[] x, int n) {
        for (int i = 0; i < n; i++) x[i] = Math.max(x[i], 0f);
    }

    /** {@link #biasRelu} for rows longer than a tile. */
    private static void biasReluScalar(MemorySegment out, MemorySegment params, long biasOff, int m, int cout) {
        if (biasOff < 0) {
            long n = (long) m * cout;
            for (long i = 0; i < n; i++) out.setAtIndex(F, i, Math.max(out.getAtIndex(F, i), 0f));
            return;
        }
        float[] b = sums(cout);
        // element loops, not MemorySegment.copy to/from the array: that wraps the array in a heap segment (~30 bytes a
        // call)
        for (int j = 0; j < cout; j++) b[j] = params.getAtIndex(F, biasOff + j);
        for (int r = 0; r < m; r++) {
            long base = (long) r * cout;
            for (int j = 0; j < cout; j++)
                out.setAtIndex(F, base + j, Math.max(out.getAtIndex(F, base + j) + b[j], 0f));
        }
    }

    /**
     * The backward head of a ReLU convolution given its output {@code out = max(z, 0)}: {@code grad
     * = grad ⊙ [out > 0]} in place ({@code out > 0} exactly when {@code z > 0}), and, unless
     * {@code biasOff == -1}, {@code grads[biasOff + j] = Σ_r grad[r, j]} (overwrites), summed in
     * the order of {@link DenseKernels#biasGradient}. One pass per tile, branch-free (ReLU masks are
     * unpredictable) and vectorised ({@link Tiles}).
     */
    public static void reluBackward(
            MemorySegment out, MemorySegment grad, int m, int cout, MemorySegment grads, long biasOff) {
        int tileRows = Tiles.rowsPerTile(cout);
        if (tileRows == 0) {
            reluBackwardScalar(out, grad, m, cout, grads, biasOff);
            return;
        }
        final boolean bias = biasOff >= 0;
        Tiles t = Tiles.get();
        if (bias) t.clearAcc(Math.min(tileRows, m) * cout);
        if (!TileParts.RELU_BACKWARD.split(out, grad, biasOff, t.acc, m, cout)) {
            reluBackward(out, grad, cout, m, t.acc, biasOff, 0, tileRows);
        }
        if (bias) t.sumColumns(Math.min(tileRows, m), cout, grads, biasOff);
    }

    /**
     * {@link #reluBackward} of rows {@code [lo, hi)} of every tile, the bias sums of those tile
     * rows into {@code acc} from index 0 (the accumulator of tile rows {@code lo..}; zero on
     * entry). Splitting by tile rows keeps each accumulator position's sum over the tiles in the
     * same order, so a split pass gives the bits of the whole one.
     */
    static void reluBackward(
            MemorySegment out, MemorySegment grad, int cout, int m, float[] acc, long biasOff, int lo, int hi) {
        int tileRows = Tiles.rowsPerTile(cout);
        Tiles t = Tiles.get();
        final boolean bias = biasOff >= 0;
        for (int r0 = 0; r0 < m; r0 += tileRows) {
            int a = r0 + lo, b = Math.min(r0 + hi, m);
            if (b <= a) continue;
            int n = (b - a) * cout;
            long off = (long) a * cout * Float.BYTES, bytes = (long) n * Float.BYTES;
            MemorySegment.copy(out, off, t.xs, 0, bytes);
            MemorySegment.copy(grad, off, t.ys, 0, bytes);
            if (!(maskPositive(t.x, t.y, n) <= Float.MAX_VALUE)) {
                // rare: a NaN output, or an infinite gradient at a zero output: the exact rule element by element
                maskPositiveExact(out, grad, off / Float.BYTES, t.y, n);
            }
            if (bias) Tiles.accumulate(acc, t.y, n); // no offset: C2 vectorises only the same index
            MemorySegment.copy(t.ys, 0, grad, off, bytes);
        }
    }

    /**
     * {@link #biasRelu} and {@link #reluBackward} split over {@link Parallel}'s threads: the first
     * by rows, the second by rows within every tile (see there); both give the bits of the whole
     * pass. One job per calling thread, refilled per call: a split allocates nothing.
     */
    private enum TileParts {
        BIAS_RELU,
        RELU_BACKWARD;

        /** Passes over fewer floats than this stay on one thread (system property {@code nerva.splitRelu}). */
        static final long MIN_FLOATS = Long.getLong("nerva.splitRelu", 1L << 15);

        private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

        /** Runs the pass on several threads and returns true, or false when it is small, nested or contended. */
        boolean split(MemorySegment a, MemorySegment b, long biasOff, float[] acc, int m, int cout) {
            if ((long) m * cout < MIN_FLOATS || m < 2 || !Parallel.available()) return false;
            if (!Parallel.shared(a) || !Parallel.shared(b)) return false;
            int parts = Math.min(Parallel.threads(), this == RELU_BACKWARD ? Tiles.rowsPerTile(cout) : m);
            Job job = JOBS.get();
            if (this == RELU_BACKWARD && biasOff >= 0) job.partAccumulators(parts, Tiles.rowsPerTile(cout) * cout);
            job.pass = this;
            job.a = a;
            job.b = b;
            job.biasOff = biasOff;
            job.acc = acc;
            job.m = m;
            job.cout = cout;
            try {
                Parallel.run(job, parts);
                if (this == RELU_BACKWARD && biasOff >= 0) job.gatherAccumulators(parts);
            } finally {
                job.a = job.b = null;
                job.acc = null;
            }
            return true;
        }

        private static final class Job implements Parallel.Task {
            TileParts pass;
            MemorySegment a, b;
            long biasOff;
            float[] acc;
            int m, cout;
            /** Each part's bias accumulator (grown on demand, never per step). */
            float[][] partAcc = new float[0][];

            void partAccumulators(int parts, int floats) {
                if (partAcc.length < parts) partAcc = java.util.Arrays.copyOf(partAcc, parts);
                for (int p = 0; p < parts; p++) {
                    if (partAcc[p] == null || partAcc[p].length < floats) partAcc[p] = new float[floats];
                }
            }

            /** Part p's accumulator is the caller's positions from its first tile row on. */
            void gatherAccumulators(int parts) {
                int tileRows = Tiles.rowsPerTile(cout);
                for (int p = 0; p < parts; p++) {
                    int lo = Parallel.start(p, tileRows, parts), hi = Parallel.start(p + 1, tileRows, parts);
                    int rows = Math.min(hi, m) - lo; // a single partial tile holds fewer rows
                    if (rows > 0) System.arraycopy(partAcc[p], 0, acc, lo * cout, rows * cout);
                }
            }

            @Override
            public void run(int part, int parts) {
                if (pass == BIAS_RELU) {
                    int from = Parallel.start(part, m, parts);
                    int to = Parallel.start(part + 1, m, parts);
                    biasRelu(a, b, biasOff, cout, from, to);
                } else {
                    int tileRows = Tiles.rowsPerTile(cout);
                    int lo = Parallel.start(part, tileRows, parts);
                    int hi = Parallel.start(part + 1, tileRows, parts);
                    float[] mine = biasOff >= 0 ? partAcc[part] : null;
                    if (mine != null) java.util.Arrays.fill(mine, 0, (hi - lo) * cout, 0f);
                    reluBackward(a, b, cout, m, mine, biasOff, lo, hi);
                }
            }
        }
    }

    /**
     * {@code g[i] = g[i]·[z[i] > 0]} (+0 where masked), vectorised; returns the largest |g[i]|,
     * not finite when some result is NaN or infinite, where the caller redoes the tile exactly.
     */
    static float maskPositive(float[] z, float[] g, int n) {
        float worst = 0f;
        for (int i = 0; i < n; i++) {
            float v = g[i] * Tiles.positive(z[i]) + 0f;
            g[i] = v;
            worst = Math.max(worst, Math.abs(v));
        }
        return worst;
    }

    /** The exact rule, {@code g[i] = z > 0 ? grad : +0} from the segments, for a tile that {@link #maskPositive} flagged. */
    static void maskPositiveExact(MemorySegment z, MemorySegment grad, long from, float[] g, int n) {
        for (int i = 0; i < n; i++) g[i] = z.getAtIndex(F, from + i) > 0f ? grad.getAtIndex(F, from + i) : 0f;
    }

    /** {@link #reluBackward} for rows longer than a tile. */
    private static void reluBackwardScalar(
            MemorySegment out, MemorySegment grad, int m, int cout, MemorySegment grads, long biasOff) {
        final boolean bias = biasOff >= 0;
        float[] acc = sums(cout);
        for (int j = 0; j < cout; j++) acc[j] = 0f;
        for (int r = 0; r < m; r++) {
            long base = (long) r * cout;
            for (int j = 0; j < cout; j++) {
                int ob = Float.floatToRawIntBits(out.getAtIndex(F, base + j));
                // all ones when 0 < ob <= +inf's bits, i.e. out > 0 (NaN and ±0 give 0)
                int keep = ~(((0x7f800000 - ob) | (ob - 1)) >> 31);
                float v = Float.intBitsToFloat(Float.floatToRawIntBits(grad.getAtIndex(F, base + j)) & keep);
                grad.setAtIndex(F, base + j, v);
                acc[j] += v;
            }
        }
        if (bias) for (int j = 0; j < cout; j++) grads.setAtIndex(F, biasOff + j, acc[j]);
    }
}
