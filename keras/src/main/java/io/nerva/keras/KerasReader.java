package io.nerva.keras;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jhdf.object.datatype.FloatingPoint;
import io.nerva.format.WeightFileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the files Keras writes, in pure Java (jHDF for HDF5, no native library, no Python), into a
 * {@link KerasModel}. The format is recognised by content: a zip is a {@code .keras} archive; an HDF5
 * file with a {@code model_config} attribute is a legacy whole model, one with a {@code layers} group a
 * Keras 3 weights file, one with a root {@code layer_names} attribute a Keras 2 weights file.
 *
 * <p>Every problem is a {@link WeightFileException} whose message starts with the file and says what was
 * expected and what was found: not a Keras file, a truncated archive or HDF5 file, a missing entry, group or
 * dataset, weights that are not float32.
 */
public final class KerasReader {
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};
    private static final Gson GSON = new Gson();

    private KerasReader() {}

    /** Reads any of the three Keras formats (see {@link KerasFormat}). */
    public static KerasModel read(Path file) throws IOException {
        String source = file.toString();
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new WeightFileException(source, null, "no such file", e);
        }
        if (n >= 4 && Arrays.equals(head, 0, 4, ZIP_SIGNATURE, 0, 4)) {
            return readArchive(file, source);
        }
        if (n == 8 && Arrays.equals(head, HDF5_SIGNATURE)) {
            try (HdfFile hdf = new HdfFile(file)) {
                return readHdf5(hdf, file, source);
            } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException e) {
                throw corruptHdf5(source, e);
            }
        }
        throw new WeightFileException(
                source,
                null,
                "not a Keras file: expected a .keras archive (a zip, starting with "
                        + "'PK') or an HDF5 file (.h5, .weights.h5, starting with \\x89HDF), but it starts with "
                        + describeBytes(head, n));
    }

    // ------------------------------------------------------------------ .keras

    private static KerasModel readArchive(Path file, String source) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String config = entryText(zip, "config.json", source);
            String metadata = zip.getEntry("metadata.json") == null ? null : entryText(zip, "metadata.json", source);
            ZipEntry weights = zip.getEntry("model.weights.h5");
            if (weights == null) {
                List<String> names = zip.stream().map(ZipEntry::getName).toList();
                throw new WeightFileException(
                        source,
                        null,
                        "the .keras archive has no 'model.weights.h5' (it has " + names
                                + (names.contains("model.weights.json") ? "; sharded weights are not supported" : "")
                                + ")");
            }
            byte[] h5;
            try (InputStream in = zip.getInputStream(weights)) {
                h5 = in.readAllBytes();
            }
            Map<String, Object> top = parseJson(config, source, "config.json");
            String version = metadata == null
                    ? null
                    : stringOrNull(parseJson(metadata, source, "metadata.json").get("keras_version"));
            String inner = source + "!model.weights.h5";
            try (HdfFile hdf = HdfFile.fromBytes(h5)) {
                return fromArchitecture(hdf, file, inner, KerasFormat.KERAS_ARCHIVE, top, version);
            } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException e) {
                throw corruptHdf5(inner, e);
            }
        } catch (ZipException e) {
            throw new WeightFileException(
                    source,
                    null,
                    "starts like a .keras archive (zip) but is not a complete zip file" + " (truncated or corrupt?): "
                            + e.getMessage(),
                    e);
        }
    }

    private static String entryText(ZipFile zip, String name, String source) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new WeightFileException(
                    source,
                    null,
                    "the .keras archive has no '" + name + "' (it has "
                            + zip.stream().map(ZipEntry::getName).toList() + ")");
        }
        try (InputStream in = zip.getInputStream(e)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------ HDF5 files

    private static KerasModel readHdf5(HdfFile hdf, Path file, String source) throws IOException {
        Object modelConfig = attribute(hdf, "model_config");
        if (modelConfig != null) {
            Map<String, Object> top = parseJson(text(modelConfig), source, "attribute model_config");
            return fromArchitecture(
                    hdf, file, source, KerasFormat.LEGACY_H5, top, stringOrNull(attribute(hdf, "keras_version")));
        }
        Map<String, Node> children = hdf.getChildren();
        if (children.get("layers") instanceof Group layers) {
            return readWeightsOnly(hdf, layers, file, source);
        }
        if (attribute(hdf, "layer_names") != null) {
            return readLegacyWeightsOnly(hdf, file, source);
        }
        throw new WeightFileException(
                source,
                null,
                "an HDF5 file, but not one Keras wrote: expected a root attribute "
                        + "'model_config' (model.save(\"m.h5\")), a group 'layers' (save_weights(\"m.weights.h5\")) or a root "
                        + "attribute 'layer_names' (Keras 2 weights); it has groups/datasets " + children.keySet()
                        + " and attributes " + hdf.getAttributes().keySet());
    }

    /** A .keras archive's weights or a legacy .h5, with the architecture that orders and names the layers. */
    private static KerasModel fromArchitecture(
            HdfFile hdf, Path file, String source, KerasFormat format, Map<String, Object> top, String version)
            throws IOException {
        String modelClass = stringOrNull(top.get("class_name"));
        Map<String, Object> modelConfig = map(top.get("config"));
        if (modelClass == null || modelConfig == null || !(modelConfig.get("layers") instanceof List<?> layerList)) {
            throw new WeightFileException(
                    source,
                    null,
                    "the architecture is not a Keras model config: expected "
                            + "{\"class_name\": ..., \"config\": {\"layers\": [...]}}, found keys " + top.keySet()
                            + (modelConfig == null ? "" : " and config keys " + modelConfig.keySet()));
        }
        Group legacyWeights = null;
        List<String> legacyNames = List.of();
        if (format == KerasFormat.LEGACY_H5) {
            if (!(hdf.getChildren().get("model_weights") instanceof Group g)) {
                throw new WeightFileException(
                        source,
                        null,
                        "legacy Keras .h5 file without the group 'model_weights' "
                                + "(saved with include_optimizer only, or truncated?); it has "
                                + hdf.getChildren().keySet());
            }
            legacyWeights = g;
            legacyNames = strings(attribute(g, "layer_names"));
        } else if (!(hdf.getChildren().get("layers") instanceof Group)) {
            throw new WeightFileException(
                    source,
                    null,
                    "the weights file has no group 'layers'; it has "
                            + hdf.getChildren().keySet());
        }
        Map<String, Integer> used = new HashMap<>();
        List<KerasLayer> layers = new ArrayList<>();
        int index = 0;
        for (Object o : layerList) {
            index++;
            Map<String, Object> entry = map(o);
            String className = entry == null ? null : stringOrNull(entry.get("class_name"));
            Map<String, Object> config = entry == null ? null : map(entry.get("config"));
            if (className == null || config == null) {
                throw new WeightFileException(
                        source,
                        null,
                        "layer #" + index + " of the architecture has no class_name " + "or config: " + o);
            }
            Map<String, Object> withMeta = new LinkedHashMap<>(config);
            for (String key : List.of("module", "registered_name", "build_config", "inbound_nodes")) {
                if (entry.containsKey(key)) withMeta.put("__" + key, entry.get(key));
            }
            String name = stringOrNull(config.get("name"));
            if (name == null) name = "layer" + index;
            if (className.equals("InputLayer")) {
                layers.add(new KerasLayer(className, name, null, withMeta, List.of()));
                continue;
            }
            if (format == KerasFormat.LEGACY_H5) {
                String path = "model_weights/" + name;
                if (!(legacyWeights.getChildren().get(name) instanceof Group g)) {
                    throw new WeightFileException(
                            source,
                            null,
                            "layer '" + name + "' (" + className + ") has no group '" + path + "'; model_weights has "
                                    + legacyWeights.getChildren().keySet());
                }
                if (!legacyNames.isEmpty() && !legacyNames.contains(name)) {
                    throw new WeightFileException(
                            source, null, "layer '" + name + "' is not in model_weights' layer_names " + legacyNames);
                }
                layers.add(new KerasLayer(className, name, path, withMeta, legacyLayerWeights(g, path, source)));
            } else {
                String path = "layers/" + objectName(className, used);
                Node node = nodeAt(hdf, path);
                if (!(node instanceof Group g)) {
                    throw new WeightFileException(
                            source,
                            null,
                            "layer '" + name + "' (" + className + ") has no group '" + path
                                    + "' in the weights; 'layers' has "
                                    + ((Group) hdf.getChildren().get("layers"))
                                            .getChildren()
                                            .keySet());
                }
                Object recorded = g.getChildren().get("vars") instanceof Group vars ? attribute(vars, "name") : null;
                if (recorded != null && !text(recorded).equals(name)) {
                    throw new WeightFileException(
                            source,
                            null,
                            "group '" + path + "' holds the weights of layer '" + text(recorded)
                                    + "', but the architecture puts layer '" + name + "' (" + className + ") there");
                }
                layers.add(new KerasLayer(
                        className, name, path, withMeta, varsWeights(g, path, className, config, source)));
            }
        }
        return new KerasModel(
                file, format, modelClass, stringOrNull(modelConfig.get("name")), version, layers, modelConfig);
    }

    /** A Keras 3 {@code .weights.h5}: no architecture; layers sorted by object path. */
    private static KerasModel readWeightsOnly(HdfFile hdf, Group layersGroup, Path file, String source)
            throws IOException {
        List<String> paths = new ArrayList<>(layersGroup.getChildren().keySet());
        paths.sort(KerasReader::compareObjectNames);
        List<KerasLayer> layers = new ArrayList<>();
        for (String objectName : paths) {
            if (!(layersGroup.getChildren().get(objectName) instanceof Group g)) continue;
            String path = "layers/" + objectName;
            String className = classOfObjectName(objectName);
            Object recorded = g.getChildren().get("vars") instanceof Group vars ? attribute(vars, "name") : null;
            String name = recorded == null ? objectName : text(recorded);
            layers.add(
                    new KerasLayer(className, name, path, Map.of(), varsWeights(g, path, className, Map.of(), source)));
        }
        String modelName = hdf.getChildren().get("vars") instanceof Group vars && attribute(vars, "name") != null
                ? text(attribute(vars, "name"))
                : null;
        return new KerasModel(file, KerasFormat.WEIGHTS_H5, null, modelName, null, layers, Map.of());
    }

    /** A Keras 2 {@code save_weights("m.h5")}: layer groups at the root, in the order of its layer_names. */
    private static KerasModel readLegacyWeightsOnly(HdfFile hdf, Path file, String source) throws IOException {
        List<KerasLayer> layers = new ArrayList<>();
        for (String name : strings(attribute(hdf, "layer_names"))) {
            if (!(hdf.getChildren().get(name) instanceof Group g)) {
                throw new WeightFileException(
                        source,
                        null,
                        "layer_names lists '" + name + "', but there is no group '" + name + "'; the file has "
                                + hdf.getChildren().keySet());
            }
            layers.add(new KerasLayer(null, name, name, Map.of(), legacyLayerWeights(g, name, source)));
        }
        return new KerasModel(
                file,
                KerasFormat.LEGACY_WEIGHTS_H5,
                null,
                null,
                stringOrNull(attribute(hdf, "keras_version")),
                layers,
                Map.of());
    }

    /** Legacy layout: the layer group's weight_names attribute lists its datasets, in Keras' order. */
    private static List<KerasWeight> legacyLayerWeights(Group layer, String path, String source) throws IOException {
        List<KerasWeight> weights = new ArrayList<>();
        for (String weightName : strings(attribute(layer, "weight_names"))) {
            Node node = nodeAt(layer, weightName);
            if (!(node instanceof Dataset d)) {
                throw new WeightFileException(
                        source,
                        path + "/" + weightName,
                        "weight_names of '" + path + "' lists '" + weightName + "', but there is no dataset '" + path
                                + "/" + weightName + "'");
            }
            String shortName = weightName.substring(weightName.lastIndexOf('/') + 1);
            if (shortName.endsWith(":0")) shortName = shortName.substring(0, shortName.length() - 2);
            weights.add(floats(d, shortName, path + "/" + weightName, source));
        }
        return weights;
    }

    /**
     * Keras 3 layout: the layer's own {@code vars/0, 1, ...}, then those of its sub-objects (an RNN layer's
     * {@code cell}), named by what Keras creates for the class ({@code kernel}, {@code bias}, ...).
     */
    private static List<KerasWeight> varsWeights(
            Group layer, String path, String className, Map<String, Object> config, String source) throws IOException {
        List<Dataset> datasets = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        collectVars(layer, path, datasets, paths);
        List<String> names = KerasNames.weightNames(className, config, datasets.size());
        List<KerasWeight> weights = new ArrayList<>();
        for (int i = 0; i < datasets.size(); i++) {
            weights.add(floats(datasets.get(i), names.get(i), paths.get(i), source));
        }
        return weights;
    }

    private static void collectVars(Group group, String path, List<Dataset> out, List<String> paths) {
        Map<String, Node> children = group.getChildren();
        if (children.get("vars") instanceof Group vars) {
            List<String> keys = new ArrayList<>(vars.getChildren().keySet());
            keys.sort(KerasReader::compareObjectNames);
            for (String k : keys) {
                if (vars.getChildren().get(k) instanceof Dataset d) {
                    out.add(d);
                    paths.add(path + "/vars/" + k);
                }
            }
        }
        List<String> subs = new ArrayList<>(children.keySet());
        subs.sort(KerasReader::compareObjectNames);
        for (String k : subs) {
            if (!k.equals("vars") && children.get(k) instanceof Group g) collectVars(g, path + "/" + k, out, paths);
        }
    }

    private static KerasWeight floats(Dataset d, String name, String path, String source) throws WeightFileException {
        if (!(d.getDataType() instanceof FloatingPoint fp) || fp.getSize() != 4) {
            String found = d.getDataType() instanceof FloatingPoint fp2
                    ? "float" + fp2.getSize() * 8
                    : d.getDataType().getClass().getSimpleName() + " of "
                            + d.getDataType().getSize() + " bytes ("
                            + d.getJavaType().getSimpleName() + ")";
            throw new WeightFileException(
                    source,
                    path,
                    "dataset '" + path + "' holds " + found + " values; Nerva reads "
                            + "float32 weights (save the model with dtype float32)");
        }
        int[] shape = d.getDimensions();
        Object data;
        try {
            data = d.isEmpty() ? new float[0] : d.getDataFlat();
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException e) {
            throw new WeightFileException(
                    source, path, "cannot read dataset '" + path + "' (truncated or corrupt?): " + e.getMessage(), e);
        }
        float[] values = data instanceof float[] f ? f : null;
        if (d.isScalar() && data instanceof Float scalar) values = new float[] {scalar};
        long expected = 1;
        for (int s : shape) expected *= s;
        if (values == null || values.length != expected) {
            throw new WeightFileException(
                    source,
                    path,
                    "dataset '" + path + "' of shape " + Arrays.toString(shape) + " gave "
                            + (values == null ? String.valueOf(data) : values.length + " values"));
        }
        return new KerasWeight(name, path, shape, values);
    }

    // ------------------------------------------------------------------ Keras' object naming

    /**
     * The object path Keras 3's saver gives a layer of {@code className}: its snake-case class name, with
     * {@code _1}, {@code _2}, ... for the second, third, ... layer of the same class ({@code used} counts them).
     */
    static String objectName(String className, Map<String, Integer> used) {
        String base = KerasNames.snakeCase(className);
        Integer seen = used.get(base);
        used.put(base, seen == null ? 0 : seen + 1);
        return seen == null ? base : base + "_" + (seen + 1);
    }

    private static String classOfObjectName(String objectName) {
        String base = objectName.replaceFirst("_\\d+$", "");
        return KerasNames.classOfSnakeCase(base);
    }

    /** Orders {@code dense < dense_1 < dense_2 < dense_10} and {@code 0 < 1 < 10}. */
    static int compareObjectNames(String a, String b) {
        String[] pa = splitCounter(a), pb = splitCounter(b);
        int c = pa[0].compareTo(pb[0]);
        if (c != 0) return c;
        return Long.compare(Long.parseLong(pa[1]), Long.parseLong(pb[1]));
    }

    private static String[] splitCounter(String s) {
        if (s.matches("\\d{1,18}")) return new String[] {"", s};
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("^(.*)_(\\d{1,18})$").matcher(s);
        return m.matches() ? new String[] {m.group(1), m.group(2)} : new String[] {s, "-1"};
    }

    // ------------------------------------------------------------------ small helpers

    private static Node nodeAt(Group root, String path) {
        Node node = root;
        for (String part : path.split("/")) {
            if (part.isEmpty()) continue;
            if (!(node instanceof Group g)) return null;
            node = g.getChildren().get(part);
            if (node == null) return null;
        }
        return node;
    }

    private static Object attribute(Node node, String name) {
        Attribute a = node.getAttributes().get(name);
        if (a == null || a.isEmpty()) return null;
        return a.getData();
    }

    private static String text(Object attributeValue) {
        if (attributeValue instanceof String s) return s;
        if (attributeValue instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (attributeValue instanceof String[] a && a.length == 1) return a[0];
        return String.valueOf(attributeValue);
    }

    private static String stringOrNull(Object o) {
        return o == null ? null : text(o);
    }

    private static List<String> strings(Object attributeValue) {
        if (attributeValue == null) return List.of();
        if (attributeValue instanceof String[] a) return List.of(a);
        if (attributeValue instanceof String s) return List.of(s);
        if (attributeValue instanceof Object[] a)
            return Arrays.stream(a).map(KerasReader::text).toList();
        return List.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private static Map<String, Object> parseJson(String json, String source, String what) throws WeightFileException {
        try {
            Map<String, Object> m = map(GSON.fromJson(json, Object.class));
            if (m == null) throw new JsonParseException("not a JSON object");
            return m;
        } catch (JsonParseException e) {
            throw new WeightFileException(source, null, what + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static WeightFileException corruptHdf5(String source, RuntimeException e) {
        return new WeightFileException(
                source,
                null,
                "starts like an HDF5 file but cannot be read (truncated or corrupt?): " + e.getMessage(),
                e);
    }

    private static String describeBytes(byte[] head, int n) {
        if (n <= 0) return "nothing (the file is empty)";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xff;
            sb.append(b >= 32 && b < 127 ? String.valueOf((char) b) : String.format(Locale.ROOT, "\\x%02x", b));
        }
        return "'" + sb + "'";
    }
}
