package io.nerva.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Test helpers for off-heap float buffers. */
public final class Mem {
    private Mem() {}

    public static MemorySegment zeros(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    public static MemorySegment of(float... v) {
        MemorySegment s = zeros(v.length);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT, 0, v.length);
        return s;
    }

    public static MemorySegment filled(long n, float v) {
        MemorySegment s = zeros(n);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
        return s;
    }

    public static float[] get(MemorySegment s, int n) {
        return s.asSlice(0, (long) n * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
    }

    public static float at(MemorySegment s, long i) {
        return s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }

    public static void set(MemorySegment s, long i, float v) {
        s.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
    }

    public static float[] uniform(Random r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    /** Values with |v| in [lo, hi] and a random sign (keeps samples away from kinks at 0). */
    public static float[] awayFromZero(Random r, int n, double lo, double hi) {
        float[] a = uniform(r, n, lo, hi);
        for (int i = 0; i < n; i++) if (r.nextBoolean()) a[i] = -a[i];
        return a;
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
