package io.nerva.runtime.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Maxout over {@code vectors} rows of {@code units·pieces} floats: output unit {@code u} of a row is the
 * largest of its pieces {@code in[u·k .. u·k + k)}. Backward finds the largest piece again from the input
 * (no index buffer), so the gradient goes to the first largest piece, as the forward pass chose it.
 */
public final class MaxoutKernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private MaxoutKernels() {}

    public static void forward(MemorySegment in, MemorySegment out, int vectors, int units, int pieces) {
        check(in, out, vectors, units, pieces);
        int width = units * pieces;
        for (int v = 0; v < vectors; v++) {
            long inBase = (long) v * width, outBase = (long) v * units;
            for (int u = 0; u < units; u++) {
                long p = inBase + (long) u * pieces;
                float max = in.getAtIndex(F, p);
                for (int k = 1; k < pieces; k++) max = Math.max(max, in.getAtIndex(F, p + k));
                out.setAtIndex(F, outBase + u, max);
            }
        }
    }

    /** {@code inGrad} (vectors × units·pieces) gets {@code outGrad} at each unit's largest piece, 0 elsewhere. */
    public static void backward(
            MemorySegment in, MemorySegment outGrad, MemorySegment inGrad, int vectors, int units, int pieces) {
        check(in, outGrad, vectors, units, pieces);
        PReluKernels.requireFloats(inGrad, (long) vectors * units * pieces, "input gradient");
        int width = units * pieces;
        for (int v = 0; v < vectors; v++) {
            long inBase = (long) v * width, outBase = (long) v * units;
            for (int u = 0; u < units; u++) {
                long p = inBase + (long) u * pieces;
                int best = 0;
                float max = in.getAtIndex(F, p);
                for (int k = 1; k < pieces; k++) {
                    float x = in.getAtIndex(F, p + k);
                    if (x > max) { // strictly: the first largest wins, as Math.max's order in forward
                        max = x;
                        best = k;
                    }
                }
                float dy = outGrad.getAtIndex(F, outBase + u);
                for (int k = 0; k < pieces; k++) inGrad.setAtIndex(F, p + k, k == best ? dy : 0f);
            }
        }
    }

    private static void check(MemorySegment in, MemorySegment out, int vectors, int units, int pieces) {
        if (vectors < 0 || units < 1 || pieces < 1) {
            throw new IllegalArgumentException(
                    "expected vectors >= 0, units >= 1, pieces >= 1, got " + vectors + ", " + units + ", " + pieces);
        }
        PReluKernels.requireFloats(in, (long) vectors * units * pieces, "input");
        PReluKernels.requireFloats(out, (long) vectors * units, "output");
    }
}
