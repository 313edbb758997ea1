package io.nerva.tensorboard;

import com.google.protobuf.InvalidProtocolBufferException;
import io.nerva.tensorboard.proto.Event;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Reads the events of one TensorBoard event file, checking every record's framing and CRCs. */
public final class EventFileReader {
    private EventFileReader() {}

    /**
     * Every event of {@code file}, in order.
     *
     * @throws IOException a missing file, a truncated or corrupt record (saying at which byte), or a
     *                     record that is not an {@code Event}
     */
    public static List<Event> read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        List<Event> events = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            long offset = 0;
            byte[] data;
            while ((data = TfRecords.read(in, file.toString(), offset)) != null) {
                try {
                    events.add(Event.parseFrom(data));
                } catch (InvalidProtocolBufferException e) {
                    throw new IOException(
                            file + ": record at byte " + offset + " is not a TensorBoard Event: " + e.getMessage(), e);
                }
                offset += TfRecords.framedLength(data.length);
            }
        }
        return events;
    }
}
