package io.nerva.runtime.callback;

import io.nerva.runtime.train.Callback;
import io.nerva.runtime.train.History;
import io.nerva.runtime.train.TrainingControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keras' {@code CSVLogger}: one row per epoch, {@code epoch,<logs...>}, written and flushed as
 * each epoch ends so the file can be followed while training runs. The same format as
 * {@link History#toCsv()}. Without {@code append}, a run starts the file afresh; with it, rows are
 * added to an existing file (the header only when the file is new or empty).
 */
public final class CSVLogger implements Callback {
    private final Path file;
    private final boolean append;
    private final String separator;
    private List<String> names;
    private boolean headerWritten;

    public CSVLogger(Path file) {
        this(file, ",", false);
    }

    public CSVLogger(Path file, String separator, boolean append) {
        this.file = Objects.requireNonNull(file, "file");
        this.separator = Objects.requireNonNull(separator, "separator");
        if (separator.isEmpty()) throw new IllegalArgumentException("separator is empty; use e.g. \",\"");
        this.append = append;
    }

    @Override
    public void onTrainBegin(TrainingControl control) {
        names = null;
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            if (!append || !Files.exists(file)) {
                Files.writeString(file, "", StandardCharsets.UTF_8);
                headerWritten = false;
            } else {
                headerWritten = Files.size(file) > 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, TrainingControl control) {
        StringBuilder sb = new StringBuilder();
        if (names == null) {
            names = new ArrayList<>(logs.keySet());
            if (!headerWritten) {
                sb.append("epoch");
                for (String n : names) sb.append(separator).append(n);
                sb.append('\n');
                headerWritten = true;
            }
        }
        sb.append(epoch);
        for (String n : names) sb.append(separator).append(logs.get(n));
        sb.append('\n');
        try {
            Files.writeString(
                    file,
                    sb,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "CSVLogger cannot append epoch " + epoch + " to " + file + ": " + e.getMessage(), e);
        }
    }
}
