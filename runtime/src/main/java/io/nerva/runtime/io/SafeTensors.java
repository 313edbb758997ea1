package io.nerva.runtime.io;

import io.nerva.format.DType;
import io.nerva.format.SafeTensorsHeader;
import io.nerva.format.TensorInfo;
import io.nerva.format.WeightFileException;
import io.nerva.runtime.core.Finite;
import io.nerva.runtime.core.Network;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Saves and loads a model's {@link Parameters} as a
 * <a href="https://github.com/huggingface/safetensors">safetensors</a> file (format described
 * in {@link SafeTensorsHeader}), readable by {@code safetensors.torch.load_file} and friends.
 */
public final class SafeTensors {

    /** Metadata key for the name of the network class the weights belong to. */
    public static final String CLASS_KEY = io.nerva.format.NervaMetadata.CLASS_KEY;
    /** Metadata key for the fingerprint of the network's architecture. */
    public static final String FINGERPRINT_KEY = io.nerva.format.NervaMetadata.FINGERPRINT_KEY;
    /** Metadata key for the version of Nerva's use of the format. */
    public static final String FORMAT_KEY = io.nerva.format.NervaMetadata.FORMAT_KEY;
    /** The only {@link #FORMAT_KEY} value this version reads. */
    public static final String FORMAT_VERSION = io.nerva.format.NervaMetadata.FORMAT_VERSION;

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE_LE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Largest single read or write; keeps ByteBuffer views under 2 GiB. */
    private static final long IO_CHUNK = 1L << 30;

    private SafeTensors() {}

    /** Called by {@link #save} after each piece written to the temporary file; lets tests fail a save half-way. */
    @FunctionalInterface
    interface WriteObserver {
        void wrote(long bytesSoFar) throws IOException;
    }

    /**
     * A check of a file's metadata that {@link #load(Parameters, Map, Path, LoadOptions, MetadataCheck)}
     * runs after the header has been read and validated, before anything is loaded: throwing
     * leaves the model and the extra buffers untouched.
     */
    @FunctionalInterface
    public interface MetadataCheck {
        /** @param source names the file, for the {@link WeightFileException} to throw */
        void check(Map<String, String> metadata, String source) throws WeightFileException;
    }

    // ---------------------------------------------------------------- saving

    /** Writes a network's parameters with its class name and architecture fingerprint (what {@code Model.save} writes). */
    public static void save(Network network, Path file, SaveOptions options) throws IOException {
        network.parameters().checkOpen(network.name());
        save(
                network.parameters(),
                file,
                Map.of(CLASS_KEY, network.name(), FINGERPRINT_KEY, network.fingerprint(), FORMAT_KEY, FORMAT_VERSION),
                options);
    }

    /**
     * Writes every tensor of {@code params} as F32 under its {@link ParamSpec#name()}, with its
     * spec's shape, in buffer order, plus {@code metadata} (sorted by key, so equal models give
     * equal files).
     *
     * <p>Atomic: the bytes go to a temporary file next to {@code file}, are forced to disk, and
     * the temporary file is renamed over {@code file}; then the directory is forced so the rename
     * survives a crash. Should the file system refuse an atomic rename, a plain replacing move is
     * used instead, and a crash during it could lose the old file. Forcing the directory is
     * skipped where the platform cannot open a directory (Windows). On any failure the
     * temporary file is removed and a previous {@code file} is left as it was.
     */
    public static void save(Parameters params, Path file, Map<String, String> metadata) throws IOException {
        save(params, Map.of(), file, metadata, SaveOptions.defaults(), bytesSoFar -> {});
    }

    /**
     * As {@link #save(Parameters, Path, Map)}. The weights are copied under the parameters' read
     * gate (a consistent snapshot even while another thread loads or trains) and, unless
     * {@code options} allow it, refused when any is NaN or infinite: an
     * {@link IllegalStateException} names the tensor and the first bad index, and no file is written.
     */
    public static void save(Parameters params, Path file, Map<String, String> metadata, SaveOptions options)
            throws IOException {
        save(params, Map.of(), file, metadata, options, bytesSoFar -> {});
    }

