package io.nerva.runtime.kernels;

import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Rng;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Parameter initialisation with Keras' definitions ({@code VarianceScaling}):
 * <ul>
 *   <li>glorot: scale 1 over {@code fan = (fanIn + fanOut)/2}; he: scale 2 over fanIn; lecun: scale 1 over fanIn
 *       (a fan below 1 counts as 1, as in Keras);</li>
 *   <li>uniform variants: {@code U(−limit, limit)}, {@code limit = √(3·scale/fan)};</li>
 *   <li>normal variants: a normal truncated at two standard deviations (values beyond are
 *       re-drawn) with {@code σ = √(scale/fan) / 0.87962566103423978}, so the truncated
 *       distribution has variance {@code scale/fan};</li>
 *   <li>ZEROS, ONES, CONSTANT ({@link ParamSpec#initValue()}).</li>
 * </ul>
 */
public final class Initializers {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** Standard deviation of a unit normal truncated to [−2, 2] (Keras' correction constant). */
    public static final double TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

    private Initializers() {}

    /** Writes {@code spec.size()} values at float offset {@code spec.offset()} of {@code values}. */
    public static void fill(ParamSpec spec, MemorySegment values, Rng rng) {
        final long off = spec.offset();
        final long n = spec.size();
        switch (spec.init()) {
            case ZEROS -> constant(values, off, n, 0f);
            case ONES -> constant(values, off, n, 1f);
            case CONSTANT -> constant(values, off, n, spec.initValue());
            case GLOROT_UNIFORM, HE_UNIFORM, LECUN_UNIFORM -> {
                final double limit = Math.sqrt(3.0 * variance(spec));
                for (long i = 0; i < n; i++) {
                    values.setAtIndex(F, off + i, (float) ((2.0 * rng.nextDouble() - 1.0) * limit));
                }
            }
            case GLOROT_NORMAL, HE_NORMAL, LECUN_NORMAL -> {
                final double sigma = Math.sqrt(variance(spec)) / TRUNCATED_NORMAL_STDDEV;
                for (long i = 0; i < n; i++) {
                    double g;
                    do {
                        g = rng.nextGaussian();
                    } while (g < -2.0 || g > 2.0);
                    values.setAtIndex(F, off + i, (float) (g * sigma));
                }
            }
            case RANDOM_UNIFORM -> {
                for (long i = 0; i < n; i++) {
                    values.setAtIndex(F, off + i, (float) ((2.0 * rng.nextDouble() - 1.0) * 0.05));
                }
            }
            case ORTHOGONAL -> orthogonal(spec, values, rng);
        }
    }

    /**
     * Keras' {@code Orthogonal()}: the tensor seen as a matrix {@code [prod(shape[:-1]), shape[-1]]}
     * gets orthonormal columns (or rows, when it is wide), from the QR factors of a Gaussian matrix
     * with the signs of R's diagonal folded into Q. Gram-Schmidt in double is QR for this purpose.
     */
    private static void orthogonal(ParamSpec spec, MemorySegment values, Rng rng) {
        int[] shape = spec.shape();
        int cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        long rowsL = spec.size() / Math.max(cols, 1);
        if (rowsL * cols > 1L << 26) throw new IllegalArgumentException(spec.name() + ": too large for ORTHOGONAL");
        int rows = (int) rowsL;
        // Orthonormalise the k = min(rows, cols) vectors of length m = max(rows, cols).
        int m = Math.max(rows, cols), k = Math.min(rows, cols);
        double[][] q = new double[k][m];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < m; i++) q[j][i] = rng.nextGaussian();
        }
        for (int j = 0; j < k; j++) {
            for (int p = 0; p < j; p++) {
                double dot = 0;
                for (int i = 0; i < m; i++) dot += q[j][i] * q[p][i];
                for (int i = 0; i < m; i++) q[j][i] -= dot * q[p][i];
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += q[j][i] * q[j][i];
            norm = Math.sqrt(norm);
            for (int i = 0; i < m; i++) q[j][i] /= norm;
        }
        long off = spec.offset();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                // Tall matrix: the vectors are its columns; wide: its rows.
                double v = rows >= cols ? q[c][r] : q[r][c];
                values.setAtIndex(F, off + (long) r * cols + c, (float) v);
            }
        }
    }

    /** The target variance {@code scale / fan} of a variance-scaling initializer. */
    public static double variance(ParamSpec spec) {
        double fanIn = spec.fanIn(), fanOut = spec.fanOut();
        return switch (spec.init()) {
            case GLOROT_UNIFORM, GLOROT_NORMAL -> 1.0 / Math.max(1.0, (fanIn + fanOut) / 2.0);
            case HE_UNIFORM, HE_NORMAL -> 2.0 / Math.max(1.0, fanIn);
            case LECUN_UNIFORM, LECUN_NORMAL -> 1.0 / Math.max(1.0, fanIn);
            case ZEROS, ONES, CONSTANT, ORTHOGONAL, RANDOM_UNIFORM -> 0.0;
        };
    }

    private static void constant(MemorySegment values, long off, long n, float v) {
        for (long i = 0; i < n; i++) values.setAtIndex(F, off + i, v);
    }
}
