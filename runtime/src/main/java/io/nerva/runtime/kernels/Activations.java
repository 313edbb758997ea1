package io.nerva.runtime.kernels;

import io.nerva.annotations.ActivationType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Activation functions over row-major {@code rows × cols} float buffers, and their backward passes.
 *
 * <p>Every kernel switches on the activation type once, outside its loops, and calls a small
 * method holding the simple counted loop(s) for that function — one method per function and
 * direction, so that HotSpot compiles each loop with its segment accessors inlined and one
 * function's profile never deoptimises another's. Nothing is allocated. Element-wise functions are
 * evaluated in double precision and rounded once to float. The scalar {@link #value} and
 * {@link #derivative} are double-precision references of the same formulas.
 *
 * <p>{@code alpha} is the slope of {@link ActivationType#LEAKY_RELU} (default 0.2) and the scale of
 * {@link ActivationType#ELU} (default 1); other functions ignore it; NaN means the default.
 */
public final class Activations {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** SELU's α (Klambauer et al., the constant Keras uses). */
    public static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    /** SELU's λ (scale). */
    public static final double SELU_SCALE = 1.0507009873554804934193349852946;

    private static final double SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π)
    private static final double GELU_K = 0.044715;
    private static final double INV_SQRT_2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;

    private Activations() {}

    /** {@code alpha}, or the type's default ({@link ActivationType#defaultAlpha()}) when NaN. */
    public static float resolveAlpha(ActivationType t, float alpha) {
        return Float.isNaN(alpha) ? (float) t.defaultAlpha() : alpha;
    }

    // ------------------------------------------------------------------------------------------
    // Forward
    // ------------------------------------------------------------------------------------------

    /**
     * {@code a = f(z)} over {@code rows × cols} floats ({@code a} may be {@code z} only for LINEAR,
     * and then this is a no-op copy). SOFTMAX is row-wise and shifted by the row maximum.
     */
    public static void forward(ActivationType t, float alpha, MemorySegment z, MemorySegment a, int rows, int cols) {
        apply(t, alpha, z, MemorySegment.NULL, -1, a, rows, cols);
    }

    /**
     * The fused forward kernel shared with {@link DenseKernels#biasActivation}: when
     * {@code biasOffset ≥ 0}, first adds {@code bias[biasOffset + j]} to {@code z[r, j]} in place;
     * then writes {@code a = f(z)}, element by element in one pass per row (softmax: its row passes).
     */
    static void apply(
            ActivationType t,
            float alpha,
            MemorySegment z,
            MemorySegment bias,
            long biasOffset,
            MemorySegment a,
            int rows,
            int cols) {
        checkShape(rows, cols);
        final boolean hb = biasOffset >= 0;
        final double al = resolveAlpha(t, alpha);
        switch (t) {
            case LINEAR -> forwardLinear(z, bias, biasOffset, hb, a, rows, cols);
            case SIGMOID -> forwardSigmoid(z, bias, biasOffset, hb, a, rows, cols);
            case TANH -> forwardTanh(z, bias, biasOffset, hb, a, rows, cols);
            case RELU -> forwardRelu(z, bias, biasOffset, hb, a, rows, cols);
            case LEAKY_RELU -> forwardLeakyRelu(z, bias, biasOffset, hb, al, a, rows, cols);
            case ELU -> forwardElu(z, bias, biasOffset, hb, al, a, rows, cols);
            case SELU -> forwardSelu(z, bias, biasOffset, hb, a, rows, cols);
            case GELU -> forwardGelu(z, bias, biasOffset, hb, a, rows, cols);
            case GELU_EXACT -> forwardGeluExact(z, bias, biasOffset, hb, a, rows, cols);
            case SWISH -> forwardSwish(z, bias, biasOffset, hb, a, rows, cols);
            case SOFTPLUS -> forwardSoftplus(z, bias, biasOffset, hb, a, rows, cols);
            case SOFTSIGN -> forwardSoftsign(z, bias, biasOffset, hb, a, rows, cols);
            case HARD_SIGMOID -> forwardHardSigmoid(z, bias, biasOffset, hb, a, rows, cols);
            case EXPONENTIAL -> forwardExponential(z, bias, biasOffset, hb, a, rows, cols);
            case ARCTAN -> forwardArctan(z, bias, biasOffset, hb, a, rows, cols);
            case BINARY_STEP -> forwardBinaryStep(z, bias, biasOffset, hb, a, rows, cols);
            case SOFTMAX -> forwardSoftmax(z, bias, biasOffset, hb, a, rows, cols);
        }
    }

    // One method per function and direction: each is its own small compilation unit, so the JIT
    // inlines the segment accessors in every loop and no function's profile disturbs another's.

    private static void forwardLinear(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                a.setAtIndex(F, i, in(z, bias, biasOffset, hb, i, j));
            }
        }
    }

    private static void forwardSigmoid(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                a.setAtIndex(F, i, sigmoidF(in(z, bias, biasOffset, hb, i, j)));
            }
        }
    }

    private static void forwardTanh(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                a.setAtIndex(F, i, (float) Math.tanh(in(z, bias, biasOffset, hb, i, j)));
            }
        }
    }

    private static void forwardRelu(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        int tileRows = Tiles.rowsPerTile(cols);
        if (tileRows > 0) { // vectorised over heap tiles: z (+ bias, written back), then a = max(z, 0)
            Tiles t = Tiles.get();
            if (hb) t.replicate(bias, biasOffset, Math.min(tileRows, rows), cols);
            for (int r0 = 0; r0 < rows; r0 += tileRows) {
                int n = Math.min(tileRows, rows - r0) * cols;
                long off = (long) r0 * cols * Float.BYTES, bytes = (long) n * Float.BYTES;
                MemorySegment.copy(z, off, t.xs, 0, bytes);
                if (hb) {
                    addInto(t.x, t.col, n);
                    MemorySegment.copy(t.xs, 0, z, off, bytes);
                }
                reluInto(t.x, t.y, n);
                MemorySegment.copy(t.ys, 0, a, off, bytes);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                a.setAtIndex(F, i, Math.max(in(z, bias, biasOffset, hb, i, j), 0f));
            }
        }
    }

    private static void forwardLeakyRelu(
            MemorySegment z,
            MemorySegment bias,
            long biasOffset,
            boolean hb,
            double al,
            MemorySegment a,
            int rows,
            int cols) {
        final float s = (float) al;
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                float v = in(z, bias, biasOffset, hb, i, j);
                a.setAtIndex(F, i, v > 0f ? v : s * v);
            }
        }
    }

    private static void forwardElu(
            MemorySegment z,
            MemorySegment bias,
            long biasOffset,
            boolean hb,
            double al,
            MemorySegment a,
            int rows,
            int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                float v = in(z, bias, biasOffset, hb, i, j);
                a.setAtIndex(F, i, v > 0f ? v : (float) (al * Math.expm1(v)));
            }
        }
    }

    private static void forwardSelu(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        final double sa = SELU_SCALE * SELU_ALPHA;
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                float v = in(z, bias, biasOffset, hb, i, j);
                a.setAtIndex(F, i, (float) (v > 0f ? SELU_SCALE * v : sa * Math.expm1(v)));
            }
        }
    }

    private static void forwardGelu(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                double v = in(z, bias, biasOffset, hb, i, j);
                a.setAtIndex(F, i, (float) (0.5 * v * (1.0 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_K * v * v * v)))));
            }
        }
    }

    private static void forwardGeluExact(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                double v = in(z, bias, biasOffset, hb, i, j);
                a.setAtIndex(F, i, (float) (0.5 * v * (1.0 + erfFast(v * INV_SQRT_2))));
            }
        }
    }

    private static void forwardSwish(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                double v = in(z, bias, biasOffset, hb, i, j);
                a.setAtIndex(F, i, (float) (v / (1.0 + Math.exp(-v))));
            }
        }
    }

    private static void forwardSoftplus(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                double v = in(z, bias, biasOffset, hb, i, j);
                a.setAtIndex(F, i, (float) (Math.max(v, 0.0) + Math.log1p(Math.exp(-Math.abs(v)))));
            }
        }
    }

    private static void forwardSoftsign(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                float v = in(z, bias, biasOffset, hb, i, j);
                a.setAtIndex(F, i, v / (1f + Math.abs(v)));
            }
        }
    }

    private static void forwardHardSigmoid(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                float v = in(z, bias, biasOffset, hb, i, j);
                a.setAtIndex(F, i, Math.min(Math.max(v / 6f + 0.5f, 0f), 1f));
            }
        }
    }

    private static void forwardExponential(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                a.setAtIndex(F, i, (float) Math.exp(in(z, bias, biasOffset, hb, i, j)));
            }
        }
    }

    private static void forwardArctan(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                a.setAtIndex(F, i, (float) Math.atan(in(z, bias, biasOffset, hb, i, j)));
            }
        }
    }

    private static void forwardBinaryStep(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                a.setAtIndex(F, i, in(z, bias, biasOffset, hb, i, j) >= 0f ? 1f : 0f);
            }
        }
    }

    private static void forwardSoftmax(
            MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, MemorySegment a, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, in(z, bias, biasOffset, hb, base + j, j));
            }
            softmaxRowFromMax(z, a, base, cols, max);
        }
    }

    /** z[i] (+ bias[j], stored back into z) — inlined; {@code hb} is loop-invariant. */
    private static float in(MemorySegment z, MemorySegment bias, long biasOffset, boolean hb, long i, int j) {
        float v = z.getAtIndex(F, i);
        if (hb) {
            v += bias.getAtIndex(F, biasOffset + j);
            z.setAtIndex(F, i, v);
        }
        return v;
    }

    /** Second and third pass of a softmax row whose maximum is known. */
    private static void softmaxRowFromMax(MemorySegment z, MemorySegment a, long base, int cols, float max) {
        float sum = 0f;
        for (int j = 0; j < cols; j++) {
            float e = (float) Math.exp(z.getAtIndex(F, base + j) - max);
            a.setAtIndex(F, base + j, e);
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < cols; j++) {
            a.setAtIndex(F, base + j, a.getAtIndex(F, base + j) * inv);
        }
    }

    private static float sigmoidF(double v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }

    // ------------------------------------------------------------------------------------------
    // Backward
    // ------------------------------------------------------------------------------------------

    /**
     * {@code dZ = dA ⊙ f'(z)}, given {@code z} and {@code a = f(z)} from the forward pass
     * ({@code dZ} may be {@code dA}). SOFTMAX: the row-wise Jacobian-vector product
     * {@code dZ = a ⊙ (dA − Σ_j dA⊙a)}.
     *
     * @throws IllegalStateException for {@link ActivationType#BINARY_STEP}, which is not differentiable
     */
    public static void backward(
            ActivationType t,
            float alpha,
            MemorySegment z,
            MemorySegment a,
            MemorySegment dA,
            MemorySegment dZ,
            int rows,
            int cols) {
        checkShape(rows, cols);
        final long n = (long) rows * cols;
        final double al = resolveAlpha(t, alpha);
        switch (t) {
            case LINEAR -> backwardLinear(dA, dZ, n);
            case SIGMOID -> backwardSigmoid(a, dA, dZ, n);
            case TANH -> backwardTanh(a, dA, dZ, n);
            case RELU -> backwardRelu(z, dA, dZ, n);
            case LEAKY_RELU -> backwardLeakyRelu(z, dA, dZ, n, al);
            case ELU -> backwardElu(z, dA, dZ, n, al);
            case SELU -> backwardSelu(z, dA, dZ, n);
            case GELU -> backwardGelu(z, dA, dZ, n);
            case GELU_EXACT -> backwardGeluExact(z, dA, dZ, n);
            case SWISH -> backwardSwish(z, dA, dZ, n);
            case SOFTPLUS -> backwardSoftplus(z, dA, dZ, n);
            case SOFTSIGN -> backwardSoftsign(z, dA, dZ, n);
            case HARD_SIGMOID -> backwardHardSigmoid(z, dA, dZ, n);
            case EXPONENTIAL -> backwardExponential(a, dA, dZ, n);
            case ARCTAN -> backwardArctan(z, dA, dZ, n);
            case BINARY_STEP -> throw notDifferentiable();
            case SOFTMAX -> backwardSoftmax(a, dA, dZ, rows, cols);
        }
    }

    private static void backwardLinear(MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) dZ.setAtIndex(F, i, dA.getAtIndex(F, i));
    }

    private static void backwardSigmoid(MemorySegment a, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            float s = a.getAtIndex(F, i);
            dZ.setAtIndex(F, i, dA.getAtIndex(F, i) * (s * (1f - s)));
        }
    }

    private static void backwardTanh(MemorySegment a, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            float h = a.getAtIndex(F, i);
            dZ.setAtIndex(F, i, dA.getAtIndex(F, i) * (1f - h * h));
        }
    }

    private static void addInto(float[] x, float[] b, int n) {
        for (int i = 0; i < n; i++) x[i] += b[i];
    }

    private static void reluInto(float[] z, float[] a, int n) {
        for (int i = 0; i < n; i++) a[i] = Math.max(z[i], 0f);
    }

    private static void backwardRelu(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n) {
        // vectorised over heap tiles; a tile with a NaN z or an infinite dA where z ≤ 0 is redone exactly
        Tiles t = Tiles.get();
        for (long at = 0; at < n; at += Tiles.FLOATS) {
            int len = (int) Math.min(Tiles.FLOATS, n - at);
            long off = at * Float.BYTES, bytes = (long) len * Float.BYTES;
            MemorySegment.copy(z, off, t.xs, 0, bytes);
            MemorySegment.copy(dA, off, t.ys, 0, bytes);
            if (!(ConvKernels.maskPositive(t.x, t.y, len) <= Float.MAX_VALUE)) {
                ConvKernels.maskPositiveExact(z, dA, at, t.y, len);
            }
            MemorySegment.copy(t.ys, 0, dZ, off, bytes);
        }
    }

    private static void backwardLeakyRelu(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n, double al) {
        final float s = (float) al;
        for (long i = 0; i < n; i++) {
            float g = dA.getAtIndex(F, i);
            dZ.setAtIndex(F, i, z.getAtIndex(F, i) > 0f ? g : s * g);
        }
    }

    private static void backwardElu(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n, double al) {
        for (long i = 0; i < n; i++) {
            float v = z.getAtIndex(F, i);
            float g = dA.getAtIndex(F, i);
            dZ.setAtIndex(F, i, v > 0f ? g : (float) (g * al * Math.exp(v)));
        }
    }

    private static void backwardSelu(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n) {
        final double sa = SELU_SCALE * SELU_ALPHA;
        for (long i = 0; i < n; i++) {
            float v = z.getAtIndex(F, i);
            double g = dA.getAtIndex(F, i);
            dZ.setAtIndex(F, i, (float) (v > 0f ? g * SELU_SCALE : g * sa * Math.exp(v)));
        }
    }

    private static void backwardGelu(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            double v = z.getAtIndex(F, i);
            double th = Math.tanh(SQRT_2_OVER_PI * (v + GELU_K * v * v * v));
            double d = 0.5 * (1.0 + th) + 0.5 * v * (1.0 - th * th) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_K * v * v);
            dZ.setAtIndex(F, i, (float) (dA.getAtIndex(F, i) * d));
        }
    }

    private static void backwardGeluExact(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            double v = z.getAtIndex(F, i);
            double d = 0.5 * (1.0 + erfFast(v * INV_SQRT_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            dZ.setAtIndex(F, i, (float) (dA.getAtIndex(F, i) * d));
        }
    }

    private static void backwardSwish(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            double v = z.getAtIndex(F, i);
            double s = 1.0 / (1.0 + Math.exp(-v));
            dZ.setAtIndex(F, i, (float) (dA.getAtIndex(F, i) * s * (1.0 + v * (1.0 - s))));
        }
    }

    private static void backwardSoftplus(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            dZ.setAtIndex(F, i, dA.getAtIndex(F, i) * sigmoidF(z.getAtIndex(F, i)));
        }
    }

    private static void backwardSoftsign(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            float d = 1f + Math.abs(z.getAtIndex(F, i));
            dZ.setAtIndex(F, i, dA.getAtIndex(F, i) / (d * d));
        }
    }

    private static void backwardHardSigmoid(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            float v = z.getAtIndex(F, i);
            dZ.setAtIndex(F, i, v > -3f && v < 3f ? dA.getAtIndex(F, i) * (1f / 6f) : 0f);
        }
    }

    private static void backwardExponential(MemorySegment a, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            dZ.setAtIndex(F, i, dA.getAtIndex(F, i) * a.getAtIndex(F, i));
        }
    }

    private static void backwardArctan(MemorySegment z, MemorySegment dA, MemorySegment dZ, long n) {
        for (long i = 0; i < n; i++) {
            float v = z.getAtIndex(F, i);
            dZ.setAtIndex(F, i, dA.getAtIndex(F, i) / (1f + v * v));
        }
    }

    private static void backwardSoftmax(MemorySegment a, MemorySegment dA, MemorySegment dZ, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            float dot = 0f;
            for (int j = 0; j < cols; j++) {
                dot += dA.getAtIndex(F, base + j) * a.getAtIndex(F, base + j);
            }
            for (int j = 0; j < cols; j++) {
                long i = base + j;
                dZ.setAtIndex(F, i, a.getAtIndex(F, i) * (dA.getAtIndex(F, i) - dot));
            }
        }
    }

    private static IllegalStateException notDifferentiable() {
        return new IllegalStateException(
                "BINARY_STEP is not differentiable (its derivative is zero almost everywhere), "
                        + "so no gradient can flow back through it; use it only in an inference-only network, or train "
                        + "with a differentiable function such as SIGMOID or HARD_SIGMOID");
    }

    private static void checkShape(int rows, int cols) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape " + rows + " × " + cols);
    }

    // ------------------------------------------------------------------------------------------
    // Scalar double-precision references
    // ------------------------------------------------------------------------------------------

    /**
     * {@code f(x)} in double precision. Not defined for the row-wise SOFTMAX
     * ({@link IllegalArgumentException}).
     */
    public static double value(ActivationType t, double alpha, double x) {
        double al = Double.isNaN(alpha) ? t.defaultAlpha() : alpha;
        return switch (t) {
            case LINEAR -> x;
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case RELU -> Math.max(x, 0.0);
            case LEAKY_RELU -> x > 0 ? x : al * x;
            case ELU -> x > 0 ? x : al * Math.expm1(x);
            case SELU -> x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x);
            case GELU -> 0.5 * x * (1.0 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_K * x * x * x)));
            case GELU_EXACT -> 0.5 * x * (1.0 + erf(x * INV_SQRT_2));
            case SWISH -> x / (1.0 + Math.exp(-x));
            case SOFTPLUS -> Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
            case SOFTSIGN -> x / (1.0 + Math.abs(x));
            case HARD_SIGMOID -> Math.min(Math.max(x / 6.0 + 0.5, 0.0), 1.0);
            case EXPONENTIAL -> Math.exp(x);
            case ARCTAN -> Math.atan(x);
            case BINARY_STEP -> x >= 0 ? 1.0 : 0.0;
            case SOFTMAX ->
                throw new IllegalArgumentException("SOFTMAX is row-wise and has no scalar form; use forward/backward");
        };
    }

    /**
     * {@code f'(x)} in double precision (at a kink, the one-sided value the kernels use: RELU'(0) = 0).
     *
     * @throws IllegalStateException for BINARY_STEP; {@link IllegalArgumentException} for SOFTMAX
     */
    public static double derivative(ActivationType t, double alpha, double x) {
        double al = Double.isNaN(alpha) ? t.defaultAlpha() : alpha;
        return switch (t) {
            case LINEAR -> 1.0;
            case SIGMOID -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 - s);
            }
            case TANH -> {
                double h = Math.tanh(x);
                yield 1.0 - h * h;
            }
            case RELU -> x > 0 ? 1.0 : 0.0;
            case LEAKY_RELU -> x > 0 ? 1.0 : al;
            case ELU -> x > 0 ? 1.0 : al * Math.exp(x);
            case SELU -> x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x);
            case GELU -> {
                double th = Math.tanh(SQRT_2_OVER_PI * (x + GELU_K * x * x * x));
                yield 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_K * x * x);
            }
            case GELU_EXACT -> 0.5 * (1.0 + erf(x * INV_SQRT_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
            case SWISH -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 + x * (1.0 - s));
            }
            case SOFTPLUS -> 1.0 / (1.0 + Math.exp(-x));
            case SOFTSIGN -> 1.0 / ((1.0 + Math.abs(x)) * (1.0 + Math.abs(x)));
            case HARD_SIGMOID -> x > -3 && x < 3 ? 1.0 / 6.0 : 0.0;
            case EXPONENTIAL -> Math.exp(x);
            case ARCTAN -> 1.0 / (1.0 + x * x);
            case BINARY_STEP -> throw notDifferentiable();
            case SOFTMAX ->
                throw new IllegalArgumentException("SOFTMAX is row-wise and has no scalar derivative; use backward");
        };
    }

    // ------------------------------------------------------------------------------------------
    // erf
    // ------------------------------------------------------------------------------------------

    /**
     * The error function in double precision (absolute error below about 1e-14): the Maclaurin
     * series for |x| &lt; 2.5, {@code 1 − erfc(x)} with erfc's continued fraction (modified Lentz)
     * up to 6, and ±1 beyond (erfc(6) ≈ 2e-17).
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            // erf x = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1)); term = (−1)^n x^(2n+1) / n!
            double x2 = ax * ax, term = ax, sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) <= 1e-17 * sum) break;
            }
            r = TWO_OVER_SQRT_PI * sum;
        } else if (ax < 6.0) {
            r = 1.0 - erfcContinuedFraction(ax);
        } else {
            r = 1.0;
        }
        return x < 0 ? -r : r;
    }

    /** erfc(x) for x ≥ 2.5: e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
    private static double erfcContinuedFraction(double x) {
        final double tiny = 1e-300;
        double f = x, c = x, d = 0.0;
        for (int n = 1; n < 1000; n++) {
            double an = 0.5 * n;
            d = x + an * d;
            if (d == 0) d = tiny;
            c = x + an / c;
            if (c == 0) c = tiny;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) break;
        }
        return Math.exp(-x * x) * INV_SQRT_PI / f;
    }

    /**
     * A fast erf for the float kernels: the Chebyshev-fitted erfc of Numerical Recipes
     * ({@code erfcc}, fractional error below 1.2e-7), i.e. float accuracy, one exp per call.
     */
    static double erfFast(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t
                * Math.exp(
                        -z * z
                                - 1.26551223
                                + t
                                        * (1.00002368
                                                + t
                                                        * (0.37409196
                                                                + t
                                                                        * (0.09678418
                                                                                + t
                                                                                        * (-0.18628806
                                                                                                + t
                                                                                                        * (0.27886807
                                                                                                                + t
                                                                                                                        * (-1.13520398
                                                                                                                                + t
                                                                                                                                        * (1.48851587
                                                                                                                                                + t
                                                                                                                                                        * (-0.82215223
                                                                                                                                                                + t
                                                                                                                                                                        * 0.17087277)))))))));
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }
}
