package io.nerva.bench;

/** Parses {@code "MxNxK"} benchmark parameters. */
record Shapes(int m, int n, int k) {
    static Shapes parse(String s) {
        String[] p = s.split("x");
        if (p.length != 3) throw new IllegalArgumentException("shape must be MxNxK, got '" + s + "'");
        return new Shapes(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    }

    /** Floating-point operations of one product: a multiply and an add per (i, j, p). */
    double flops() {
        return 2.0 * m * n * k;
    }
}
