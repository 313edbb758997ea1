package io.nerva.runtime.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Batch normalization over the last axis of a row-major {@code [m, c]} matrix: the channels of an
 * NHWC batch ({@code m = rows·h·w}) or the features of a flat one ({@code m = rows}).
 *
 * <p>Parameters, back to back from float offset {@code off}: {@code gamma[c]}, {@code beta[c]},
 * {@code movingMean[c]}, {@code movingVariance[c]}. The first two are trained; the moving averages
 * are state that {@link #forwardTraining} updates and {@link #backward} gives a zero gradient.
 *
 * <p>{@code stats} is a scratch of {@link #statsFloats(int)} floats holding {@code 4·c} doubles:
 * the batch mean and {@code 1/√(var + ε)} (kept for backward), then two per-channel sums of
 * backward. Sums run in double over contiguous rows.
 */
public final class BatchNormKernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE;

    private BatchNormKernels() {}

    /** Size of the {@code stats} scratch for {@code c} channels, in floats. */
    public static int statsFloats(int c) {
        return 8 * c;
    }

    /**
     * {@code xhat = (x − μ_B)/√(σ²_B + ε)}, {@code y = gamma·xhat + beta} with the batch mean and
     * biased variance per channel; then {@code moving = momentum·moving + (1 − momentum)·batch}
     * (the biased variance, as Keras 3).
     */
    public static void forwardTraining(
            MemorySegment x,
            MemorySegment y,
            MemorySegment xhat,
            MemorySegment stats,
            MemorySegment params,
            long off,
            int m,
            int c,
            float momentum,
            float epsilon) {
        final long mean = 0, inv = c;
        for (int j = 0; j < c; j++) {
            stats.setAtIndex(D, mean + j, 0.0);
            stats.setAtIndex(D, inv + j, 0.0);
        }
        for (int r = 0; r < m; r++) {
            long base = (long) r * c;
            for (int j = 0; j < c; j++)
                stats.setAtIndex(D, mean + j, stats.getAtIndex(D, mean + j) + x.getAtIndex(F, base + j));
        }
        for (int j = 0; j < c; j++) stats.setAtIndex(D, mean + j, stats.getAtIndex(D, mean + j) / m);
        for (int r = 0; r < m; r++) {
            long base = (long) r * c;
            for (int j = 0; j < c; j++) {
                double d = x.getAtIndex(F, base + j) - stats.getAtIndex(D, mean + j);
                stats.setAtIndex(D, inv + j, stats.getAtIndex(D, inv + j) + d * d);
            }
        }
        for (int j = 0; j < c; j++) {
            double var = stats.getAtIndex(D, inv + j) / m;
            long mm = off + 2L * c + j, mv = off + 3L * c + j;
            params.setAtIndex(F, mm, (float)
                    (momentum * params.getAtIndex(F, mm) + (1.0 - momentum) * stats.getAtIndex(D, mean + j)));
            params.setAtIndex(F, mv, (float) (momentum * params.getAtIndex(F, mv) + (1.0 - momentum) * var));
            stats.setAtIndex(D, inv + j, 1.0 / Math.sqrt(var + epsilon));
        }
        for (int r = 0; r < m; r++) {
            long base = (long) r * c;
            for (int j = 0; j < c; j++) {
                float xh = (float)
                        ((x.getAtIndex(F, base + j) - stats.getAtIndex(D, mean + j)) * stats.getAtIndex(D, inv + j));
                xhat.setAtIndex(F, base + j, xh);
                y.setAtIndex(F, base + j, params.getAtIndex(F, off + j) * xh + params.getAtIndex(F, off + c + j));
            }
        }
    }

    /** {@code y = gamma·(x − movingMean)/√(movingVariance + ε) + beta}. */
    public static void forwardInference(
            MemorySegment x, MemorySegment y, MemorySegment params, long off, int m, int c, float epsilon) {
        for (int r = 0; r < m; r++) {
            long base = (long) r * c;
            for (int j = 0; j < c; j++) {
                float scale = params.getAtIndex(F, off + j)
                        / (float) Math.sqrt(params.getAtIndex(F, off + 3L * c + j) + (double) epsilon);
                float xc = x.getAtIndex(F, base + j) - params.getAtIndex(F, off + 2L * c + j);
                y.setAtIndex(F, base + j, scale * xc + params.getAtIndex(F, off + c + j));
            }
        }
    }

    /**
     * Given {@code dy} and the {@code xhat}, {@code stats} of {@link #forwardTraining}: writes
     * {@code dgamma = Σ dy·xhat}, {@code dbeta = Σ dy}, zero for the moving averages (at {@code off}
     * of {@code grads}, overwriting), and unless {@code dx} is {@code NULL}
     * {@code dx = gamma·invStd/m · (m·dy − dbeta − xhat·dgamma)} (the batch statistics depend on x).
     */
    public static void backward(
            MemorySegment dy,
            MemorySegment xhat,
            MemorySegment stats,
            MemorySegment params,
            MemorySegment grads,
            long off,
            MemorySegment dx,
            int m,
            int c) {
        final long inv = c, sumDy = 2L * c, sumDyXhat = 3L * c;
        for (int j = 0; j < c; j++) {
            stats.setAtIndex(D, sumDy + j, 0.0);
            stats.setAtIndex(D, sumDyXhat + j, 0.0);
        }
        for (int r = 0; r < m; r++) {
            long base = (long) r * c;
            for (int j = 0; j < c; j++) {
                double g = dy.getAtIndex(F, base + j);
                stats.setAtIndex(D, sumDy + j, stats.getAtIndex(D, sumDy + j) + g);
                stats.setAtIndex(
                        D, sumDyXhat + j, stats.getAtIndex(D, sumDyXhat + j) + g * xhat.getAtIndex(F, base + j));
            }
        }
        for (int j = 0; j < c; j++) {
            grads.setAtIndex(F, off + j, (float) stats.getAtIndex(D, sumDyXhat + j));
            grads.setAtIndex(F, off + c + j, (float) stats.getAtIndex(D, sumDy + j));
            grads.setAtIndex(F, off + 2L * c + j, 0f);
            grads.setAtIndex(F, off + 3L * c + j, 0f);
        }
        if (dx == MemorySegment.NULL) return;
        for (int r = 0; r < m; r++) {
            long base = (long) r * c;
            for (int j = 0; j < c; j++) {
                double k = params.getAtIndex(F, off + j) * stats.getAtIndex(D, inv + j) / m;
                double d = m * (double) dy.getAtIndex(F, base + j)
                        - stats.getAtIndex(D, sumDy + j)
                        - xhat.getAtIndex(F, base + j) * stats.getAtIndex(D, sumDyXhat + j);
                dx.setAtIndex(F, base + j, (float) (k * d));
            }
        }
    }

    /**
     * {@code dx = dy·gamma/√(movingVariance + ε)}: the input gradient of {@link #forwardInference}, where the
     * statistics are constants (a frozen layer, or the input gradient of a prediction). Writes no parameter gradient.
     */
    public static void backwardInference(
            MemorySegment dy, MemorySegment params, long off, MemorySegment dx, int m, int c, float epsilon) {
        for (int r = 0; r < m; r++) {
            long base = (long) r * c;
            for (int j = 0; j < c; j++) {
                float scale = params.getAtIndex(F, off + j)
                        / (float) Math.sqrt(params.getAtIndex(F, off + 3L * c + j) + (double) epsilon);
                dx.setAtIndex(F, base + j, dy.getAtIndex(F, base + j) * scale);
            }
        }
    }
}
