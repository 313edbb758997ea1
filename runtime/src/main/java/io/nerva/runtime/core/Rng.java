package io.nerva.runtime.core;

/**
 * A small, fast, reproducible random source (SplitMix64). Its whole state is one long, so a
 * checkpoint can save and restore it exactly.
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }

    /** SplitMix64's increment: the state after n draws is the state before plus {@code n·GAMMA}. */
    public static final long GAMMA = 0x9E3779B97F4A7C15L;

    public long nextLong() {
        return mix(state += GAMMA);
    }

    /**
     * SplitMix64's output for a state: the i-th draw after state s is {@code mix(s + i·GAMMA)}, so a
     * long run of draws can be taken in any order, or split over threads, with the same values.
     */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        return (int) (((nextLong() >>> 33) * bound) >>> 31);
    }

    /** Standard normal (Box–Muller, one value per call). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Fisher–Yates shuffle of the first n entries. */
    public void shuffle(int[] a, int n) {
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
