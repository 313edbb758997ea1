package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.runtime.Mem;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.metric.Metric;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizer;
import io.nerva.runtime.optim.Optimizers;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernels allocate nothing on the heap per call: after JIT warm-up, {@value #CALLS} rounds
 * calling every kernel must allocate less than 16 bytes per round on this thread. A single small
 * object (≥ 16 bytes) allocated by any one kernel per call fails this; the budget still absorbs
 * JVM-internal noise such as a late deoptimisation.
 */
class AllocationFreeTest {
    private static final int ROWS = 8, COLS = 16, N = ROWS * COLS, CALLS = 5_000;

    @Test
    void kernelsDoNotAllocatePerCall() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        Random rnd = new Random(1);
        MemorySegment z = Mem.of(Mem.uniform(rnd, N, -2, 2)), a = Mem.zeros(N), g = Mem.of(Mem.uniform(rnd, N, -1, 1));
        MemorySegment d = Mem.zeros(N), params = Mem.of(Mem.uniform(rnd, 4 * N, -1, 1)), grads = Mem.zeros(4 * N);
        MemorySegment state = Mem.zeros(8 * N), y = Mem.of(Mem.uniform(rnd, N, 0, 1)), labels = Mem.zeros(ROWS);
        MemorySegment c = Mem.zeros(N);
        Rng rng = new Rng(3);
        Loss cce = Loss.of(LossFunction.CATEGORICAL_CROSSENTROPY),
                sparse = Loss.of(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY);
        Loss bce = Loss.of(LossFunction.BINARY_CROSSENTROPY);
        Optimizer adam = Optimizers.adamW(0.01, 0.01), sgd = Optimizers.sgd(0.01, 0.9, true);
        Metric acc = Metrics.accuracy(), top = Metrics.topK(3), mse = Metrics.mse();
        ActivationType[] types = ActivationType.values();

        Runnable work = () -> {
            for (ActivationType t : types) {
                DenseKernels.biasActivation(z, params, 5, a, ROWS, COLS, t, Float.NaN);
                if (t.differentiable()) Activations.backward(t, Float.NaN, z, a, g, d, ROWS, COLS);
                Activations.forward(t, 0.3f, g, d, ROWS, COLS);
            }
            DenseKernels.biasGradient(g, ROWS, COLS, grads, 7);
            DenseKernels.matmulJava(false, false, ROWS, COLS, COLS, g, 0, params, 0, c, 0, 0f);
            DenseKernels.matmulJava(true, true, COLS, ROWS, ROWS, g, 0, params, 0, c, 0, 1f);
            Dropout.forward(z, a, d, N, 0.5f, rng, true);
            Dropout.backward(g, d, a, N);
            cce.compute(z, a, y, ROWS, COLS, ActivationType.SOFTMAX, d);
            sparse.compute(z, a, labels, ROWS, COLS, ActivationType.LINEAR, d);
            bce.compute(z, a, y, ROWS, COLS, ActivationType.SIGMOID, d);
            adam.update(params, grads, state, N, 3, 0.01);
            sgd.update(params, grads, state, N, 3, 0.01);
            acc.update(a, labels, ROWS, COLS, 1);
            top.update(a, y, ROWS, COLS, COLS);
            mse.update(a, y, ROWS, COLS, COLS);
        };
        for (int i = 0; i < CALLS; i++) work.run(); // warm up (C2)
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < CALLS; i++) work.run();
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 16L * CALLS, "kernels allocated " + allocated + " bytes in " + CALLS + " rounds");
    }
}
