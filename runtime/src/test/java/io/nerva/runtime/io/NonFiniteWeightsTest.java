package io.nerva.runtime.io;

import static io.nerva.runtime.io.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.nerva.format.WeightFileException;
import io.nerva.runtime.core.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 3: a weight file holding NaN or infinity is refused by default, naming the
 * tensor and the first bad index, and loads only with {@link LoadOptions#withAllowNonFinite()};
 * saving non-finite weights is refused unless {@link SaveOptions#withAllowNonFinite()}.
 */
class NonFiniteWeightsTest {
    @TempDir
    Path dir;

    /** hidden.kernel [4, 3] = 0..11 with {@code bad} at flat index 7 ([2, 1]); the other tensors finite. */
    private Path fileWith(float bad) throws Exception {
        Path file = dir.resolve("w.safetensors");
        try (Parameters p = denseModel()) {
            float[] v = range((int) p.count(), 0);
            v[7] = bad;
            v[9] = bad; // a later one: the message names the first
            p.copyFrom(v);
            SafeTensors.save(p, file, Map.of(), SaveOptions.defaults().withAllowNonFinite());
        }
        return file;
    }

    @Test
    void aFileWithNanOrInfinityIsRefusedNamingTensorAndIndexAndLeavesTheModelAsItWas() throws Exception {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Path file = fileWith(bad);
            try (Parameters model = denseModel()) {
                float[] before = fillRandom(model, 3);
                var e = assertThrows(
                        WeightFileException.class, () -> SafeTensors.load(model, file, LoadOptions.defaults()));
                assertEquals(
                        file + ": tensor 'hidden.kernel' holds " + bad + " at [2, 1] (index 7): a model with it would "
                                + "predict NaN; LoadOptions.withAllowNonFinite() loads it anyway",
                        e.getMessage());
                assertBitsEqual(before, model.toArray());

                SafeTensors.load(model, file, LoadOptions.defaults().withAllowNonFinite());
                assertEquals(bad, model.toArray()[7]);
            }
        }
    }

    @Test
    void anF64ValueBeyondTheFloatRangeIsRefusedToo() throws Exception {
        Path file = dir.resolve("f64.safetensors");
        String json = "{\"b\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}}";
        Files.write(file, file(json, f64(1, 1e300, 2)));
        try (Parameters model = parameters("b", new int[] {3})) {
            var e = assertThrows(
                    WeightFileException.class, () -> SafeTensors.load(model, file, LoadOptions.defaults()));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "tensor 'b' holds Infinity at [1] (index 1) (an F64 value beyond the float range)"),
                    e.getMessage());
        }
    }

    @Test
    void savingNonFiniteWeightsIsRefusedAndWritesNothing() throws Exception {
        Path file = dir.resolve("out.safetensors");
        try (Parameters model = denseModel()) {
            float[] v = fillRandom(model, 1);
            v[13] = Float.NaN; // hidden.bias [1]
            model.copyFrom(v);
            var e = assertThrows(IllegalStateException.class, () -> SafeTensors.save(model, file, Map.of()));
            assertTrue(
                    e.getMessage()
                            .startsWith("cannot save model this model to " + file + ": parameter 'hidden.bias' "
                                    + "holds NaN at [1] (index 1 of 3); the weights are not usable (did training diverge?). Nothing was "
                                    + "written; SaveOptions.defaults().withAllowNonFinite() saves them anyway"),
                    e.getMessage());
            assertFalse(Files.exists(file));
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "no temp file left");
            }
            SafeTensors.save(model, file, Map.of(), SaveOptions.defaults().withAllowNonFinite());
            assertTrue(Files.exists(file));
        }
    }
}
