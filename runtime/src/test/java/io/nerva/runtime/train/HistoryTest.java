package io.nerva.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static History history(double... loss) {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("accuracy", new double[loss.length]);
        return new History(m);
    }

    @Test
    void readsSeriesByName() {
        History h = history(0.9, 0.5, 0.25);
        assertEquals(3, h.epochs());
        assertEquals(List.of("loss", "accuracy"), h.names());
        assertArrayEquals(new double[] {0.9, 0.5, 0.25}, h.get("loss"));
        assertEquals(0.25, h.last("loss"));
        h.get("loss")[0] = 7; // a copy
        assertEquals(0.9, h.get("loss")[0]);
        assertEquals(
                "no 'val_loss' in this history; it has [loss, accuracy]",
                assertThrows(IllegalArgumentException.class, () -> h.get("val_loss"))
                        .getMessage());
    }

    @Test
    void equalityIsExact() {
        assertEquals(history(0.5, 0.25), history(0.5, 0.25));
        assertEquals(history(0.5, 0.25).hashCode(), history(0.5, 0.25).hashCode());
        assertNotEquals(history(0.5, 0.25), history(0.5, Math.nextUp(0.25)));
        assertNotEquals(history(0.5, 0.25), history(0.5));
    }

    @Test
    void printsATable() {
        String expected = """
                epoch        loss    accuracy
                    1      0.9000      0.0000
                    2      0.5000      0.0000""";
        assertEquals(expected, history(0.9, 0.5).toString());
    }

    @Test
    void raggedSeriesAreRejected() {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("loss", new double[2]);
        m.put("val_loss", new double[1]);
        assertEquals(
                "'val_loss' has 1 epochs, expected 2",
                assertThrows(IllegalArgumentException.class, () -> new History(m))
                        .getMessage());
    }
}
