package io.nerva.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Embedding lookup, scatter-add gradient, and the bad-id and buffer-size messages. */
class EmbeddingKernelsTest {
    // V = 4 ids, D = 3, T = 3 positions, table at offset 2 of w
    static final EmbeddingKernels.Spec S = new EmbeddingKernels.Spec(3, 4, 3);
    static final float[] TABLE = {0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32};

    static MemorySegment w() {
        MemorySegment w = Mem.filled(2 + 12 + 1, -99f);
        for (int i = 0; i < 12; i++) Mem.set(w, 2 + i, TABLE[i]);
        return w;
    }

    @Test
    void looksUpRows() {
        MemorySegment out = Mem.filled(2 * 9, Float.NaN);
        S.forward(Mem.of(3, 0, 3, 1, 2, 0), w(), 2, out, 2);
        assertArrayEquals(
                new float[] {30, 31, 32, 0, 1, 2, 30, 31, 32, 10, 11, 12, 20, 21, 22, 0, 1, 2}, Mem.get(out, 18));
    }

    @Test
    void gradientScatterAddsRepeatedIdsAndOverwrites() {
        MemorySegment g = Mem.filled(15, 7f);
        float[] og = new float[18];
        for (int i = 0; i < 18; i++) og[i] = i + 1;
        S.backward(Mem.of(3, 0, 3, 1, 3, 0), Mem.of(og), g, 2, 2);
        // id 0 at (0,1) and (1,2): rows 4..6 and 16..18; id 1 at (1,0): 10..12; id 2 never; id 3 at (0,0), (0,2), (1,1)
        float[] want = {4 + 16, 5 + 17, 6 + 18, 10, 11, 12, 0, 0, 0, 1 + 7 + 13, 2 + 8 + 14, 3 + 9 + 15};
        assertArrayEquals(want, Mem.get(g.asSlice(2 * 4), 12));
        assertEquals(7f, Mem.at(g, 0), "outside the table untouched");
        assertEquals(7f, Mem.at(g, 14), "outside the table untouched");
    }

    private static String badId(float v) {
        MemorySegment ids = Mem.of(0, 1, 2, 3, 1, v);
        return assertThrows(IllegalArgumentException.class, () -> S.forward(ids, w(), 2, Mem.zeros(18), 2))
                .getMessage();
    }

    @Test
    void badIdsNameRowPositionValueAndRange() {
        String range = "ids must be whole numbers in [0, 4)";
        assertEquals("Embedding: token id at batch row 1, position 2 is 4.0 (≥ inputDim 4); " + range, badId(4f));
        assertEquals("Embedding: token id at batch row 1, position 2 is -1.0 (negative); " + range, badId(-1f));
        assertEquals(
                "Embedding: token id at batch row 1, position 2 is 2.5 (not a whole number); " + range, badId(2.5f));
        assertEquals("Embedding: token id at batch row 1, position 2 is NaN (NaN); " + range, badId(Float.NaN));
        assertEquals(
                "Embedding: token id at batch row 1, position 2 is Infinity (infinite); " + range,
                badId(Float.POSITIVE_INFINITY));
        assertEquals(
                "Embedding: token id at batch row 1, position 2 is -Infinity (infinite); " + range,
                badId(Float.NEGATIVE_INFINITY));
        assertEquals("Embedding: token id at batch row 1, position 2 is 1.0E10 (≥ inputDim 4); " + range, badId(1e10f));
        // -0.0 is the whole number 0
        S.forward(Mem.of(0, 1, 2, 3, 1, -0f), w(), 2, Mem.zeros(18), 2);
        // the gradient checks too: a bad id never scatters out of the table
        var e = assertThrows(
                IllegalArgumentException.class, () -> S.backward(Mem.of(0, 9, 0), Mem.zeros(9), Mem.zeros(15), 2, 1));
        assertEquals("Embedding: token id at batch row 0, position 1 is 9.0 (≥ inputDim 4); " + range, e.getMessage());
    }

    @Test
    void bufferSizesAreChecked() {
        var e = assertThrows(IllegalArgumentException.class, () -> S.forward(Mem.zeros(5), w(), 2, Mem.zeros(18), 2));
        assertEquals(
                "Embedding: ids holds 5 floats, expected at least 6 for 2 rows (3 per row, " + S + ")", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> S.forward(Mem.zeros(6), w(), 2, Mem.zeros(17), 2));
        assertEquals(
                "Embedding: out holds 17 floats, expected at least 18 for 2 rows (9 per row, " + S + ")",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> S.forward(Mem.zeros(6), w(), 4, Mem.zeros(18), 2));
        assertEquals(
                "Embedding: w holds 15 floats, expected at least 16 for embeddings (12 floats at offset 4)",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> S.backward(Mem.zeros(6), Mem.zeros(18), Mem.zeros(13), 2, 2));
        assertEquals(
                "Embedding: g holds 13 floats, expected at least 14 for embeddings (12 floats at offset 2)",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> S.backward(Mem.zeros(6), Mem.zeros(10), Mem.zeros(14), 2, 2));
        assertEquals(
                "Embedding: outGrad holds 10 floats, expected at least 18 for 2 rows (9 per row, " + S + ")",
                e.getMessage());
    }
}
