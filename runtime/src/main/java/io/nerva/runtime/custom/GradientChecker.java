package io.nerva.runtime.custom;

import io.nerva.annotations.CustomShape;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.loss.Loss;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Finite-difference checks users run on their own pieces, e.g. in a unit test:
 * {@code GradientChecker.check(new MyLayer(), new int[] {8}, 4).assertPasses()}.
 *
 * <p>A layer is checked on random inputs and parameters (uniform in [−1, 1], fixed seed) through the scalar
 * {@code L = Σ r ⊙ forward(x; θ)} for a fixed random {@code r}: backward, given {@code dL/dout = r}, must
 * produce {@code dL/dθ} and {@code dL/dx} equal to central differences {@code (L(θ + h) − L(θ − h)) / 2h}
 * of the float forward pass (accumulated in double), within {@code 1e-3 + 1e-2·|numeric|} at {@code h = 1e-2};
 * a function with kinks (ReLU-like) should be checked where no input lies within h of a kink, or with a smaller h.
 * An activation's derivative and a loss's gradient are checked the same way.
 */
public final class GradientChecker {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** The default step. */
    public static final double H = 1e-2;

    private GradientChecker() {}

    /**
     * The outcome: how many derivatives were compared, and the worst one (its place, the analytic and the
     * numeric value, and by how much it exceeds the bound; ≤ 0 when every derivative is within it).
     */
    public record Report(String subject, int checked, String worst, double analytic, double numeric, double excess) {
        public boolean passed() {
            return excess <= 0;
        }

        /** Throws an {@link AssertionError} describing the worst derivative when the check failed. */
        public Report assertPasses() {
            if (!passed()) throw new AssertionError(this.toString());
            return this;
        }

        @Override
        public String toString() {
            return subject + ": "
                    + (passed()
                            ? "passed, " + checked + " derivatives within the bound"
                            : "FAILED: " + worst
                                    + " is " + analytic + " analytically but " + numeric
                                    + " by central differences (beyond the bound by "
                                    + excess + "; " + checked + " derivatives checked)");
        }
    }

    /** The spec {@code @Custom(units = units)} on an input of {@code inputShape} gives {@code type}, from its {@link CustomShape}. */
    public static CustomSpec spec(Class<?> type, String layer, int[] inputShape, int units) {
        CustomShape shape = type.getAnnotation(CustomShape.class);
        CustomShape.Rule rule = shape == null ? CustomShape.Rule.SAME : shape.output();
        if (rule.usesUnits() && units < 1) {
            throw new IllegalArgumentException(
                    type.getSimpleName() + "'s shape rule " + rule + " needs units >= 1, got " + units);
        }
        int[] out = rule.output(inputShape, units);
        CustomShape.Param[] params = shape == null ? new CustomShape.Param[0] : shape.params();
        String[] names = new String[params.length];
        long[] offsets = new long[params.length];
        int[][] shapes = new int[params.length][];
        long offset = 0;
        for (int p = 0; p < params.length; p++) {
            names[p] = params[p].name();
            shapes[p] = new int[params[p].shape().length];
            for (int d = 0; d < shapes[p].length; d++)
                shapes[p][d] = Math.toIntExact(params[p].shape()[d].size(inputShape, out, units));
            offsets[p] = offset;
            offset += CustomSpec.product(shapes[p]);
        }
        return new CustomSpec(layer, inputShape.clone(), out, units, names, offsets, shapes);
    }

    /** Checks {@code layer} for 3 samples of {@code inputShape}, with step {@link #H}. */
    public static Report check(CustomLayer layer, int[] inputShape, int units) {
        return check(layer, inputShape, units, 3, H, 42);
    }

    /** Checks {@code layer} for {@code rows} samples of {@code inputShape} with step {@code h}, random values from {@code seed}. */
    public static Report check(CustomLayer layer, int[] inputShape, int units, int rows, double h, long seed) {
        CustomSpec spec = spec(layer.getClass(), layer.getClass().getSimpleName(), inputShape, units);
        int inSize = spec.inputSize(), outSize = spec.outputSize();
        long paramCount = 0;
        for (int p = 0; p < spec.paramOffsets().length; p++) paramCount += spec.paramSize(p);
        Rng rng = new Rng(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = random(arena, (long) rows * inSize, rng), w = random(arena, paramCount, rng);
            MemorySegment r = random(arena, (long) rows * outSize, rng);
            MemorySegment out = floats(arena, (long) rows * outSize), dx = floats(arena, (long) rows * inSize);
            MemorySegment g = floats(arena, paramCount);
            CustomLayers.forward(layer, spec, x, out, w, rows);
            CustomLayers.backward(layer, spec, x, out, r, dx, w, g, rows);
            Worst worst = new Worst(layer.getClass().getSimpleName());
            for (int p = 0; p < spec.paramOffsets().length; p++) {
                for (long i = 0; i < spec.paramSize(p); i++) {
                    long at = spec.paramOffsets()[p] + i;
                    double numeric = central(w, at, h, () -> weighted(layer, spec, x, out, w, r, rows));
                    worst.compare(spec.paramNames()[p] + "[" + i + "]", g.getAtIndex(F, at), numeric);
                }
            }
            for (long i = 0; i < (long) rows * inSize; i++) {
                double numeric = central(x, i, h, () -> weighted(layer, spec, x, out, w, r, rows));
                worst.compare("input[row " + i / inSize + ", " + i % inSize + "]", dx.getAtIndex(F, i), numeric);
            }
            return worst.report();
        }
    }

