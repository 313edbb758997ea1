package io.nerva.tensorboard;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard event files: every record is
 * <pre>
 *   uint64 length              little-endian
 *   uint32 masked_crc32c(length bytes)
 *   byte   data[length]
 *   uint32 masked_crc32c(data)
 * </pre>
 * with TensorFlow's mask {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}.
 */
public final class TfRecords {
    private static final int MASK_DELTA = 0xa282ead8;
    /** Records longer than this are refused when reading (a corrupt length would otherwise allocate gigabytes). */
    static final long MAX_RECORD = 1L << 30;

    private TfRecords() {}

    /** TensorFlow's masked CRC32C of {@code data[offset, offset + length)}. */
    public static int maskedCrc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /** Writes one framed record. */
    public static void write(OutputStream out, byte[] data) throws IOException {
        byte[] header = ByteBuffer.allocate(12)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(data.length)
                .array();
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(8, maskedCrc32c(header, 0, 8));
        out.write(header);
        out.write(data);
        out.write(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(maskedCrc32c(data, 0, data.length))
                .array());
    }

    /**
     * Reads the next record, checking both CRCs; null at a clean end of the stream.
     *
     * @param source names the file in error messages
     * @param offset the byte offset of the record in the file, for error messages
     * @throws IOException a truncated record or a CRC mismatch, saying which and where
     */
    public static byte[] read(InputStream in, String source, long offset) throws IOException {
        byte[] header = new byte[12];
        int got = in.readNBytes(header, 0, 12);
        if (got == 0) return null;
        if (got < 12) {
            throw new EOFException(
                    source + ": truncated record header at byte " + offset + ": expected 12 bytes, got " + got);
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long length = h.getLong(0);
        int lengthCrc = h.getInt(8);
        int expected = maskedCrc32c(header, 0, 8);
        if (lengthCrc != expected) {
            throw new IOException(String.format(
                    "%s: record at byte %d: length CRC is 0x%08x, expected 0x%08x (corrupt or not an event file)",
                    source, offset, lengthCrc, expected));
        }
        if (length < 0 || length > MAX_RECORD) {
            throw new IOException(source + ": record at byte " + offset + " claims " + Long.toUnsignedString(length)
                    + " bytes, more than the " + MAX_RECORD + " allowed");
        }
        byte[] data = in.readNBytes((int) length);
        byte[] footer = in.readNBytes(4);
        if (data.length < length || footer.length < 4) {
            throw new EOFException(source + ": truncated record at byte " + offset + ": expected " + length
                    + " data bytes and a 4-byte CRC, the file ends after " + (data.length + footer.length));
        }
        int dataCrc = ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int want = maskedCrc32c(data, 0, data.length);
        if (dataCrc != want) {
            throw new IOException(String.format(
                    "%s: record at byte %d: data CRC is 0x%08x, expected 0x%08x (corrupt record)",
                    source, offset, dataCrc, want));
        }
        return data;
    }

    /** Bytes a record of {@code dataLength} takes in the file. */
    public static long framedLength(long dataLength) {
        return 16 + dataLength;
    }
}
