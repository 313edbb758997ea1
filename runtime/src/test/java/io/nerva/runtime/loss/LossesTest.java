package io.nerva.runtime.loss;

import static io.nerva.annotations.ActivationType.*;
import static io.nerva.annotations.LossFunction.*;
import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.runtime.Mem;
import io.nerva.runtime.kernels.Activations;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LossesTest {
    private static final int R = 3, C = 4;

    /** A double-precision reference of a loss as a function of its input (logits when fused, else the output). */
    interface Ref {
        double loss(double[] x, double[] y);
    }

    /**
     * One gradient-check case: {@code x} are the logits when the loss fuses with {@code act}
     * (the output is then {@code act(x)}), otherwise the output itself (LINEAR, so logits = output).
     */
    record Case(String name, LossFunction f, ActivationType act, float[] x, float[] y, Ref ref, Loss loss) {
        Case(String name, LossFunction f, ActivationType act, float[] x, float[] y, Ref ref) {
            this(name, f, act, x, y, ref, Loss.of(f));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // ---- double references: naive textbook formulas, composed with the activation when fused ----

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    static double[] softmax(double[] z) {
        double[] p = new double[z.length];
        for (int r = 0; r < R; r++) {
            double s = 0;
            for (int j = 0; j < C; j++) s += Math.exp(z[r * C + j]);
            for (int j = 0; j < C; j++) p[r * C + j] = Math.exp(z[r * C + j]) / s;
        }
        return p;
    }

    static double[] oneHot(double[] labels) {
        double[] y = new double[R * C];
        for (int r = 0; r < R; r++) y[r * C + (int) labels[r]] = 1;
        return y;
    }

    static double bceOnProbs(double[] p, double[] y) {
        double s = 0;
        for (int i = 0; i < p.length; i++) s -= y[i] * Math.log(p[i]) + (1 - y[i]) * Math.log(1 - p[i]);
        return s / p.length;
    }

    static double cceOnProbs(double[] p, double[] y) {
        double s = 0;
        for (int i = 0; i < p.length; i++) s -= y[i] * Math.log(p[i]);
        return s / R;
    }

    static double[] map(double[] x, java.util.function.DoubleUnaryOperator f) {
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) o[i] = f.applyAsDouble(x[i]);
        return o;
    }

    static Stream<Case> cases() {
        Random rnd = new Random(2024);
        float[] labels = new float[R];
        for (int r = 0; r < R; r++) labels[r] = rnd.nextInt(C);
        float[] oneHot = new float[R * C];
        for (int r = 0; r < R; r++) oneHot[r * C + (int) labels[r]] = 1;
        float[] soft = Mem.uniform(rnd, R * C, 0.1, 1);
        for (int r = 0; r < R; r++) { // rows summing to 1 …
            double s = 0;
            for (int j = 0; j < C; j++) s += soft[r * C + j];
            for (int j = 0; j < C; j++) soft[r * C + j] /= (float) s;
        }
        float[] partial = soft.clone(); // … and to 0.7 (exercises the exact fused gradient p·Σy − y)
        for (int i = 0; i < partial.length; i++) partial[i] *= 0.7f;

        float[] mseX = Mem.uniform(rnd, R * C, -2, 2), mseY = Mem.uniform(rnd, R * C, -2, 2);
        float[] maeY = Mem.uniform(rnd, R * C, -2, 2), maeX = new float[R * C];
        for (int i = 0; i < maeX.length; i++)
            maeX[i] = maeY[i] + Mem.awayFromZero(rnd, 1, 0.1, 1.5)[0]; // away from the kink
        float[] probs = Mem.uniform(rnd, R * C, 0.05, 0.95), binY = Mem.uniform(rnd, R * C, 0, 1);
        float[] logits = Mem.uniform(rnd, R * C, -4, 4);
        float[] hingeY = new float[R * C],
                hingeYpm = new float[R * C],
                hingeX = new float[R * C],
                hingeXpm = new float[R * C];
        for (int i = 0; i < R * C; i++) {
            hingeY[i] = rnd.nextBoolean() ? 1f : 0f;
            hingeYpm[i] = hingeY[i] == 0f ? -1f : 1f;
            // margins 1 − t·x at least 0.1 away from the kink at 0
            hingeX[i] = (1 + Mem.awayFromZero(rnd, 1, 0.1, 1.5)[0]) * hingeYpm[i];
            hingeXpm[i] = (1 + Mem.awayFromZero(rnd, 1, 0.1, 1.5)[0]) * hingeYpm[i];
        }
        Ref hinge = (x, y) -> {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                double t = y[i] == 0 ? -1 : y[i];
                s += Math.max(1 - t * x[i], 0);
            }
            return s / x.length;
        };
        return Stream.of(
                new Case("mse", MEAN_SQUARED_ERROR, LINEAR, mseX, mseY, (x, y) -> {
                    double s = 0;
                    for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
                    return s / x.length;
                }),
                new Case("mae", MEAN_ABSOLUTE_ERROR, LINEAR, maeX, maeY, (x, y) -> {
                    double s = 0;
                    for (int i = 0; i < x.length; i++) s += Math.abs(x[i] - y[i]);
                    return s / x.length;
                }),
                new Case("bce on probabilities", BINARY_CROSSENTROPY, LINEAR, probs, binY, LossesTest::bceOnProbs),
                new Case(
                        "bce fused with sigmoid",
                        BINARY_CROSSENTROPY,
                        SIGMOID,
                        logits,
                        binY,
                        (x, y) -> bceOnProbs(map(x, LossesTest::sigmoid), y)),
                new Case(
                        "bce from logits",
                        BINARY_CROSSENTROPY_FROM_LOGITS,
                        LINEAR,
                        logits,
                        binY,
                        (x, y) -> bceOnProbs(map(x, LossesTest::sigmoid), y)),
                new Case("cce on probabilities", CATEGORICAL_CROSSENTROPY, LINEAR, probs, soft, LossesTest::cceOnProbs),
                new Case(
                        "cce fused one-hot",
                        CATEGORICAL_CROSSENTROPY,
                        SOFTMAX,
                        logits,
                        oneHot,
                        (x, y) -> cceOnProbs(softmax(x), y)),
                new Case(
                        "cce fused soft labels",
                        CATEGORICAL_CROSSENTROPY,
                        SOFTMAX,
                        logits,
                        soft,
                        (x, y) -> cceOnProbs(softmax(x), y)),
                new Case(
                        "cce fused labels summing to 0.7",
                        CATEGORICAL_CROSSENTROPY,
                        SOFTMAX,
                        logits,
                        partial,
                        (x, y) -> cceOnProbs(softmax(x), y)),
                new Case(
                        "sparse cce on probabilities",
                        SPARSE_CATEGORICAL_CROSSENTROPY,
                        LINEAR,
                        probs,
                        labels,
                        (x, y) -> cceOnProbs(x, oneHot(y))),
                new Case(
                        "sparse cce fused",
                        SPARSE_CATEGORICAL_CROSSENTROPY,
                        SOFTMAX,
                        logits,
                        labels,
                        (x, y) -> cceOnProbs(softmax(x), oneHot(y))),
                new Case("hinge 0/1 targets", HINGE, LINEAR, hingeX, hingeY, hinge),
                new Case("hinge -1/1 targets", HINGE, LINEAR, hingeXpm, hingeYpm, hinge),
                new Case("huber delta 1", HUBER, LINEAR, awayFrom(rnd, mseY, 1.0), mseY, huber(1.0)),
                new Case("huber delta 0.5", HUBER, LINEAR, awayFrom(rnd, mseY, 0.5), mseY, huber(0.5), Loss.huber(0.5)),
                new Case("log-cosh", LOG_COSH, LINEAR, mseX, mseY, (x, y) -> {
                    double s = 0;
                    for (int i = 0; i < x.length; i++) s += Math.log(Math.cosh(x[i] - y[i]));
                    return s / x.length;
                }),
                new Case("kl divergence", KL_DIVERGENCE, LINEAR, probs, soft, (x, y) -> {
                    double s = 0;
                    for (int i = 0; i < x.length; i++) s += y[i] * Math.log(y[i] / x[i]);
                    return s / R;
                }),
                new Case("categorical hinge", CATEGORICAL_HINGE, LINEAR, mseX, oneHot, (x, y) -> {
                    double s = 0;
                    for (int r = 0; r < R; r++) {
                        double pos = 0, neg = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < C; j++) {
                            pos += y[r * C + j] * x[r * C + j];
                            neg = Math.max(neg, (1 - y[r * C + j]) * x[r * C + j]);
                        }
                        s += Math.max(0, 1 + neg - pos);
                    }
                    return s / R;
                }),
                new Case(
                        "cce from logits",
                        CATEGORICAL_CROSSENTROPY_FROM_LOGITS,
                        LINEAR,
                        logits,
                        soft,
                        (x, y) -> cceOnProbs(softmax(x), y)));
    }

    /** Outputs whose errors from {@code y} stay at least 0.1 away from ±delta, the kink of the Huber loss. */
    static float[] awayFrom(Random rnd, float[] y, double delta) {
        float[] x = new float[y.length];
        for (int i = 0; i < x.length; i++) {
            double e = rnd.nextBoolean() ? rnd.nextDouble() * (delta - 0.1) : delta + 0.1 + rnd.nextDouble();
            x[i] = y[i] + (float) (rnd.nextBoolean() ? e : -e);
        }
        return x;
    }

    /** Keras' Huber, textbook form: ½e² within delta, delta·(|e| − ½delta) beyond, averaged. */
    static Ref huber(double delta) {
        return (x, y) -> {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                double e = Math.abs(x[i] - y[i]);
                s += e <= delta ? 0.5 * e * e : delta * e - 0.5 * delta * delta;
            }
            return s / x.length;
        };
    }

    /** Runs the loss on float inputs: the output is act(x) in float (x itself for LINEAR). */
    static double run(Case c, float[] x, MemorySegment grad) {
        Loss loss = c.loss();
        MemorySegment logits = Mem.of(x);
        MemorySegment out = c.act() == LINEAR ? logits : Mem.zeros(x.length);
        Activations.forward(c.act(), Float.NaN, logits, out, R, C);
        return loss.compute(logits, out, Mem.of(c.y()), R, C, c.act(), grad);
    }

    /**
     * The analytic gradient (w.r.t. the logits when fused, else w.r.t. the output) against
     * <ol>
     *   <li>central differences of the double reference with h = 1e-6: truncation h²·|L'''|/6 ≈ 1e-12,
     *       rounding ≈ 1e-16·|L|/h ≈ 1e-10, both far below the float rounding of the stored
     *       gradient (6e-8 relative): tolerance 1e-5 relative + 1e-7·max|g|;</li>
     *   <li>central differences of the float code path — perturbing the float input by h = 1e-3,
     *       recomputing the float activation and the loss — with the actual step taken as the
     *       difference of the perturbed floats; the loss accumulates in double, so the error is
     *       mostly truncation, h²·|L'''|/6 ≈ 1e-7·|L'''|: tolerance 1e-3 relative + 1e-4·max|g|.</li>
     * </ol>
     * Sample points avoid the kinks of MAE (p = y) and hinge (t·p = 1) by ≥ 0.1, and the clamp of
     * the probability losses (p ∈ [0.05, 0.95]).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(Case c) {
        int n = R * C;
        MemorySegment grad = Mem.filled(n, Float.NaN);
        double value = run(c, c.x(), grad);
        float[] g = Mem.get(grad, n);
        double gmax = 0;
        for (float v : g) gmax = Math.max(gmax, Math.abs(v));
        assertTrue(gmax > 0, c + ": zero gradient");

        double[] xd = Mem.toDouble(c.x()), yd = Mem.toDouble(c.y());
        assertEquals(c.ref().loss(xd, yd), value, 1e-6 * Math.abs(value) + 1e-7, c + ": loss value");

        double h = 1e-6;
        for (int i = 0; i < n; i++) {
            double[] xp = xd.clone(), xm = xd.clone();
            xp[i] += h;
            xm[i] -= h;
            double fd = (c.ref().loss(xp, yd) - c.ref().loss(xm, yd)) / (2 * h);
            assertEquals(fd, g[i], 1e-5 * Math.abs(fd) + 1e-7 * gmax, c + ": double-reference FD, element " + i);
        }

        float hf = 1e-3f;
        for (int i = 0; i < n; i++) {
            float[] xp = c.x().clone(), xm = c.x().clone();
            xp[i] += hf;
            xm[i] -= hf;
            double fd = (run(c, xp, MemorySegment.NULL) - run(c, xm, MemorySegment.NULL)) / ((double) xp[i] - xm[i]);
            assertEquals(fd, g[i], 1e-3 * Math.abs(fd) + 1e-4 * gmax, c + ": float FD, element " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void noGradientWrittenForNullAndSameValue(Case c) {
        MemorySegment grad = Mem.zeros(R * C);
        assertEquals(run(c, c.x(), grad), run(c, c.x(), MemorySegment.NULL));
    }

    /** The fused loss equals the plain loss evaluated on the float activation output. */
    @Test
    void fusedValuesEqualPlainValuesOnTheOutput() {
        Random rnd = new Random(8);
        float[] z = Mem.uniform(rnd, R * C, -3, 3);
        float[] yb = Mem.uniform(rnd, R * C, 0, 1);
        float[] labels = {1, 0, 3};
        float[] oneHot = new float[R * C];
        for (int r = 0; r < R; r++) oneHot[r * C + (int) labels[r]] = 1;
        Object[][] combos = {
            {BINARY_CROSSENTROPY, SIGMOID, yb},
            {CATEGORICAL_CROSSENTROPY, SOFTMAX, oneHot},
            {SPARSE_CATEGORICAL_CROSSENTROPY, SOFTMAX, labels}
        };
        for (Object[] k : combos) {
            Loss loss = Loss.of((LossFunction) k[0]);
            ActivationType act = (ActivationType) k[1];
            assertTrue(loss.fusesWith(act));
            MemorySegment zs = Mem.of(z), out = Mem.zeros(R * C), y = Mem.of((float[]) k[2]);
            Activations.forward(act, Float.NaN, zs, out, R, C);
            double fused = loss.compute(zs, out, y, R, C, act, MemorySegment.NULL);
            double plain = loss.compute(out, out, y, R, C, LINEAR, MemorySegment.NULL);
            assertEquals(plain, fused, 1e-5 * plain, k[0] + " fused vs plain");
        }
    }

    @Test
    void stableForExtremeLogits() {
        float[] z = {1000f, -1000f, 100f, -100f, 0f, 30f};
        float[] y = {0f, 1f, 1f, 0f, 1f, 1f};
        for (LossFunction f : new LossFunction[] {BINARY_CROSSENTROPY, BINARY_CROSSENTROPY_FROM_LOGITS}) {
            ActivationType act = f == BINARY_CROSSENTROPY ? SIGMOID : LINEAR;
            MemorySegment zs = Mem.of(z), out = act == LINEAR ? zs : Mem.zeros(6), g = Mem.zeros(6);
            Activations.forward(act, Float.NaN, zs, out, 1, 6);
            double l = Loss.of(f).compute(zs, out, Mem.of(y), 1, 6, act, g);
            // per element: 1000, 1000, log1p(e^-100), log1p(e^-100), log 2, log1p(e^-30)
            double expect = (2000 + 2 * Math.log1p(Math.exp(-100)) + Math.log(2) + Math.log1p(Math.exp(-30))) / 6;
            assertEquals(expect, l, 1e-9 * expect, f.toString());
            float[] gr = Mem.get(g, 6);
            assertArrayEquals(
                    new float[] {1f / 6, -1f / 6, 0f, 0f, -0.5f / 6, (float) ((sigmoid(30) - 1) / 6)},
                    gr,
                    1e-7f,
                    f.toString());
        }
        // categorical, fused with softmax: wrong class at -1000 vs 1000
        float[] logits = {1000f, -1000f, 0f, -1000f, 1000f, 1000f};
        float[] oneHot = {0f, 1f, 0f, 1f, 0f, 0f};
        MemorySegment zs = Mem.of(logits), out = Mem.zeros(6), g = Mem.zeros(6);
        Activations.forward(SOFTMAX, Float.NaN, zs, out, 2, 3);
        double l = Loss.of(CATEGORICAL_CROSSENTROPY).compute(zs, out, Mem.of(oneHot), 2, 3, SOFTMAX, g);
        assertEquals((2000 + 2000 + Math.log(2)) / 2, l, 1e-9);
        assertArrayEquals(new float[] {0.5f, -0.5f, 0f, -0.5f, 0.25f, 0.25f}, Mem.get(g, 6), 1e-7f);
        // plain probabilities at exactly 0 and 1 are clamped to [1e-7, 1 − 1e-7]
        MemorySegment p = Mem.of(0f, 1f), t = Mem.of(1f, 0f), pg = Mem.zeros(2);
        double bce = Loss.of(BINARY_CROSSENTROPY).compute(p, p, t, 1, 2, LINEAR, pg);
        assertEquals(-Math.log(1e-7), bce, 1e-6);
        assertArrayEquals(new float[] {0f, 0f}, Mem.get(pg, 2), "no gradient through the clamp");
        double cce = Loss.of(CATEGORICAL_CROSSENTROPY).compute(p, p, t, 1, 2, LINEAR, pg);
        assertEquals(-Math.log(1e-7), cce, 1e-6);
    }

    @Test
    void sparseBadLabelThrowsWithPreciseMessage() {
        Loss loss = Loss.of(SPARSE_CATEGORICAL_CROSSENTROPY);
        assertEquals(1, loss.targetColumns(10));
        MemorySegment z = Mem.zeros(9), g = Mem.filled(9, 5f);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> loss.compute(z, z, Mem.of(0f, 3f, 1f), 3, 3, SOFTMAX, g));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
        assertTrue(e.getMessage().contains("is 3.0"), e.getMessage());
        assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
        assertEquals(5f, Mem.at(g, 0), "nothing written before the check");
        for (float bad : new float[] {-1f, 1.5f, Float.NaN, 1e9f}) {
            IllegalArgumentException e2 = assertThrows(
                    IllegalArgumentException.class,
                    () -> loss.compute(z, z, Mem.of(0f, 1f, bad), 3, 3, LINEAR, MemorySegment.NULL));
            assertTrue(e2.getMessage().contains("row 2") && e2.getMessage().contains("is " + bad), e2.getMessage());
        }
    }

    @Test
    void hingeLikeLossesHaveTheirKnownValues() {
        // categorical hinge: target 1 scores 0.5, the best other 0.8 → 1 + 0.8 − 0.5; second row beyond the margin → 0
        MemorySegment p = Mem.of(0.5f, 0.8f, 0.1f, 3f, 0.5f, 1f), y = Mem.of(1f, 0f, 0f, 1f, 0f, 0f);
        assertEquals(
                (1 + 0.8f - 0.5f) / 2.0,
                Loss.of(CATEGORICAL_HINGE).compute(p, p, y, 2, 3, LINEAR, MemorySegment.NULL),
                1e-7);
        // Huber, delta 1: errors 0.5 and 3 → 0.125 and 2.5
        MemorySegment hp = Mem.of(0.5f, 3f), hy = Mem.of(0f, 0f);
        assertEquals((0.125 + 2.5) / 2, Loss.of(HUBER).compute(hp, hp, hy, 1, 2, LINEAR, MemorySegment.NULL), 1e-12);
        assertEquals(
                (0.125 + 0.5 * 2.75) / 2, Loss.huber(0.5).compute(hp, hp, hy, 1, 2, LINEAR, MemorySegment.NULL), 1e-12);
        // log-cosh of a huge error does not overflow: log cosh 100 = 100 − log 2
        MemorySegment big = Mem.of(100f);
        assertEquals(
                100 - Math.log(2),
                Loss.of(LOG_COSH).compute(big, big, Mem.of(0f), 1, 1, LINEAR, MemorySegment.NULL),
                1e-9);
        // KL of identical distributions is 0
        MemorySegment q = Mem.of(0.25f, 0.75f);
        assertEquals(0.0, Loss.of(KL_DIVERGENCE).compute(q, q, q, 1, 2, LINEAR, MemorySegment.NULL), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.huber(0));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
    }

    @Test
    void crossEntropyFromLogitsNeedsALinearOutputOfTwoOrMoreUnits() {
        assertNull(CATEGORICAL_CROSSENTROPY_FROM_LOGITS.mismatch(LINEAR, 3, "out"));
        assertTrue(
                CATEGORICAL_CROSSENTROPY_FROM_LOGITS.mismatch(SOFTMAX, 3, "out").contains("raw logits"));
        assertTrue(
                CATEGORICAL_CROSSENTROPY_FROM_LOGITS.mismatch(LINEAR, 1, "out").contains("2 or more"));
    }

    @Test
    void unspecifiedThrows() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.of(UNSPECIFIED));
        assertTrue(e.getMessage().contains("pick one"), e.getMessage());
    }

    @Test
    void handComputedValuesAndMetadata() {
        MemorySegment p = Mem.of(1f, 2f, 3f, 4f), y = Mem.of(1f, 1f, 1f, 1f);
        assertEquals(3.5, Loss.of(MEAN_SQUARED_ERROR).compute(p, p, y, 2, 2, LINEAR, MemorySegment.NULL), 1e-12);
        assertEquals(1.5, Loss.of(MEAN_ABSOLUTE_ERROR).compute(p, p, y, 2, 2, LINEAR, MemorySegment.NULL), 1e-12);
        // hinge: targets 0/1 → −1/1; outputs 0.5, −2, 0.3, 2 with targets 1, 0, 0, 1 → 0.5, 0, 1.3, 0
        MemorySegment hp = Mem.of(0.5f, -2f, 0.3f, 2f), hy = Mem.of(1f, 0f, 0f, 1f);
        assertEquals(1.8 / 4, Loss.of(HINGE).compute(hp, hp, hy, 2, 2, LINEAR, MemorySegment.NULL), 1e-7);
        // cce on probabilities: −(log 0.7 + log 0.5)/2
        MemorySegment cp = Mem.of(0.7f, 0.3f, 0.5f, 0.5f), cy = Mem.of(1f, 0f, 0f, 1f);
        assertEquals(
                -(Math.log(0.7f) + Math.log(0.5)) / 2,
                Loss.of(CATEGORICAL_CROSSENTROPY).compute(cp, cp, cy, 2, 2, LINEAR, MemorySegment.NULL),
                1e-12);
        assertEquals(
                -(Math.log(0.7f) + Math.log(0.5)) / 2,
                Loss.of(SPARSE_CATEGORICAL_CROSSENTROPY)
                        .compute(cp, cp, Mem.of(0f, 1f), 2, 2, LINEAR, MemorySegment.NULL),
                1e-12);

        for (LossFunction f : LossFunction.values()) {
            if (f == UNSPECIFIED) continue;
            Loss l = Loss.of(f);
            assertEquals(f, l.function());
            assertEquals(f == SPARSE_CATEGORICAL_CROSSENTROPY ? 1 : 7, l.targetColumns(7));
            for (ActivationType a : ActivationType.values()) {
                boolean fuses = (f == BINARY_CROSSENTROPY && a == SIGMOID)
                        || ((f == CATEGORICAL_CROSSENTROPY || f == SPARSE_CATEGORICAL_CROSSENTROPY) && a == SOFTMAX);
                assertEquals(fuses, l.fusesWith(a), f + " with " + a);
            }
            assertEquals(
                    0.0,
                    l.compute(
                            MemorySegment.NULL,
                            MemorySegment.NULL,
                            MemorySegment.NULL,
                            0,
                            3,
                            LINEAR,
                            MemorySegment.NULL));
        }
    }
}
