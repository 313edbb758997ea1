package io.nerva.blas;

/** Naive double-precision BLAS on float arrays: the oracle for every backend. */
final class Reference {
    private Reference() {}

    static double a(float[] a, int off, int ld, boolean trans, int i, int p) {
        return trans ? a[off + p * ld + i] : a[off + i * ld + p];
    }

    /** C = alpha·op(A)·op(B) + beta·C; beta == 0 ignores C. Returns m×n dense, and |terms| in mag. */
    static double[] sgemm(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc,
            double[] mag) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double t = a(a, aOff, lda, ta, i, p) * (tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
                    s += t;
                    abs += Math.abs(t);
                }
                double old = beta == 0 ? 0 : (double) beta * c[cOff + i * ldc + j];
                out[i * n + j] = alpha * s + old;
                mag[i * n + j] = Math.abs(alpha) * abs + Math.abs(old);
            }
        }
        return out;
    }

    /** Tolerance for a float result whose terms sum to {@code mag} in absolute value over k products. */
    static double tolerance(double mag, int k) {
        return 2e-6 * (k + 2) * mag + 1e-6;
    }
}
