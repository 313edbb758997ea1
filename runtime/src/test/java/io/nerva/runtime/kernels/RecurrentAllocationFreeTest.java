package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.nerva.annotations.ActivationType;
import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The recurrent and embedding kernels allocate nothing on the heap per call (the training step
 * must not): after warm-up, rounds of forward + backward of every kind stay under 16 bytes per round.
 */
class RecurrentAllocationFreeTest {
    private static final int CALLS = 3_000, T = 6, F = 4, U = 8, ROWS = 5;

    @Test
    void forwardAndBackwardDoNotAllocate() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        Random rnd = new Random(1);
        var lstm = new LstmKernels.Spec(T, F, U, true, true, true, ActivationType.TANH, ActivationType.SIGMOID);
        var lstmRelu =
                new LstmKernels.Spec(T, F, U, false, false, false, ActivationType.RELU, ActivationType.HARD_SIGMOID);
        var gruA = new GruKernels.Spec(T, F, U, true, false, false, true, ActivationType.TANH, ActivationType.SIGMOID);
        var gruNoBias =
                new GruKernels.Spec(T, F, U, false, true, false, true, ActivationType.TANH, ActivationType.SIGMOID);
        var gruB = new GruKernels.Spec(T, F, U, true, true, true, false, ActivationType.TANH, ActivationType.SIGMOID);
        var rnn = new SimpleRnnKernels.Spec(T, F, U, true, true, false, ActivationType.TANH);
        var rnnRelu = new SimpleRnnKernels.Spec(T, F, U, false, false, true, ActivationType.RELU);
        var emb = new EmbeddingKernels.Spec(T, 10, F);
        int wSize = F * 4 * U + U * 4 * U + 6 * U;
        MemorySegment x = Mem.of(Mem.uniform(rnd, ROWS * T * F, -1, 1)), w = Mem.of(Mem.uniform(rnd, wSize, -0.3, 0.3));
        MemorySegment g = Mem.zeros(wSize),
                state = Mem.zeros(ROWS * Math.max(lstm.statePerRow(), gruA.statePerRow())),
                scratch = Mem.zeros(ROWS * Math.max(lstm.scratchPerRow(), gruA.scratchPerRow()));
        MemorySegment out = Mem.zeros(ROWS * T * U),
                og = Mem.of(Mem.uniform(rnd, ROWS * T * U, -1, 1)),
                dx = Mem.zeros(ROWS * T * F);
        MemorySegment ids = Mem.zeros(ROWS * T);
        for (int i = 0; i < ROWS * T; i++) Mem.set(ids, i, i % 10);
        long k = 0, r = F * 4 * U, b = r + U * 4 * U;
        long k3 = 0, r3 = F * 3 * U, b3 = r3 + U * 3 * U;
        Runnable work = () -> {
            lstm.forward(x, w, k, r, b, state, out, ROWS);
            lstm.backward(x, w, k, r, b, state, scratch, og, g, dx, ROWS);
            lstmRelu.forward(x, w, k, r, -1, state, out, ROWS);
            lstmRelu.backward(x, w, k, r, -1, state, scratch, og, g, MemorySegment.NULL, ROWS);
            gruA.forward(x, w, k3, r3, b3, state, out, ROWS);
            gruA.backward(x, w, k3, r3, b3, state, scratch, og, g, dx, ROWS);
            gruNoBias.forward(x, w, k3, r3, -1, state, out, ROWS);
            gruNoBias.backward(x, w, k3, r3, -1, state, scratch, og, g, MemorySegment.NULL, ROWS);
            gruB.forward(x, w, k3, r3, b3, state, out, ROWS);
            gruB.backward(x, w, k3, r3, b3, state, scratch, og, g, dx, ROWS);
            rnn.forward(x, w, 0, F * U, F * U + U * U, state, out, ROWS);
            rnn.backward(x, w, 0, F * U, F * U + U * U, state, scratch, og, g, dx, ROWS);
            rnnRelu.forward(x, w, 0, F * U, -1, state, out, ROWS);
            rnnRelu.backward(x, w, 0, F * U, -1, state, scratch, og, g, dx, ROWS);
            emb.forward(ids, w, 0, out, ROWS);
            emb.backward(ids, og, g, 0, ROWS);
        };
        for (int i = 0; i < CALLS; i++) work.run();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < CALLS; i++) work.run();
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(
                allocated < 16L * CALLS, "recurrent kernels allocated " + allocated + " bytes in " + CALLS + " rounds");

        // the same with the rows split over two threads (reused tasks, no per-call objects)
        SequenceKernels.forcedParts = 2;
        try {
            for (int i = 0; i < CALLS; i++) work.run();
            before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < CALLS; i++) work.run();
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        } finally {
            SequenceKernels.forcedParts = 0;
        }
        assertTrue(
                allocated < 16L * CALLS,
                "recurrent kernels on row parts allocated " + allocated + " bytes in " + CALLS + " rounds");
    }
}
