package io.nerva.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    /** Runs on the real files; fails with the install hint where they are missing (CI installs the package). */
    @Test
    void loadsTheRealTestSet() throws IOException {
        Dataset test = FashionMnist.test(FashionMnist.DEFAULT_DIR, false);
        assertEquals(10_000, test.size());
        assertArrayEquals(new int[] {28, 28, 1}, test.sampleShape());
        assertEquals(FashionMnist.CLASS_NAMES, test.classNames());
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : test.features()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        int[] perClass = new int[10];
        for (int label : test.labels()) perClass[label]++;
        for (int c = 0; c < 10; c++) assertEquals(1000, perClass[c], "class " + c);
    }

    @Test
    void missingFilesExplainHowToGetThem(@TempDir Path empty) {
        var e = assertThrows(FileNotFoundException.class, () -> FashionMnist.load(empty));
        assertTrue(
                e.getMessage()
                        .startsWith("Fashion-MNIST file " + empty.resolve("train-images-idx3-ubyte.gz") + " not found"),
                e.getMessage());
        assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("FashionMnist.load(dir)"), e.getMessage());
    }
}
