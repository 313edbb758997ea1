package io.nerva.runtime.kernels;

import io.nerva.annotations.ActivationType;
import io.nerva.blas.Blas;
import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

/**
 * Times LSTM(128) forward + backward on Fashion-MNIST rows (T = 28, F = 28, batch 64), and the
 * same sequence of sgemm calls alone, in ms per batch (a Fashion epoch is 938 batches). Not a
 * test: run under the bench lock, e.g.
 * <pre>
 * flock /tmp/bench.lock java --enable-native-access=ALL-UNNAMED -cp ... io.nerva.runtime.kernels.LstmKernelsBench [threads]
 * </pre>
 */
public final class LstmKernelsBench {
    static final int T = 28, F = 28, U = 128, ROWS = 64, G = 4 * U;

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : ROWS;
        Blas blas = Blas.get();
        blas.setThreads(threads);
        System.out.println(blas.name() + ", threads " + blas.threads() + ", rows " + rows);
        LstmKernels.Spec sp =
                new LstmKernels.Spec(T, F, U, true, false, false, ActivationType.TANH, ActivationType.SIGMOID);
        Random r = new Random(1);
        long kOff = 0, rOff = (long) F * G, bOff = rOff + (long) U * G, wSize = bOff + G;
        MemorySegment x = Mem.of(Mem.uniform(r, rows * T * F, 0, 1));
        MemorySegment w = Mem.of(Mem.uniform(r, (int) wSize, -0.1, 0.1)), g = Mem.zeros(wSize);
        MemorySegment state = Mem.zeros(rows * sp.statePerRow()), scratch = Mem.zeros(rows * sp.scratchPerRow());
        MemorySegment out = Mem.zeros(rows * sp.outputPerRow()), og = Mem.of(Mem.uniform(r, rows * U, -1, 1));
        MemorySegment dx = Mem.zeros(rows * T * F);

        int reps = rows == 1 ? 2000 : 100;
        for (int round = 0; round < 5; round++) {
            double[] fwd = new double[reps], both = new double[reps], gemm = new double[reps], fgemm = new double[reps];
            double[] cFwd = new double[reps],
                    cBoth = new double[reps],
                    cGemm = new double[reps],
                    cFgemm = new double[reps];
            for (int i = 0; i < reps; i++) {
                long c0 = cpu(), t0 = System.nanoTime();
                sp.forward(x, w, kOff, rOff, bOff, state, out, rows);
                long c1 = cpu(), t1 = System.nanoTime();
                sp.backward(x, w, kOff, rOff, bOff, state, scratch, og, g, dx, rows);
                long c2 = cpu(), t2 = System.nanoTime();
                gemmsOnly(rows, w, state, scratch, g, kOff, rOff, true);
                long c3 = cpu(), t3 = System.nanoTime();
                gemmsOnly(rows, w, state, scratch, g, kOff, rOff, false);
                fgemm[i] = (System.nanoTime() - t3) / 1e6;
                cFgemm[i] = (cpu() - c3) / 1e6;
                cFwd[i] = (c1 - c0) / 1e6;
                cBoth[i] = (c2 - c0) / 1e6;
                cGemm[i] = (c3 - c2) / 1e6;
                fwd[i] = (t1 - t0) / 1e6;
                both[i] = (t2 - t0) / 1e6;
                gemm[i] = (t3 - t2) / 1e6;
            }
            System.out.printf(
                    "round %d: forward %.3f ms, forward+backward %.3f ms (%.1f s/epoch of 938); "
                            + "its sgemm calls alone: forward %.3f ms, forward+backward %.3f ms (medians)%n",
                    round, med(fwd), med(both), med(both) * 938 / 1000, med(fgemm), med(gemm));
            if (threads == 1) {
                System.out.printf(
                        "         thread CPU time: forward %.3f ms, forward+backward %.3f ms; sgemm alone: forward %.3f ms, "
                                + "forward+backward %.3f ms%n",
                        med(cFwd), med(cBoth), med(cFgemm), med(cGemm));
            }
        }
    }

    /** The sgemm calls forward + backward make, on the same buffers (results meaningless). */
    static void gemmsOnly(
            int rows,
            MemorySegment w,
            MemorySegment st,
            MemorySegment sc,
            MemorySegment g,
            long kOff,
            long rOff,
            boolean withBackward) {
        long R = rows, oZ = T * R * F, oH = oZ + T * R * G * 2 + 2 * T * R * U;
        DenseKernels.matmul(false, false, T * rows, G, F, st, 0, w, kOff, st, oZ, 0f);
        for (int s = 1; s < T; s++)
            DenseKernels.matmul(false, false, rows, G, U, st, oH + s * R * U, w, rOff, st, oZ + s * R * G, 1f);
        if (!withBackward) return;
        long oDH = T * R * G;
        for (int s = T - 1; s > 0; s--)
            DenseKernels.matmul(false, true, rows, U, G, sc, s * R * G, w, rOff, sc, oDH, 0f);
        DenseKernels.matmul(true, false, F, G, T * rows, st, 0, sc, 0, g, kOff, 0f);
        DenseKernels.matmul(true, false, U, G, (T - 1) * rows, st, oH + R * U, sc, R * G, g, rOff, 0f);
        DenseKernels.matmul(false, true, T * rows, F, G, sc, 0, w, kOff, sc, oDH + 2 * R * U, 0f);
    }

    private static final java.lang.management.ThreadMXBean MX =
            java.lang.management.ManagementFactory.getThreadMXBean();

    static long cpu() {
        return MX.getCurrentThreadCpuTime();
    }

    static double med(double[] a) {
        double[] b = a.clone();
        Arrays.sort(b);
        return b[b.length / 2];
    }
}
