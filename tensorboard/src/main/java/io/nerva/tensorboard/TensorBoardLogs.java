package io.nerva.tensorboard;

import io.nerva.tensorboard.proto.DataType;
import io.nerva.tensorboard.proto.Event;
import io.nerva.tensorboard.proto.Summary;
import io.nerva.tensorboard.proto.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A TensorBoard log directory read back: runs (the directories holding event files, named by
 * their path under the log directory, e.g. {@code train}, {@code validation}), each with its tags
 * and their points in file order, as TensorBoard's {@code EventAccumulator} lists them. Event files
 * of one run are read in name order (their names start with the creation time).
 */
public final class TensorBoardLogs {
    private final Map<String, Map<String, List<Point>>> runs;
    private final Map<String, List<Path>> files;

    private TensorBoardLogs(Map<String, Map<String, List<Point>>> runs, Map<String, List<Path>> files) {
        this.runs = runs;
        this.files = files;
    }

    /**
     * One value of a tag.
     *
     * @param plugin the summary's plugin ({@code scalars}, {@code histograms}, ...), or "" when none
     * @param dtype  the tensor's type (DT_FLOAT for a {@code simple_value})
     * @param shape  the tensor's shape ([] for a scalar)
     * @param values the tensor's values as doubles, row-major (empty for types other than numbers)
     */
    public record Point(long step, double wallTime, String plugin, DataType dtype, long[] shape, double[] values) {
        /**
         * The value as TensorBoard's scalar view shows it: the first element of a float32 tensor
         * (widened exactly to double), else null (histograms are float64 tensors).
         */
        public Double scalar() {
            return dtype == DataType.DT_FLOAT && values.length > 0 ? values[0] : null;
        }

        @Override
        public String toString() {
            return "Point[step " + step + ", " + plugin + ", " + dtype + " " + Arrays.toString(shape) + " "
                    + (values.length <= 6 ? Arrays.toString(values) : values.length + " values") + "]";
        }
    }

    /** Reads every event file under {@code logDir}. */
    public static TensorBoardLogs read(Path logDir) throws IOException {
        Objects.requireNonNull(logDir, "logDir");
        if (!Files.isDirectory(logDir))
            throw new IOException("no TensorBoard log directory at " + logDir.toAbsolutePath());
        TreeMap<String, List<Path>> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(logDir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p) && p.getFileName().toString().contains("tfevents")) {
                    Path rel = logDir.relativize(p.getParent());
                    String run = rel.toString().isEmpty() ? "." : rel.toString().replace('\\', '/');
                    files.computeIfAbsent(run, k -> new ArrayList<>()).add(p);
                }
            }
        }
        Map<String, Map<String, List<Point>>> runs = new LinkedHashMap<>();
        for (Map.Entry<String, List<Path>> run : files.entrySet()) {
            List<Path> list = run.getValue();
            list.sort(null);
            Map<String, List<Point>> tags = new LinkedHashMap<>();
            for (Path f : list) {
                for (Event e : EventFileReader.read(f)) {
                    if (!e.hasSummary()) continue;
                    for (Summary.Value v : e.getSummary().getValueList()) {
                        Point p = point(e, v);
                        if (p != null)
                            tags.computeIfAbsent(v.getTag(), k -> new ArrayList<>())
                                    .add(p);
                    }
                }
            }
            runs.put(run.getKey(), tags);
        }
        Map<String, List<Path>> fileLists = new LinkedHashMap<>();
        files.forEach((run, list) -> fileLists.put(run, List.copyOf(list)));
        return new TensorBoardLogs(runs, fileLists);
    }

    private static Point point(Event e, Summary.Value v) {
        String plugin = v.hasMetadata() ? v.getMetadata().getPluginData().getPluginName() : "";
        return switch (v.getValueCase()) {
            case SIMPLE_VALUE ->
                new Point(
                        e.getStep(),
                        e.getWallTime(),
                        plugin.isEmpty() ? "scalars" : plugin,
                        DataType.DT_FLOAT,
                        new long[0],
                        new double[] {v.getSimpleValue()});
            case TENSOR -> {
                TensorProto t = v.getTensor();
                long[] shape = t.getTensorShape().getDimList().stream()
                        .mapToLong(d -> d.getSize())
                        .toArray();
                yield new Point(e.getStep(), e.getWallTime(), plugin, t.getDtype(), shape, values(t));
            }
            case HISTO ->
                new Point(
                        e.getStep(),
                        e.getWallTime(),
                        plugin.isEmpty() ? "histograms" : plugin,
                        DataType.DT_DOUBLE,
                        new long[0],
                        new double[0]);
            default -> null;
        };
    }

    /** A tensor's numbers as doubles, from its typed fields or its little-endian {@code tensor_content}. */
    static double[] values(TensorProto t) {
        ByteBuffer content = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean raw = content.hasRemaining();
        return switch (t.getDtype()) {
            case DT_FLOAT -> {
                if (!raw)
                    yield t.getFloatValList().stream()
                            .mapToDouble(Float::doubleValue)
                            .toArray();
                double[] d = new double[content.remaining() / 4];
                for (int i = 0; i < d.length; i++) d[i] = content.getFloat();
                yield d;
            }
            case DT_DOUBLE -> {
                if (!raw)
                    yield t.getDoubleValList().stream()
                            .mapToDouble(Double::doubleValue)
                            .toArray();
                double[] d = new double[content.remaining() / 8];
                for (int i = 0; i < d.length; i++) d[i] = content.getDouble();
                yield d;
            }
            case DT_INT32 -> {
                if (!raw)
                    yield t.getIntValList().stream()
                            .mapToDouble(Integer::doubleValue)
                            .toArray();
                double[] d = new double[content.remaining() / 4];
                for (int i = 0; i < d.length; i++) d[i] = content.getInt();
                yield d;
            }
            case DT_INT64 -> {
                if (!raw)
                    yield t.getInt64ValList().stream()
                            .mapToDouble(Long::doubleValue)
                            .toArray();
                double[] d = new double[content.remaining() / 8];
                for (int i = 0; i < d.length; i++) d[i] = content.getLong();
                yield d;
            }
            default -> new double[0];
        };
    }

    /** The run names, sorted ({@code "."} for event files directly in the log directory). */
    public List<String> runs() {
        return List.copyOf(runs.keySet());
    }

    /** The event files of {@code run}, in the order they were read. */
    public List<Path> files(String run) {
        tags(run);
        return files.get(run);
    }

    /** The tags of {@code run} and their points in file order (unmodifiable). */
    public Map<String, List<Point>> tags(String run) {
        Map<String, List<Point>> t = runs.get(Objects.requireNonNull(run, "run"));
        if (t == null)
            throw new IllegalArgumentException("no run '" + run + "' in these logs; they have " + runs.keySet());
        return Collections.unmodifiableMap(t);
    }

    /** The points of {@code tag} in {@code run}. */
    public List<Point> points(String run, String tag) {
        List<Point> p = tags(run).get(Objects.requireNonNull(tag, "tag"));
        if (p == null)
            throw new IllegalArgumentException("no tag '" + tag + "' in run '" + run + "'; it has "
                    + tags(run).keySet());
        return Collections.unmodifiableList(p);
    }
}