    /** Checks {@code f.derivative} against central differences of {@code f.apply} at {@code points} evenly spaced x in [from, to]. */
    public static Report checkActivation(ActivationFunction f, double from, double to, int points) {
        Worst worst = new Worst(f.getClass().getSimpleName());
        for (int k = 0; k < points; k++) {
            float x = (float) (points == 1 ? from : from + (to - from) * k / (points - 1));
            double numeric = ((double) f.apply((float) (x + H)) - f.apply((float) (x - H)))
                    / ((double) (float) (x + H) - (float) (x - H));
            worst.compare("f'(" + x + ")", f.derivative(x, f.apply(x)), numeric);
        }
        return worst.report();
    }

    /**
     * Checks the gradient {@code loss} writes against central differences of its value, for outputs
     * {@code output} ({@code rows × cols}, a LINEAR output: logits = output) and {@code targets}.
     */
    public static Report checkLoss(Loss loss, float[] output, float[] targets, int rows, int cols) {
        if (output.length != rows * cols) {
            throw new IllegalArgumentException("expected " + rows + " x " + cols + " outputs, got " + output.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(F, output), y = arena.allocateFrom(F, targets);
            MemorySegment grad = floats(arena, output.length);
            loss.compute(p, p, y, rows, cols, io.nerva.annotations.ActivationType.LINEAR, grad);
            Worst worst = new Worst(loss.toString());
            for (int i = 0; i < output.length; i++) {
                double numeric = central(
                        p,
                        i,
                        H,
                        () -> loss.compute(
                                p, p, y, rows, cols, io.nerva.annotations.ActivationType.LINEAR, MemorySegment.NULL));
                worst.compare("dLoss/doutput[" + i + "]", grad.getAtIndex(F, i), numeric);
            }
            return worst.report();
        }
    }

    private static final class Worst {
        private final String subject;
        private int checked;
        private String where = "nothing";
        private double analytic, numeric, excess = Double.NEGATIVE_INFINITY;

        Worst(String subject) {
            this.subject = subject;
        }

        void compare(String at, double a, double n) {
            checked++;
            double e = !Double.isFinite(a) || !Double.isFinite(n)
                    ? Double.POSITIVE_INFINITY
                    : Math.abs(a - n) - (1e-3 + 1e-2 * Math.abs(n));
            if (e > excess) {
                excess = e;
                where = at;
                analytic = a;
                numeric = n;
            }
        }

        Report report() {
            return new Report(subject, checked, where, analytic, numeric, checked == 0 ? 0 : excess);
        }
    }

    /** The central difference of {@code f} in element {@code i} of {@code s}, with the float steps actually taken. */
    private static double central(MemorySegment s, long i, double h, java.util.function.DoubleSupplier f) {
        float saved = s.getAtIndex(F, i);
        float up = (float) (saved + h), down = (float) (saved - h);
        s.setAtIndex(F, i, up);
        double plus = f.getAsDouble();
        s.setAtIndex(F, i, down);
        double minus = f.getAsDouble();
        s.setAtIndex(F, i, saved);
        return (plus - minus) / ((double) up - down);
    }

    private static double weighted(
            CustomLayer layer,
            CustomSpec spec,
            MemorySegment x,
            MemorySegment out,
            MemorySegment w,
            MemorySegment r,
            int rows) {
        CustomLayers.forward(layer, spec, x, out, w, rows);
        double l = 0;
        for (long i = 0; i < (long) rows * spec.outputSize(); i++)
            l += (double) out.getAtIndex(F, i) * r.getAtIndex(F, i);
        return l;
    }

    private static MemorySegment floats(Arena arena, long n) {
        return arena.allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    private static MemorySegment random(Arena arena, long n, Rng rng) {
        MemorySegment s = floats(arena, n);
        for (long i = 0; i < n; i++) s.setAtIndex(F, i, (float) (rng.nextDouble() * 2 - 1));
        return s;
    }
}