    /**
     * As {@link #save(Parameters, Path, Map)}, followed by {@code extra} tensors that are not
     * parameters (a checkpoint's optimizer state, say): each is written as F32 of shape
     * {@code [n]}, {@code n} being its byte size over 4, in the map's iteration order, after the
     * parameters. Their names must differ from the parameters' and from each other.
     */
    public static void save(
            Parameters params, Map<String, MemorySegment> extra, Path file, Map<String, String> metadata)
            throws IOException {
        save(params, extra, file, metadata, SaveOptions.defaults(), bytesSoFar -> {});
    }

    static void save(Parameters params, Path file, Map<String, String> metadata, WriteObserver observer)
            throws IOException {
        save(params, Map.of(), file, metadata, SaveOptions.defaults(), observer);
    }

    static void save(
            Parameters params,
            Map<String, MemorySegment> extra,
            Path file,
            Map<String, String> metadata,
            SaveOptions options,
            WriteObserver observer)
            throws IOException {
        // A consistent copy of the weights, taken under the read gate so a concurrent load or
        // training step is seen entirely or not at all, then written without holding the gate.
        try (Arena snapshotArena = Arena.ofConfined()) {
            long bytes = params.count() * Float.BYTES;
            MemorySegment snapshot = snapshotArena.allocate(Math.max(1, bytes), 64);
            long stamp = params.beginRead(null);
            try {
                MemorySegment.copy(params.values(), 0, snapshot, 0, bytes);
            } finally {
                params.endRead(stamp);
            }
            if (!options.allowNonFinite()) {
                String bad = Finite.describeFirstNonFinite(params, snapshot);
                if (bad != null) {
                    throw new IllegalStateException("cannot save model " + params.owner() + " to " + file
                            + ": parameter "
                            + bad + "; the weights are not usable (did training diverge?). Nothing was written; "
                            + "SaveOptions.defaults().withAllowNonFinite() saves them anyway");
                }
            }
            write(params, snapshot, extra, file, metadata, observer);
        }
    }

