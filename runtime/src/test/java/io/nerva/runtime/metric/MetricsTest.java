package io.nerva.runtime.metric;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.runtime.Mem;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void binaryAccuracyThresholdsAtHalf() {
        Metric m = Metrics.accuracy();
        assertEquals("accuracy", m.name());
        assertEquals(0.0, m.result());
        // 0.2→0 ✓, 0.7→1 ✓, 0.5→0 (not > 0.5) vs 1 ✗, 0.9→1 vs 0 ✗
        m.update(Mem.of(0.2f, 0.7f, 0.5f, 0.9f), Mem.of(0f, 1f, 1f, 0f), 4, 1, 1);
        assertEquals(0.5, m.result(), 0);
        m.update(Mem.of(0.6f, 0.1f), Mem.of(1f, 0f), 2, 1, 1);
        assertEquals(4.0 / 6, m.result(), 1e-15);
        m.reset();
        assertEquals(0.0, m.result());

        Metric b = Metrics.binaryAccuracy(); // multi-label: every value counts
        assertEquals("binary_accuracy", b.name());
        b.update(Mem.of(0.9f, 0.2f, 0.4f, 0.8f, 0.51f, 0.49f), Mem.of(1f, 0f, 1f, 1f, 1f, 1f), 2, 3, 3);
        assertEquals(4.0 / 6, b.result(), 1e-15);
    }

    @Test
    void categoricalArgmaxPicksFirstMaximumOnTies() {
        // row 0: tie between classes 0 and 1 → argmax 0; row 1: class 2; row 2: all equal → 0
        MemorySegment out = Mem.of(0.3f, 0.3f, 0.1f, 0.1f, 0.2f, 0.7f, 0.2f, 0.2f, 0.2f);
        Metric oneHot = Metrics.categoricalAccuracy();
        assertEquals("categorical_accuracy", oneHot.name());
        oneHot.update(out, Mem.of(0f, 1f, 0f, 0f, 0f, 1f, 1f, 0f, 0f), 3, 3, 3); // true 1, 2, 0 → ✗ ✓ ✓
        assertEquals(2.0 / 3, oneHot.result(), 1e-15);

        Metric sparse = Metrics.accuracy(); // more than one column → categorical; 1 target column = class index
        sparse.update(out, Mem.of(0f, 2f, 1f), 3, 3, 1); // ✓ ✓ ✗
        assertEquals(2.0 / 3, sparse.result(), 1e-15);

        Metric fresh = Metrics.categoricalAccuracy();
        assertEquals(0.0, fresh.result(), "a fresh instance shares no sums");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> fresh.update(out, Mem.of(0f, 3f, 1f), 3, 3, 1));
        assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("[0, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fresh.update(out, Mem.zeros(6), 3, 3, 2));
    }

    @Test
    void topK() {
        Metric top2 = Metrics.topK(2);
        assertEquals("top_2_accuracy", top2.name());
        assertEquals("top_5_accuracy", Metrics.topK(5).name());
        // scores per row (4 classes), sparse targets
        MemorySegment out = Mem.of(
                0.1f, 0.5f, 0.3f, 0.1f, // true 2: second best ✓
                0.4f, 0.3f, 0.2f, 0.1f, // true 3: last ✗
                0.2f, 0.2f, 0.2f, 0.4f, // true 1: tie with 0 and 2 for second; ties broken by index → rank 2 ✗
                0.2f, 0.2f, 0.2f, 0.4f); // true 0: rank 1 ✓
        top2.update(out, Mem.of(2f, 3f, 1f, 0f), 4, 4, 1);
        assertEquals(0.5, top2.result(), 0);

        Metric top1 = Metrics.topK(1), cat = Metrics.categoricalAccuracy();
        top1.update(out, Mem.of(2f, 0f, 1f, 3f), 4, 4, 1);
        cat.update(out, Mem.of(2f, 0f, 1f, 3f), 4, 4, 1);
        assertEquals(cat.result(), top1.result(), 0, "top-1 equals categorical accuracy, ties included");
        assertEquals(0.5, top1.result(), 0);

        Metric top3 = Metrics.topK(3); // one-hot targets
        top3.update(Mem.of(0.1f, 0.2f, 0.3f, 0.4f), Mem.of(1f, 0f, 0f, 0f), 1, 4, 4);
        assertEquals(0.0, top3.result());
        assertThrows(IllegalArgumentException.class, () -> Metrics.topK(0));
    }

    @Test
    void regressionMetricsAccumulate() {
        Metric mse = Metrics.mse(), mae = Metrics.mae(), rmse = Metrics.rmse();
        assertEquals("mse", mse.name());
        assertEquals("mae", mae.name());
        assertEquals("rmse", rmse.name());
        MemorySegment o1 = Mem.of(1f, 2f, 3f, 4f), t1 = Mem.of(1f, 1f, 1f, 1f); // errors 0, 1, 2, 3
        MemorySegment o2 = Mem.of(-1f, 1f), t2 = Mem.of(1f, 1f); // errors 2, 0
        for (Metric m : new Metric[] {mse, mae, rmse}) {
            m.update(o1, t1, 2, 2, 2);
            m.update(o2, t2, 1, 2, 2);
        }
        assertEquals((0 + 1 + 4 + 9 + 4 + 0) / 6.0, mse.result(), 1e-15);
        assertEquals((0 + 1 + 2 + 3 + 2 + 0) / 6.0, mae.result(), 1e-15);
        assertEquals(Math.sqrt(18 / 6.0), rmse.result(), 1e-15);
        rmse.reset();
        rmse.update(o2, t2, 1, 2, 2);
        assertEquals(Math.sqrt(2.0), rmse.result(), 1e-15);
    }
}
