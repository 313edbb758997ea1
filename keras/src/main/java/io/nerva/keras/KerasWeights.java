package io.nerva.keras;

import io.nerva.format.WeightFileException;
import io.nerva.runtime.Layer;
import io.nerva.runtime.Model;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads the weights of a Keras file ({@code .keras}, legacy {@code .h5} or {@code .weights.h5}) into a Nerva
 * network declared to match it:
 *
 * <pre>{@code
 * try (var model = IrisModel.forInference()) {
 *     KerasWeights.Report report = KerasWeights.load(model, Path.of("iris.keras"));
 *     float[] p = model.predict(sample);
 * }
 * }</pre>
 *
 * <p>Matching: the Keras layers that have weights and the Nerva fields that have parameters are paired in
 * order (layers without weights — Activation, Dropout, Flatten, pooling, InputLayer — are skipped on both
 * sides). A weights-only {@code .weights.h5} records no order across layer classes, so there the i-th Nerva
 * layer of a kind takes the i-th Keras layer of that class, exactly as Keras' own {@code load_weights} does.
 * Each pair must agree in kind (a Keras {@code Dense} into a Nerva {@code Dense}, {@code BatchNormalization}
 * into {@code BatchNorm}, ...), number of tensors, tensor names ({@code kernel}, {@code bias}, {@code gamma},
 * ...) and every shape. Layer names are not required to agree — order wins — but every pair whose names
 * differ is reported, in {@link Report#notes()} and in any error.
 *
 * <p>All or nothing: everything is checked and staged before the model is written, so after any exception
 * the model's parameters are exactly as they were. A mismatch is a {@link WeightFileException} that lists
 * both sides, layer by layer (Keras layer, class, shapes; Nerva field, type, shapes), marking each problem.
 */
public final class KerasWeights {
    private KerasWeights() {}

    /** One Keras layer and the Nerva field it was loaded into. */
    public record Pairing(
            String kerasLayer, String kerasClass, String nervaField, String nervaType, List<String> tensors) {}

    /**
     * What a successful load did.
     *
     * @param source   the file
     * @param format   its Keras format
     * @param pairings each Keras layer with weights and the field it went into, in order
     * @param notes    layer names that differ between the two sides (loading went by order); empty when all agree
     */
    public record Report(Path source, KerasFormat format, List<Pairing> pairings, List<String> notes) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("loaded " + source + " (" + format + ") into " + pairings.size()
                    + " layer" + (pairings.size() == 1 ? "" : "s") + ":");
            for (Pairing p : pairings) {
                sb.append("\n  Keras '")
                        .append(p.kerasLayer())
                        .append("' (")
                        .append(p.kerasClass())
                        .append(") -> field '")
                        .append(p.nervaField())
                        .append("' (")
                        .append(p.nervaType())
                        .append(")");
            }
            for (String n : notes) sb.append("\n  note: ").append(n);
            return sb.toString();
        }
    }

    /** Reads {@code file} (any Keras format) and loads it into {@code model}; see the class comment. */
    public static Report load(Model model, Path file) throws IOException {
        return load(model, KerasReader.read(file));
    }

    /** Loads an already read Keras model into {@code model}; see the class comment. */
    public static Report load(Model model, KerasModel keras) throws IOException {
        String source = keras.source().toString();
        Parameters params = model.parameters();
        List<NervaLayer> nerva = nervaLayers(model);
        List<KerasLayer> kerasLayers =
                keras.format().ordered() ? keras.weightedLayers() : byObjectPath(keras, nerva, source);

        List<String> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Pairing> pairings = new ArrayList<>();
        List<String> notes = nameNotes(kerasLayers, nerva);
        float[] staged = params.toArray();
        String firstTensor = null;
        int pairs = Math.max(nerva.size(), kerasLayers.size());
        for (int i = 0; i < pairs; i++) {
            KerasLayer k = i < kerasLayers.size() ? kerasLayers.get(i) : null;
            NervaLayer n = i < nerva.size() ? nerva.get(i) : null;
            List<String> rowProblems = new ArrayList<>();
            if (k == null) {
                rowProblems.add("no Keras layer with weights left for this field");
            } else if (n == null) {
                rowProblems.add("no Nerva field with parameters left for this Keras layer");
            } else {
                String expectedClass = KerasNames.kerasClassOfNervaType(n.type());
                if (expectedClass != null && k.className() != null && !expectedClass.equals(k.className())) {
                    rowProblems.add("kind differs: Keras " + k.className() + " into Nerva " + n.type());
                }
                if (k.weights().size() != n.specs().size()) {
                    rowProblems.add("Keras has " + k.weights().size() + " tensor"
                            + (k.weights().size() == 1 ? "" : "s") + ", Nerva "
                            + n.specs().size());
                } else {
                    for (int t = 0; t < n.specs().size(); t++) {
                        KerasWeight w = k.weights().get(t);
                        ParamSpec s = n.specs().get(t);
                        String suffix = s.name().substring(n.field().length() + 1);
                        if (!w.name().startsWith("vars/") && !w.name().equals(suffix)) {
                            rowProblems.add(
                                    "tensor " + (t + 1) + " is Keras '" + w.name() + "' but Nerva '" + s.name() + "'");
                        } else if (!Arrays.equals(w.shape(), s.shape())) {
                            rowProblems.add("shape differs: Keras " + w.name() + " " + w.shapeString() + " vs Nerva "
                                    + s.name() + " " + s.shapeString());
                        } else {
                            System.arraycopy(w.values(), 0, staged, Math.toIntExact(s.offset()), w.values().length);
                        }
                    }
                }
            }
            if (!rowProblems.isEmpty() && firstTensor == null && n != null)
                firstTensor = n.specs().getFirst().name();
            rows.add("  #" + (i + 1) + " Keras " + (k == null ? "(none)" : k.describe() + " " + shapes(k))
                    + "  ->  Nerva "
                    + (n == null ? "(none)" : "field '" + n.field() + "' (" + n.type() + ") " + shapes(n))
                    + (rowProblems.isEmpty() ? "" : "   <-- " + String.join("; ", rowProblems)));
            problems.addAll(rowProblems);
            if (k != null && n != null) {
                pairings.add(new Pairing(
                        k.name(),
                        k.className(),
                        n.field(),
                        n.type(),
                        n.specs().stream().map(ParamSpec::name).toList()));
            }
        }
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder("the Keras model does not fit " + model.name()
                    + "; nothing was loaded. "
                    + kerasLayers.size() + " Keras layer" + (kerasLayers.size() == 1 ? "" : "s") + " with weights, "
                    + nerva.size() + " Nerva field" + (nerva.size() == 1 ? "" : "s") + " with parameters, paired "
                    + (keras.format().ordered() ? "in order" : "by Keras object path (weights-only file)") + ":");
            for (String r : rows) sb.append('\n').append(r);
            for (String note : notes) sb.append("\n  note: ").append(note);
            throw new WeightFileException(source, firstTensor, sb.toString());
        }
        params.copyFrom(staged); // the only write to the model
        return new Report(keras.source(), keras.format(), pairings, notes);
    }

    /** A Nerva layer with parameters: its field, type and tensors in buffer order. */
    private record NervaLayer(String field, String type, List<ParamSpec> specs) {}

    private static List<NervaLayer> nervaLayers(Model model) {
        List<ParamSpec> specs = model.parameters().specs();
        List<NervaLayer> out = new ArrayList<>();
        Set<String> claimed = new HashSet<>();
        for (Layer layer : model.layers()) {
            List<ParamSpec> own = specs.stream()
                    .filter(s -> s.name().startsWith(layer.name() + "."))
                    .toList();
            if (own.isEmpty()) continue;
            own.forEach(s -> claimed.add(s.name()));
            out.add(new NervaLayer(layer.name(), layer.type(), own));
        }
        // Parameters no listed layer owns (should not happen with generated models): one entry per field prefix.
        Map<String, List<ParamSpec>> rest = new LinkedHashMap<>();
        for (ParamSpec s : specs) {
            if (claimed.contains(s.name())) continue;
            int dot = s.name().lastIndexOf('.');
            rest.computeIfAbsent(dot < 0 ? s.name() : s.name().substring(0, dot), f -> new ArrayList<>())
                    .add(s);
        }
        rest.forEach((field, own) -> out.add(new NervaLayer(field, "?", own)));
        return out;
    }

    /** Orders a weights-only file's layers as Keras' load_weights would for this Nerva network. */
    private static List<KerasLayer> byObjectPath(KerasModel keras, List<NervaLayer> nerva, String source)
            throws WeightFileException {
        Map<String, KerasLayer> byPath = new LinkedHashMap<>();
        for (KerasLayer l : keras.weightedLayers()) byPath.put(l.path(), l);
        Map<String, Integer> used = new HashMap<>();
        List<KerasLayer> ordered = new ArrayList<>();
        for (NervaLayer n : nerva) {
            String kerasClass = KerasNames.kerasClassOfNervaType(n.type());
            if (kerasClass == null) {
                throw new WeightFileException(
                        source,
                        n.specs().getFirst().name(),
                        "a weights-only file records no layer "
                                + "order, and Nerva layer '" + n.field() + "' (" + n.type()
                                + ") has no Keras class to find it by;"
                                + " load the .keras or .h5 file instead");
            }
            KerasLayer k = byPath.remove("layers/" + KerasReader.objectName(kerasClass, used));
            if (k != null) ordered.add(k);
            else break; // the mismatch table shows the rest
        }
        ordered.addAll(byPath.values());
        return ordered;
    }

    /** Reports names that differ between the paired sides, and names that sit at a different position. */
    private static List<String> nameNotes(List<KerasLayer> keras, List<NervaLayer> nerva) {
        List<String> notes = new ArrayList<>();
        Set<String> fields = new HashSet<>();
        nerva.forEach(n -> fields.add(n.field()));
        for (int i = 0; i < Math.min(keras.size(), nerva.size()); i++) {
            String k = keras.get(i).name(), f = nerva.get(i).field();
            if (k.equals(f) || sanitized(k).equals(f)) continue;
            String also = fields.contains(k) || fields.contains(sanitized(k))
                    ? "; the network also has a field named '" + k + "' at another position — is the order right?"
                    : "";
            notes.add("Keras layer '" + k + "' -> field '" + f + "': names differ, matched by order" + also);
        }
        return notes;
    }

    static String sanitized(String kerasName) {
        return JavaNames.field(kerasName);
    }

    private static String shapes(KerasLayer k) {
        StringBuilder sb = new StringBuilder();
        for (KerasWeight w : k.weights())
            sb.append(sb.isEmpty() ? "" : ", ").append(w.name()).append(' ').append(w.shapeString());
        return "[" + sb + "]";
    }

    private static String shapes(NervaLayer n) {
        StringBuilder sb = new StringBuilder();
        for (ParamSpec s : n.specs())
            sb.append(sb.isEmpty() ? "" : ", ").append(s.name()).append(' ').append(s.shapeString());
        return "[" + sb + "]";
    }
}