    private static void write(
            Parameters params,
            MemorySegment snapshot,
            Map<String, MemorySegment> extra,
            Path file,
            Map<String, String> metadata,
            WriteObserver observer)
            throws IOException {
        Map<String, String> sortedMetadata = new TreeMap<>();
        metadata.forEach((k, v) -> sortedMetadata.put(
                Objects.requireNonNull(k, "metadata key"), Objects.requireNonNull(v, () -> "metadata value of " + k)));
        List<TensorInfo> tensors = new ArrayList<>();
        List<MemorySegment> sources = new ArrayList<>();
        for (ParamSpec s : params.specs()) {
            long[] shape = Arrays.stream(s.shape()).asLongStream().toArray();
            tensors.add(new TensorInfo(
                    s.name(), DType.F32, shape, s.offset() * Float.BYTES, (s.offset() + s.size()) * Float.BYTES));
            sources.add(snapshot.asSlice(s.offset() * Float.BYTES, s.size() * Float.BYTES));
        }
        long next = params.count() * Float.BYTES;
        for (Map.Entry<String, MemorySegment> e : extra.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "extra tensor name");
            MemorySegment data = Objects.requireNonNull(e.getValue(), () -> "data of extra tensor " + name);
            if (data.byteSize() % Float.BYTES != 0) {
                throw new IllegalArgumentException(
                        "extra tensor '" + name + "' has " + data.byteSize() + " bytes, not a whole number of floats");
            }
            tensors.add(new TensorInfo(
                    name, DType.F32, new long[] {data.byteSize() / Float.BYTES}, next, next + data.byteSize()));
            sources.add(data);
            next += data.byteSize();
        }
        // Also refuses an extra tensor named like a parameter, or __metadata__.
        byte[] header = SafeTensorsHeader.encode(sortedMetadata, tensors);

        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        // Not Files.createTempFile: its 0600 permissions would end up on the saved file.
        Path temp = directory.resolve("." + target.getFileName() + "."
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer lengthField =
                        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(out, lengthField);
                writeFully(out, ByteBuffer.wrap(header));
                observer.wrote(out.position());
                for (MemorySegment data : sources) {
                    writeLittleEndian(out, data);
                    observer.wrote(out.position());
                }
                out.force(true);
            }
            moveIntoPlace(temp, target);
        } catch (IOException e) {
            IOException named = named(e, file, temp, target);
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                named.addSuppressed(cleanup);
            }
            throw named;
        } catch (RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        forceDirectory(directory);
        removeStaleTemps(directory, target.getFileName().toString());
    }

    /** A temp file of a save untouched for this long was left by a killed save, not written by a running one. */
    static final java.time.Duration STALE_TEMP_AGE = java.time.Duration.ofMinutes(10);

    /**
     * Deletes the hidden temp files ({@code .<name>.<16 hex digits>.tmp}) that saves of {@code name}
     * killed half-way left behind, once they are {@link #STALE_TEMP_AGE} old (a save in progress
     * keeps its own fresh). Best effort: a file that cannot be listed or deleted is left.
     */
    private static void removeStaleTemps(Path directory, String name) {
        String prefix = "." + name + ".";
        long cutoff = System.currentTimeMillis() - STALE_TEMP_AGE.toMillis();
        try (var entries = Files.newDirectoryStream(directory, entry -> {
            String n = entry.getFileName().toString();
            return n.length() == prefix.length() + 20
                    && n.startsWith(prefix)
                    && n.endsWith(".tmp")
                    && n.substring(prefix.length(), prefix.length() + 16)
                            .chars()
                            .allMatch(c -> Character.digit(c, 16) >= 0);
        })) {
            for (Path stale : entries) {
                try {
                    if (Files.getLastModifiedTime(stale).toMillis() < cutoff) Files.deleteIfExists(stale);
                } catch (IOException ignored) {
                    // another process may have removed or be replacing it
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // cleaning is a courtesy; the save itself succeeded
        }
    }

    /** The exception of a failed save, of the same kind where it is a file-system one, naming {@code file}, never the temp file. */
    private static IOException named(IOException e, Path file, Path temp, Path target) {
        String reason = reason(e, temp, target);
        IOException named = switch (e) {
            case java.nio.file.NoSuchFileException x ->
                new java.nio.file.NoSuchFileException(file.toString(), null, reason);
            case java.nio.file.AccessDeniedException x ->
                new java.nio.file.AccessDeniedException(file.toString(), null, reason);
            case java.nio.file.FileSystemException x ->
                new java.nio.file.FileSystemException(file.toString(), null, reason);
            default -> new IOException("could not save weights to " + file + ": " + reason);
        };
        named.initCause(e);
        return named;
    }

    /** The cause of a failed save in the user's terms: never the temp file's name. */
    private static String reason(IOException e, Path temp, Path target) {
        String text;
        if (e instanceof java.nio.file.FileSystemException fse) {
            text = fse.getReason() != null ? fse.getReason() : fse.getClass().getSimpleName();
            if (fse instanceof java.nio.file.AccessDeniedException) text = "permission denied";
            else if (fse instanceof java.nio.file.NoSuchFileException) text = "no such directory " + target.getParent();
        } else {
            text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return text.replace(temp.toString(), target.toString())
                .replace(temp.getFileName().toString(), target.getFileName().toString());
    }

    private static void writeLittleEndian(FileChannel out, MemorySegment floats) throws IOException {
        for (long at = 0; at < floats.byteSize(); at += IO_CHUNK) {
            MemorySegment chunk = floats.asSlice(at, Math.min(IO_CHUNK, floats.byteSize() - at));
            ByteBuffer bytes;
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                bytes = chunk.asByteBuffer();
            } else {
                bytes = ByteBuffer.allocate((int) chunk.byteSize());
                MemorySegment.copy(
                        chunk,
                        ValueLayout.JAVA_INT,
                        0,
                        MemorySegment.ofBuffer(bytes),
                        INT_LE,
                        0,
                        chunk.byteSize() / Integer.BYTES);
            }
            writeFully(out, bytes);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) out.write(bytes);
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename durable; best effort, as not every platform can open a directory. */
    private static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // The file itself is complete and renamed; only durability across a crash is weaker.
        }
    }

    // ---------------------------------------------------------------- loading

    /** Reads and validates a file's header without loading any data. */
    public static SafeTensorsHeader readHeader(Path file) throws IOException {
        return SafeTensorsHeader.read(file);
    }

    /**
     * Loads every tensor of {@code params} from {@code file} and returns the file's metadata.
     *
     * <p>Everything is checked before the model is touched: the whole header (see
     * {@link SafeTensorsHeader}), the expected {@code nerva.class} and {@code nerva.fingerprint}
     * if {@code opts} asks for them, {@code nerva.format} if present, that the file has exactly
     * the model's tensors (extra ones are skipped with {@link LoadOptions#withAllowExtra()}),
     * their shapes and dtypes. The data is read into a staging buffer that is copied into the
     * model only once all of it has been read, so on any {@link WeightFileException} (or other
     * I/O error) the model's values are unchanged.
     *
     * <p>Dtypes: F32 is copied bit for bit. F16, BF16 and F64 are converted to the nearest float
     * (F16 and BF16 exactly). Any other dtype is an error for a tensor the model loads.
     *
     * <p>PyTorch layout ({@link LoadOptions#withPytorchLayout()}): a file tensor named
     * {@code <field>.weight} loads into {@code <field>.kernel}, permuted from PyTorch's
     * {@code [out, in, k1, ..., kn]} into Nerva's (Keras') {@code [k1, ..., kn, in, out]}:
     * <ul>
     *   <li>{@code nn.Linear} weight {@code [out, in]} becomes a dense kernel {@code [in, out]}
     *       (a transpose: {@code kernel[i][o] = weight[o][i]});</li>
     *   <li>{@code nn.Conv2d} weight {@code [out, in, kh, kw]} becomes a conv kernel
     *       {@code [kh, kw, in, out]} ({@code kernel[y][x][c][o] = weight[o][c][y][x]}); Conv1d
     *       and Conv3d follow the same rule.</li>
     * </ul>
     * {@code <field>.bias} and every other name load unchanged. Shapes in error messages are then
     * given in the file's (PyTorch's) terms.
     */
    public static Map<String, String> load(Parameters params, Path file, LoadOptions opts) throws IOException {
        return load(params, Map.of(), file, opts, (metadata, source) -> {});
    }

    /**
     * As {@link #load(Parameters, Path, LoadOptions)}, and also fills each buffer of {@code extra}
     * from the file tensor of that name, which must be F32 of shape {@code [n]}, {@code n} being
     * the buffer's byte size over 4 (as {@link #save(Parameters, Map, Path, Map)} writes them).
     * {@code check} sees the metadata after the header and the {@code opts} checks, before
     * anything is read. All-or-nothing: the parameters and the extra buffers are written only once
     * every tensor has been read and checked, so on any error all of them are unchanged.
     */
    public static Map<String, String> load(
            Parameters params, Map<String, MemorySegment> extra, Path file, LoadOptions opts, MetadataCheck check)
            throws IOException {
        return load(params, extra, file, file.toString(), opts, check);
    }

    /**
     * As {@link #load(Parameters, Path, LoadOptions)} from {@code file}, naming it {@code source}
     * in every message (e.g. the class-path resource a temporary file was staged from).
     */
    public static Map<String, String> load(Parameters params, Path file, String source, LoadOptions opts)
            throws IOException {
        return load(params, Map.of(), file, source, opts, (metadata, s) -> {});
    }

    /**
     * As {@link #load(Parameters, Path, String, LoadOptions)} from a whole file held in memory
     * (e.g. a class-path resource): the same checks, the same messages naming {@code source}.
     */
    public static Map<String, String> load(Parameters params, byte[] file, String source, LoadOptions opts)
            throws IOException {
        SafeTensorsHeader header = SafeTensorsHeader.parse(file, source);
        return load(params, Map.of(), header, new BytesInput(file), source, opts, NO_CHECK);
    }

    /** Not a lambda: the in-memory path is an embedded model's start-up, where each bootstrap counts. */
    private static final MetadataCheck NO_CHECK = new MetadataCheck() {
        @Override
        public void check(Map<String, String> metadata, String source) {}
    };

    /** Positional reads from a weights file or from a file held in memory, as {@link FileChannel#read(ByteBuffer, long)}. */
    private interface Input {
        /** Bytes read into {@code into} from {@code position}, -1 at or past the end. */
        int read(ByteBuffer into, long position) throws IOException;
    }

    private record FileInput(FileChannel channel) implements Input {
        @Override
        public int read(ByteBuffer into, long position) throws IOException {
            return channel.read(into, position);
        }
    }

    private record BytesInput(byte[] bytes) implements Input {
        @Override
        public int read(ByteBuffer into, long position) {
            if (position >= bytes.length) return -1;
            int n = (int) Math.min(into.remaining(), bytes.length - position);
            into.put(bytes, (int) position, n);
            return n;
        }
    }

    private static Map<String, String> load(
            Parameters params,
            Map<String, MemorySegment> extra,
            Path file,
            String source,
            LoadOptions opts,
            MetadataCheck check)
            throws IOException {
        FileChannel opened;
        try {
            opened = FileChannel.open(file, StandardOpenOption.READ);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new java.nio.file.NoSuchFileException(source, null, "no such weights file");
        } catch (java.nio.file.FileSystemException e) {
            throw new java.nio.file.FileSystemException(
                    source,
                    null,
                    e.getReason() != null
                            ? e.getReason()
                            : "cannot open weights file (" + e.getClass().getSimpleName() + ")");
        }
        try (FileChannel channel = opened) {
            SafeTensorsHeader header = SafeTensorsHeader.read(channel, source);
            return load(params, extra, header, new FileInput(channel), source, opts, check);
        }
    }

    private static Map<String, String> load(
            Parameters params,
            Map<String, MemorySegment> extra,
            SafeTensorsHeader header,
            Input in,
            String source,
            LoadOptions opts,
            MetadataCheck check)
            throws IOException {
        checkFormat(header.metadata(), source);
        // Tensor problems first: they say precisely what does not fit; a metadata problem is added to them.
        String metadataProblem = metadataProblem(header.metadata(), opts);
        List<Match> matches;
        List<TensorInfo> extraTensors;
        try {
            check.check(header.metadata(), source); // the caller's own check (a checkpoint's kind, optimizer)
            matches = match(params, extra.keySet(), header, opts, source);
            extraTensors = matchExtra(extra, header, source);
        } catch (WeightFileException e) {
            if (metadataProblem == null) throw e;
            String detail = e.getMessage().substring(source.length() + 2);
            throw new WeightFileException(
                    source,
                    e.tensor(),
                    detail + "; also, the "
                            + metadataProblem.replace(FOREIGN, " (the file was not written by Nerva's Model.save)"),
                    e.getCause());
        }
        if (metadataProblem != null) throw new WeightFileException(source, null, metadataProblem);
        try (Arena arena = Arena.ofConfined()) {
            long bytes = params.count() * Float.BYTES;
            long extraBytes = 0;
            for (MemorySegment e : extra.values()) extraBytes += e.byteSize();
            MemorySegment staging = arena.allocate(Math.max(1, bytes + extraBytes), 64);
            for (Match m : matches) {
                stage(in, header.dataStart(), m, staging, source);
            }
            long at = bytes;
            for (TensorInfo t : extraTensors) {
                MemorySegment target = staging.asSlice(at, t.byteLength());
                readFully(in, target, header.dataStart() + t.begin(), t.name(), source);
                if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                    MemorySegment.copy(
                            target, INT_LE, 0, target, ValueLayout.JAVA_INT, 0, t.byteLength() / Float.BYTES);
                }
                at += t.byteLength();
            }
            if (!opts.allowNonFinite()) {
                checkFinite(matches, staging, source);
            }
            // The only writes to the model and the extra buffers, after everything has been read and
            // checked; under the write gate, so a concurrent prediction sees all-old or all-new weights.
            long stamp = params.beginWrite(null);
            try {
                MemorySegment.copy(staging, 0, params.values(), 0, bytes);
            } finally {
                params.endWrite(stamp);
            }
            at = bytes;
            for (MemorySegment e : extra.values()) {
                MemorySegment.copy(staging, at, e, 0, e.byteSize());
                at += e.byteSize();
            }
        }
        return header.metadata();
    }

    /** Refuses NaN and infinity in any staged tensor, naming the file's tensor and the first bad index. */
    private static void checkFinite(List<Match> matches, MemorySegment staging, String source)
            throws WeightFileException {
        for (Match m : matches) {
            long bad = Finite.firstNonFiniteCopying(
                    staging, m.spec().offset(), m.spec().size());
            if (bad >= 0) {
                float v = staging.getAtIndex(ValueLayout.JAVA_FLOAT, m.spec().offset() + bad);
                String name = m.tensor().name();
                String where = m.kerasAxisOfFileAxis() == null
                        ? "at " + Finite.index(m.spec().shape(), bad) + " (index " + bad + ")"
                        : "at " + Finite.index(m.spec().shape(), bad) + " of '"
                                + m.spec().name() + "' " + m.spec().shapeString()
                                + " after the PyTorch-layout permutation";
                throw new WeightFileException(
                        source,
                        name,
                        "tensor '" + name + "' holds " + v + " " + where
                                + (m.tensor().dtype() == DType.F64 && Float.isInfinite(v)
                                        ? " (an F64 value beyond the float range)"
                                        : "")
                                + ": a model with it would predict NaN; LoadOptions.withAllowNonFinite() loads it anyway");
            }
        }
        // Extra buffers (a checkpoint's optimizer state) are not weights: loaded bit for bit, unchecked.
    }

    /** The file tensors for the extra buffers, in the buffers' order, each checked to be F32 {@code [n]}. */
    private static List<TensorInfo> matchExtra(
            Map<String, MemorySegment> extra, SafeTensorsHeader header, String source) throws WeightFileException {
        List<TensorInfo> found = new ArrayList<>();
        for (Map.Entry<String, MemorySegment> e : extra.entrySet()) {
            String name = e.getKey();
            TensorInfo t = header.tensor(name).orElseThrow(); // match() has reported missing ones
            long[] expected = {e.getValue().byteSize() / Float.BYTES};
            if (t.dtype() != DType.F32) {
                throw new WeightFileException(
                        source, name, "tensor '" + name + "': expected dtype F32, found " + t.dtype());
            }
            if (!Arrays.equals(expected, t.shape())) {
                throw new WeightFileException(
                        source,
                        name,
                        "tensor '" + name + "': expected shape " + Arrays.toString(expected) + ", found "
                                + t.shapeString());
            }
            found.add(t);
        }
        return found;
    }

    private static void checkFormat(Map<String, String> metadata, String source) throws WeightFileException {
        String format = metadata.get(FORMAT_KEY);
        if (format != null && !format.equals(FORMAT_VERSION)) {
            throw new WeightFileException(
                    source,
                    null,
                    FORMAT_KEY + " is '" + format + "', this version reads only '" + FORMAT_VERSION + "'");
        }
    }

    /** What is wrong with the file's class and fingerprint metadata for {@code opts}, or {@code null}. */
    private static String metadataProblem(Map<String, String> metadata, LoadOptions opts) {
        if (opts.expectedClass() != null && !opts.expectedClass().equals(metadata.get(CLASS_KEY))) {
            return "weights are for class " + describe(metadata.get(CLASS_KEY)) + ", expected '" + opts.expectedClass()
                    + "' (" + CLASS_KEY + ")" + (metadata.get(CLASS_KEY) == null ? FOREIGN : "");
        }
        if (opts.expectedFingerprint() != null && !opts.expectedFingerprint().equals(metadata.get(FINGERPRINT_KEY))) {
            String found = metadata.get(FINGERPRINT_KEY);
            return "architecture fingerprint is " + describe(found) + ", expected '" + opts.expectedFingerprint()
                    + "' (" + FINGERPRINT_KEY + ")"
                    + (found == null ? FOREIGN : ": the network's layers changed since these weights were saved");
        }
        return null;
    }

    private static final String FOREIGN = ": the file was not written by Nerva's Model.save (which records it), so it "
            + "cannot be checked against this network's architecture. Its tensor names and shapes match the model's; to "
            + "load such a foreign file use model.load(path, LoadOptions.defaults()), with .withPytorchLayout() for a "
            + "PyTorch state dict";

    private static String describe(String metadataValue) {
        return metadataValue == null ? "not recorded" : "'" + metadataValue + "'";
    }

    /**
     * A model tensor and the file tensor it loads from.
     *
     * @param kerasAxisOfFileAxis for a PyTorch weight, where each file axis goes; {@code null} when loaded as is
     */
    private record Match(ParamSpec spec, TensorInfo tensor, int[] kerasAxisOfFileAxis) {}

    private static List<Match> match(
            Parameters params, Set<String> extraNames, SafeTensorsHeader header, LoadOptions opts, String source)
            throws WeightFileException {
        Map<String, TensorInfo> byModelName = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors()) {
            String modelName = opts.pytorchLayout() ? nervaName(t.name()) : t.name();
            TensorInfo clash = byModelName.putIfAbsent(modelName, t);
            if (clash != null) {
                throw new WeightFileException(
                        source,
                        modelName,
                        "tensors '" + clash.name() + "' and '" + t.name() + "' would both load into '" + modelName
                                + "'");
            }
        }
        List<Match> matches = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (ParamSpec spec : params.specs()) {
            TensorInfo t = byModelName.remove(spec.name());
            if (t == null) {
                missing.add(spec.name());
            } else {
                matches.add(new Match(
                        spec,
                        t,
                        opts.pytorchLayout() && isPytorchWeight(t.name())
                                ? pytorchToKerasAxes(spec.shape().length)
                                : null));
            }
        }
        for (String name : extraNames) {
            if (byModelName.remove(name) == null) missing.add(name);
        }
        if (!missing.isEmpty()) {
            String names = "'" + String.join("', '", missing) + "'";
            String hint = opts.pytorchLayout() ? " (a kernel is read from '<field>.weight' in PyTorch layout)" : "";
            throw new WeightFileException(
                    source,
                    missing.getFirst(),
                    "missing tensor" + (missing.size() > 1 ? "s " : " ") + names + hint + "; the file has "
                            + tensorNames(header));
        }
        if (!byModelName.isEmpty() && !opts.allowExtra()) {
            TensorInfo extra = byModelName.values().iterator().next();
            throw new WeightFileException(
                    source,
                    extra.name(),
                    "unexpected tensor" + (byModelName.size() > 1 ? "s " : " ")
                            + "'"
                            + String.join(
                                    "', '",
                                    byModelName.values().stream()
                                            .map(TensorInfo::name)
                                            .toList())
                            + "' not in the model, which has "
                            + params.specs().stream().map(ParamSpec::name).toList()
                            + (extraNames.isEmpty() ? "" : " and " + List.copyOf(extraNames))
                            + " (LoadOptions.withAllowExtra() skips them)");
        }
        for (Match m : matches) {
            checkTensor(m, source);
        }
        return matches;
    }

    private static List<String> tensorNames(SafeTensorsHeader header) {
        return header.tensors().stream().map(TensorInfo::name).toList();
    }

    private static void checkTensor(Match m, String source) throws WeightFileException {
        TensorInfo t = m.tensor();
        String subject = m.kerasAxisOfFileAxis() == null
                ? "tensor '" + t.name() + "'"
                : "tensor '" + t.name() + "' (PyTorch layout, for '" + m.spec().name() + "' "
                        + m.spec().shapeString() + ")";
        if (!t.dtype().loadableAsFloat()) {
            throw new WeightFileException(
                    source,
                    t.name(),
                    subject + ": expected dtype F32 (or F16, BF16, F64, which are " + "converted), found " + t.dtype());
        }
        long[] expected = fileShape(m);
        if (!Arrays.equals(expected, t.shape())) {
            throw new WeightFileException(
                    source,
                    t.name(),
                    subject + ": expected shape " + Arrays.toString(expected) + ", found " + t.shapeString());
        }
    }

    /** The shape the file must have for {@code m.spec()}: its own, or its PyTorch counterpart. */
    private static long[] fileShape(Match m) {
        int[] keras = m.spec().shape();
        long[] file = new long[keras.length];
        for (int a = 0; a < keras.length; a++) {
            int[] axes = m.kerasAxisOfFileAxis();
            file[a] = keras[axes == null ? a : axes[a]];
        }
        return file;
    }

    private static boolean isPytorchWeight(String name) {
        return name.endsWith(".weight");
    }

    private static String nervaName(String pytorchName) {
        return isPytorchWeight(pytorchName)
                ? pytorchName.substring(0, pytorchName.length() - ".weight".length()) + ".kernel"
                : pytorchName;
    }

    /** PyTorch {@code [out, in, k1..kn]} to Keras {@code [k1..kn, in, out]}: file axis a goes to the returned [a]. */
    private static int[] pytorchToKerasAxes(int rank) {
        if (rank < 2) return null;
        int[] axes = new int[rank];
        axes[0] = rank - 1;
        axes[1] = rank - 2;
        for (int a = 2; a < rank; a++) axes[a] = a - 2;
        return axes;
    }

    /** Reads one tensor's bytes from the file and writes them, converted and permuted, into {@code staging}. */
    private static void stage(Input in, long dataStart, Match m, MemorySegment staging, String source)
            throws IOException {
        TensorInfo t = m.tensor();
        long at = dataStart + t.begin();
        MemorySegment target =
                staging.asSlice(m.spec().offset() * Float.BYTES, m.spec().size() * Float.BYTES);
        if (t.dtype() == DType.F32 && m.kerasAxisOfFileAxis() == null) {
            readFully(in, target, at, t.name(), source);
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                MemorySegment.copy(
                        target,
                        INT_LE,
                        0,
                        target,
                        ValueLayout.JAVA_INT,
                        0,
                        m.spec().size());
            }
            return;
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment raw = scratch.allocate(Math.max(1, t.byteLength()), 8).asSlice(0, t.byteLength());
            readFully(in, raw, at, t.name(), source);
            long[] fileShape = t.shape();
            long[] kerasStrideOfFileAxis = kerasStrides(m.spec().shape(), m.kerasAxisOfFileAxis(), fileShape.length);
            // Walk the file's elements in order, tracking where each lands in the Keras layout.
            long[] index = new long[fileShape.length];
            long destination = 0;
            long count = m.spec().size();
            for (long i = 0; i < count; i++) {
                target.setAtIndex(ValueLayout.JAVA_INT, destination, floatBits(raw, t.dtype(), i));
                for (int a = fileShape.length - 1; a >= 0; a--) {
                    destination += kerasStrideOfFileAxis[a];
                    if (++index[a] < fileShape[a]) break;
                    destination -= kerasStrideOfFileAxis[a] * fileShape[a];
                    index[a] = 0;
                }
            }
        }
    }

    /** For each file axis, the distance in floats between neighbours along it in the Keras layout. */
    private static long[] kerasStrides(int[] kerasShape, int[] kerasAxisOfFileAxis, int rank) {
        long[] kerasStride = new long[rank];
        long stride = 1;
        for (int a = rank - 1; a >= 0; a--) {
            kerasStride[a] = stride;
            stride *= kerasShape[a];
        }
        if (kerasAxisOfFileAxis == null) return kerasStride;
        long[] strides = new long[rank];
        for (int a = 0; a < rank; a++) strides[a] = kerasStride[kerasAxisOfFileAxis[a]];
        return strides;
    }

    /** Element {@code i} of little-endian {@code raw} as the bits of a float. */
    private static int floatBits(MemorySegment raw, DType dtype, long i) {
        return switch (dtype) {
            case F32 -> raw.getAtIndex(INT_LE, i);
            case F16 -> Float.floatToRawIntBits(Float.float16ToFloat(raw.getAtIndex(SHORT_LE, i)));
            case BF16 -> (raw.getAtIndex(SHORT_LE, i) & 0xFFFF) << 16; // BF16 is the upper half of an F32
            case F64 -> Float.floatToRawIntBits((float) raw.getAtIndex(DOUBLE_LE, i));
            default -> throw new IllegalStateException("dtype " + dtype + " was not rejected by checkTensor");
        };
    }

    private static void readFully(Input in, MemorySegment into, long position, String tensor, String source)
            throws IOException {
        for (long done = 0; done < into.byteSize(); ) {
            ByteBuffer chunk = into.asSlice(done, Math.min(IO_CHUNK, into.byteSize() - done))
                    .asByteBuffer();
            while (chunk.hasRemaining()) {
                int n = in.read(chunk, position + done);
                if (n < 0) {
                    throw new WeightFileException(
                            source,
                            tensor,
                            "tensor '" + tensor + "': file ended at byte " + (position + done)
                                    + " while reading its data; was it truncated while loading?");
                }
                done += n;
            }
        }
    }
}
