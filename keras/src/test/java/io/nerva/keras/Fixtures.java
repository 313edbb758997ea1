package io.nerva.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The models real Keras 3.15.1 wrote into shared/fixtures/keras (see its README), and their predictions. */
final class Fixtures {
    static final List<String> ALL = List.of(
            "dense_iris",
            "dense_bn_dropout",
            "cnn_small",
            "lstm_many_to_one",
            "lstm_stacked",
            "gru_default",
            "simple_rnn_stacked",
            "embedding_lstm");
    static final List<String> FEED_FORWARD = List.of("dense_iris", "dense_bn_dropout", "cnn_small");
    /** The three files of each model. */
    static final List<String> SUFFIXES = List.of(".keras", ".h5", ".weights.h5");

    private Fixtures() {}

    /** The fixture folder; a missing one fails the test (it must not be skipped silently). */
    static Path dir() {
        String p = System.getProperty("nerva.keras.fixtures");
        if (p == null) {
            fail("system property nerva.keras.fixtures is not set: run the tests through Maven (keras/pom.xml sets it "
                    + "to ${project.basedir}/../../shared/fixtures/keras)");
        }
        Path d = Path.of(p).toAbsolutePath().normalize();
        if (!Files.isDirectory(d)) {
            fail(
                    "Keras fixtures not found at " + d
                            + ": the clone needs shared/ beside it (shared/fixtures/keras), or pass -Dnerva.keras.fixtures=DIR to Maven");
        }
        return d;
    }

    static Path file(String name) {
        Path f = dir().resolve(name);
        if (!Files.isRegularFile(f)) fail("Keras fixture " + f + " is missing");
        return f;
    }

    /** x (each sample flattened) and y of NAME.io.json. */
    record Io(float[][] x, float[][] y) {}

    static Io io(String model) throws IOException {
        Map<?, ?> json = new Gson().fromJson(Files.readString(file(model + ".io.json")), Map.class);
        return new Io(rows((List<?>) json.get("x")), rows((List<?>) json.get("y")));
    }

    private static float[][] rows(List<?> samples) {
        float[][] out = new float[samples.size()][];
        for (int i = 0; i < out.length; i++) {
            List<Float> flat = new ArrayList<>();
            flatten(samples.get(i), flat);
            out[i] = new float[flat.size()];
            for (int j = 0; j < flat.size(); j++) out[i][j] = flat.get(j);
        }
        return out;
    }

    private static void flatten(Object o, List<Float> into) {
        if (o instanceof List<?> l) l.forEach(v -> flatten(v, into));
        else into.add(((Number) o).floatValue());
    }

    /** Each value within {@code rel} of Keras' relative to its size (absolute below 1e-6, for values near zero). */
    static void assertMatchesKeras(String what, float[][] expected, float[][] actual, double rel) {
        assertEquals(expected.length, actual.length, what + ": rows");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].length, actual[i].length, what + ": outputs of sample " + i);
            for (int j = 0; j < expected[i].length; j++) {
                double e = expected[i][j], a = actual[i][j];
                double tolerance = Math.max(rel * Math.abs(e), 1e-6);
                if (!(Math.abs(a - e) <= tolerance)) {
                    fail(what + ": sample " + i + " output " + j + ": Keras " + e + ", Nerva " + a + " (difference "
                            + Math.abs(a - e) + " > " + tolerance + ")");
                }
            }
        }
    }
}
