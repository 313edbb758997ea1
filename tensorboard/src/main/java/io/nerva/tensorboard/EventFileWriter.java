package io.nerva.tensorboard;

import com.google.protobuf.ByteString;
import io.nerva.tensorboard.proto.DataType;
import io.nerva.tensorboard.proto.Event;
import io.nerva.tensorboard.proto.Summary;
import io.nerva.tensorboard.proto.SummaryMetadata;
import io.nerva.tensorboard.proto.TensorProto;
import io.nerva.tensorboard.proto.TensorShapeProto;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes one TensorBoard event file into a run directory, as TensorFlow 2's summary writer does
 * (the summaries are laid out as those of the Keras log in {@code shared/fixtures/tensorboard}):
 * {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2}, a first record with
 * {@code file_version "brain.Event:2"}, then one {@link Event} per value. Scalars are written as
 * Keras writes them (a float32 scalar tensor with the {@code scalars} plugin), histograms as
 * TensorFlow 2 does (a {@code [buckets, 3]} double tensor of left edge, right edge, count, with
 * the {@code histograms} plugin). Not thread-safe.
 */
public final class EventFileWriter implements Closeable {
    /** TensorFlow's default number of histogram buckets. */
    public static final int DEFAULT_BUCKETS = 30;

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path file;
    private final OutputStream out;
    private boolean closed;

    /** Creates {@code runDir} if needed and a new event file in it. */
    public EventFileWriter(Path runDir) throws IOException {
        Objects.requireNonNull(runDir, "runDir");
        Files.createDirectories(runDir);
        long now = System.currentTimeMillis();
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        Path f;
        do {
            f = runDir.resolve("events.out.tfevents." + now / 1000 + "." + host + "."
                    + ProcessHandle.current().pid() + "." + COUNTER.getAndIncrement() + ".v2");
        } while (Files.exists(f));
        this.file = f;
        this.out = new BufferedOutputStream(Files.newOutputStream(f));
        write(Event.newBuilder()
                .setWallTime(now / 1000.0)
                .setFileVersion("brain.Event:2")
                .build());
        flush();
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    /** Writes any event (its wall time as given). */
    public void write(Event event) throws IOException {
        if (closed) throw new IOException("event file " + file + " is closed");
        TfRecords.write(out, event.toByteArray());
    }

    /** A scalar, as Keras writes {@code epoch_loss}: a float32 tensor of shape [] with the {@code scalars} plugin. */
    public void scalar(String tag, long step, double value) throws IOException {
        Objects.requireNonNull(tag, "tag");
        // Byte for byte as Keras/TensorFlow: the value in tensor_content, no data class.
        byte[] content = ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat((float) value)
                .array();
        TensorProto tensor = TensorProto.newBuilder()
                .setDtype(DataType.DT_FLOAT)
                .setTensorShape(TensorShapeProto.getDefaultInstance())
                .setTensorContent(ByteString.copyFrom(content))
                .build();
        write(summary(tag, step, "scalars", tensor));
    }

    /** A histogram of {@code values} in {@link #DEFAULT_BUCKETS} equal buckets from their minimum to their maximum. */
    public void histogram(String tag, long step, float[] values) throws IOException {
        histogram(tag, step, values, DEFAULT_BUCKETS);
    }

    /**
     * A histogram as TensorFlow 2 writes it: a {@code [buckets, 3]} float64 tensor of
     * (left edge, right edge, count) rows. Equal-width buckets span [min, max]; when every value
     * is the same, they span [v − 0.5, v + 0.5]. NaN values are not counted.
     */
    public void histogram(String tag, long step, float[] values, int buckets) throws IOException {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(values, "values");
        if (buckets < 1) throw new IllegalArgumentException("a histogram needs at least 1 bucket, got " + buckets);
        double[] rows = histogramRows(values, buckets);
        ByteBuffer content = ByteBuffer.allocate(rows.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : rows) content.putDouble(d);
        TensorProto tensor = TensorProto.newBuilder()
                .setDtype(DataType.DT_DOUBLE)
                .setTensorShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dim.newBuilder().setSize(buckets))
                        .addDim(TensorShapeProto.Dim.newBuilder().setSize(3)))
                .setTensorContent(ByteString.copyFrom(content.array()))
                .build();
        write(summary(tag, step, "histograms", tensor));
    }

    /** {@code buckets} rows of (left, right, count), flattened. */
    static double[] histogramRows(float[] values, int buckets) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            if (Float.isNaN(v)) continue;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double[] rows = new double[buckets * 3];
        if (min > max) return rows; // no value: TensorFlow's all-zero histogram
        if (min == max || Double.isInfinite(max - min)) {
            min = min - 0.5;
            max = max + 0.5;
        }
        double width = (max - min) / buckets;
        for (int b = 0; b < buckets; b++) {
            rows[3 * b] = min + b * width;
            rows[3 * b + 1] = b == buckets - 1 ? max : min + (b + 1) * width;
        }
        for (float v : values) {
            if (Float.isNaN(v)) continue;
            int b = (int) Math.floor((v - min) / width);
            b = Math.max(0, Math.min(buckets - 1, b));
            rows[3 * b + 2]++;
        }
        return rows;
    }

    private static Event summary(String tag, long step, String plugin, TensorProto tensor) {
        SummaryMetadata metadata = SummaryMetadata.newBuilder()
                .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(plugin))
                .build();
        Summary.Value value = Summary.Value.newBuilder()
                .setTag(tag)
                .setMetadata(metadata)
                .setTensor(tensor)
                .build();
        return Event.newBuilder()
                .setWallTime(System.currentTimeMillis() / 1000.0)
                .setStep(step)
                .setSummary(Summary.newBuilder().addValue(value))
                .build();
    }

    /** Pushes what was written to the file, so TensorBoard sees it while training runs. */
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        out.close();
    }
}
