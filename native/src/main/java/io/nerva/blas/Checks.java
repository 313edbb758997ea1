package io.nerva.blas;

import java.lang.foreign.MemorySegment;

/**
 * Argument validation shared by every backend, so that a bad call fails the same way (and with
 * the same message) whichever backend is active, and never reaches native code. Everything is
 * O(1): a few multiplications and comparisons per operand.
 */
final class Checks {
    private Checks() {}

    static void dimension(String name, long value) {
        if (value < 0) throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }

    /**
     * Checks that a row-major {@code rows×cols} matrix with leading dimension {@code ld}, starting
     * {@code offset} floats into an operand of {@code availableBytes}, fits.
     *
     * @param operand {@code "A"}, {@code "B"} or {@code "C"}
     * @param stored  how the matrix is stored in terms of m, n, k, e.g. {@code "k×m, transposed"}
     */
    static void matrix(
            String operand,
            String stored,
            String ldName,
            int rows,
            int cols,
            int ld,
            long offset,
            long availableBytes,
            String container) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(ldName + " must be >= max(1, " + cols + "), the row length of " + operand
                    + " (" + stored + " = " + rows + "×" + cols + " row-major), got " + ld);
        }
        long floats = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        if (!fits(floats, offset, availableBytes)) { // messages are built only on failure: no allocation per call
            throw outOfBounds(
                    operand,
                    stored + " = " + rows + "×" + cols + " row-major, " + ldName + "=" + ld,
                    floats,
                    offset,
                    availableBytes,
                    container);
        }
    }

    /** Checks that {@code n} contiguous floats from {@code offset} fit. */
    static void vector(String operand, String length, long n, long offset, long availableBytes, String container) {
        if (!fits(n, offset, availableBytes)) {
            throw outOfBounds(operand, length + " = " + n + " floats", n, offset, availableBytes, container);
        }
    }

    private static boolean fits(long floats, long offset, long availableBytes) {
        return offset >= 0 && (floats == 0 || (offset + floats) * Float.BYTES <= availableBytes);
    }

    private static IndexOutOfBoundsException outOfBounds(
            String operand, String shape, long floats, long offset, long availableBytes, String container) {
        if (offset < 0) return new IndexOutOfBoundsException(operand + " offset must be >= 0, got " + offset);
        return new IndexOutOfBoundsException(
                operand + " (" + shape + ", offset " + offset + ") needs " + (offset + floats) * Float.BYTES
                        + " bytes but its " + container + " has " + availableBytes + " bytes");
    }

    static void writable(String operand, MemorySegment s) {
        if (s.isReadOnly()) throw new IllegalArgumentException(operand + " is written but its segment is read-only");
    }

    /** sgemm: A is m×k (k×m when transposed), B is k×n (n×k), C is m×n. */
    static void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            int lda,
            long aOff,
            long aBytes,
            int ldb,
            long bOff,
            long bBytes,
            int ldc,
            long cOff,
            long cBytes,
            String container) {
        dimension("m", m);
        dimension("n", n);
        dimension("k", k);
        matrix(
                "A",
                transA ? "k×m, transposed" : "m×k",
                "lda",
                transA ? k : m,
                transA ? m : k,
                lda,
                aOff,
                aBytes,
                container);
        matrix(
                "B",
                transB ? "n×k, transposed" : "k×n",
                "ldb",
                transB ? n : k,
                transB ? k : n,
                ldb,
                bOff,
                bBytes,
                container);
        matrix("C", "m×n", "ldc", m, n, ldc, cOff, cBytes, container);
    }

    /** sgemv: A is m×n as stored; x has n floats (m when transposed), y has m (n). */
    static void sgemv(
            boolean transA,
            int m,
            int n,
            int lda,
            long aOff,
            long aBytes,
            long xOff,
            long xBytes,
            long yOff,
            long yBytes,
            String container) {
        dimension("m", m);
        dimension("n", n);
        matrix("A", "m×n", "lda", m, n, lda, aOff, aBytes, container);
        vector("x", transA ? "m" : "n", transA ? m : n, xOff, xBytes, container);
        vector("y", transA ? "n" : "m", transA ? n : m, yOff, yBytes, container);
    }
}
