package io.nerva.runtime.train;

import io.nerva.blas.Parallel;
import io.nerva.runtime.core.Finite;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import io.nerva.runtime.optim.Optimizer;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.optim.TensorRows;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One optimizer step over the trained runs of a parameter buffer (everything but frozen layers and
 * BatchNorm's moving averages), shared by fit's loop and {@link GradientStep} so the two train alike.
 * Slices of values, gradients and optimizer state are made once, so a step allocates nothing; run
 * {@code [a, b)} keeps its state at {@code [slots·a, slots·b)}, and one run over everything is the whole buffer.
 */
final class ParameterUpdate {
    private final Parameters params;
    private final Optimizer optimizer;
    private final String modelName;
    /** A copy of the weights before each update, only for optimizers that do not guard their own update. */
    private final MemorySegment backup;

    private final long[] ranges;
    private final MemorySegment[] valueRuns, gradRuns, stateRuns;
    /** Each run's tensors, by which a built-in optimizer splits its work over threads; null where they do not tile the run. */
    private final TensorRows[] runTensors;

    private final int trainableVersion;
    /** Every tensor of the buffer, or null when the specs do not tile it: how the gradient check splits. */
    private final TensorRows allTensors;

    private final GradientCheck gradientCheck = new GradientCheck();

    /** Gradient buffers of fewer floats are checked on the calling thread. */
    private static final long MIN_PARALLEL_CHECK = 1L << 15;

    /** Names a step for an error message; called only when one is thrown, so a step builds no string. */
    interface StepName {
        String where(int epoch, long step);
    }

    /** {@code backup}: {@code params.count()} floats, or NULL for a {@link Optimizers.Guarded} optimizer. */
    ParameterUpdate(
            Parameters params, Optimizer optimizer, MemorySegment state, MemorySegment backup, String modelName) {
        this.params = params;
        this.optimizer = optimizer;
        this.modelName = modelName;
        this.backup = backup;
        this.trainableVersion = params.trainableVersion();
        this.allTensors = tensorsOf(params, 0, params.count());
        this.ranges = params.trainedRanges();
        int runs = ranges.length / 2, slots = optimizer.stateSlots();
        this.valueRuns = new MemorySegment[runs];
        this.gradRuns = new MemorySegment[runs];
        this.stateRuns = new MemorySegment[runs];
        this.runTensors = new TensorRows[runs];
        for (int r = 0; r < runs; r++) {
            long a = ranges[2 * r], n = ranges[2 * r + 1] - a;
            runTensors[r] = tensorsOf(params, a, n);
            boolean whole = a == 0 && n == params.count();
            valueRuns[r] = whole ? params.values() : params.values().asSlice(a * Float.BYTES, n * Float.BYTES);
            gradRuns[r] = whole ? params.grads() : params.grads().asSlice(a * Float.BYTES, n * Float.BYTES);
            stateRuns[r] =
                    whole || slots == 0 ? state : state.asSlice(slots * a * Float.BYTES, slots * n * Float.BYTES);
        }
    }

    /**
     * The index of the first non-finite gradient, or -1. Large buffers are scanned on
     * {@link Parallel}'s threads by the tensors' rows, so each core reads the gradient rows its
     * products wrote (on one core the scan read the other core's half of the weight gradient
     * through the caches, 40 µs of a 250 µs MLP step).
     */
    long firstNonFiniteGradient() {
        MemorySegment grads = params.grads();
        long count = params.count();
        int parts = allTensors != null && count >= MIN_PARALLEL_CHECK && Parallel.available() && Parallel.shared(grads)
                ? Parallel.threads()
                : 1;
        if (parts == 1) return Finite.firstNonFinite(grads, 0, count);
        if (gradientCheck.firstBad.length < parts) gradientCheck.firstBad = new long[parts];
        Parallel.run(gradientCheck, parts);
        long first = -1;
        for (int p = 0; p < parts; p++) {
            long bad = gradientCheck.firstBad[p];
            if (bad >= 0 && (first < 0 || bad < first)) first = bad;
        }
        return first;
    }

    /** One part of {@link #firstNonFiniteGradient}: its rows of every tensor. */
    private final class GradientCheck implements Parallel.Task {
        long[] firstBad = new long[2];

        @Override
        public void run(int part, int parts) {
            MemorySegment grads = params.grads();
            long first = -1;
            for (int t = 0; t < allTensors.tensors() && first < 0; t++) {
                long from = allTensors.start(t, part, parts), to = allTensors.start(t, part + 1, parts);
                long bad = Finite.firstNonFinite(grads, from, to - from);
                if (bad >= 0) first = from + bad;
            }
            firstBad[part] = first;
        }
    }

    /** The tensors that tile {@code [start, start + count)} in offset order, or null when they do not. */
    static TensorRows tensorsOf(Parameters params, long start, long count) {
        List<ParamSpec> inRun = new ArrayList<>();
        for (ParamSpec spec : params.specs()) {
            if (spec.offset() >= start && spec.offset() < start + count) inRun.add(spec);
        }
        inRun.sort(Comparator.comparingLong(ParamSpec::offset));
        int[][] shapes = new int[inRun.size()][];
        long at = start;
        for (int i = 0; i < shapes.length; i++) {
            ParamSpec spec = inRun.get(i);
            if (spec.offset() != at || spec.shape().length == 0) return null;
            shapes[i] = spec.shape();
            at += TensorRows.of(spec.shape()).count();
        }
        return at == start + count ? TensorRows.of(shapes) : null;
    }

    /** Allocates the backup {@link #ParameterUpdate} needs for {@code optimizer} from {@code arena}. */
    static MemorySegment backupFor(Optimizer optimizer, Parameters params, java.lang.foreign.Arena arena) {
        return optimizer instanceof Optimizers.Guarded
                ? MemorySegment.NULL
                : arena.allocate(Math.max(1L, params.count()) * Float.BYTES, 64);
    }

    /**
     * Updates the weights from the gradients in the parameters' gradient buffer at rate {@code lr},
     * as step {@code step}; the caller holds the parameters' write gate. A non-finite result throws
     * with the weights of the last finite step ({@link Divergence}); {@code name} names the step then.
     */
    void apply(long step, double lr, int epoch, StepName name) {
        if (params.trainableVersion() != trainableVersion) {
            throw new IllegalStateException("a layer of " + modelName + " was frozen or unfrozen while it trained ("
                    + name.where(epoch, step) + "); Layer.setTrainable takes effect at the next fit");
        }
        if (optimizer instanceof Optimizers.Guarded guarded) {
            long firstBad = -1;
            for (int r = 0; r < valueRuns.length; r++) {
                long n = ranges[2 * r + 1] - ranges[2 * r];
                long bad = guarded.updateGuarded(valueRuns[r], gradRuns[r], stateRuns[r], n, step, lr, runTensors[r]);
                if (bad >= 0 && firstBad < 0) firstBad = ranges[2 * r] + bad;
            }
            if (firstBad >= 0) throw Divergence.update(params, firstBad, name.where(epoch, step), epoch, step, lr);
        } else {
            MemorySegment values = params.values();
            MemorySegment.copy(values, 0, backup, 0, params.count() * Float.BYTES);
            for (int r = 0; r < valueRuns.length; r++) {
                optimizer.update(valueRuns[r], gradRuns[r], stateRuns[r], ranges[2 * r + 1] - ranges[2 * r], step, lr);
            }
            long bad = Finite.firstNonFinite(values, 0, params.count());
            if (bad >= 0) {
                MemorySegment.copy(backup, 0, values, 0, params.count() * Float.BYTES);
                throw Divergence.restored(params, bad, name.where(epoch, step), epoch, step, lr);
            }
        }
    }
}
