package io.batpak.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Big-endian fields written to a file channel through one large buffer, with a running CRC32C of
 * every byte written. The checksum is updated once per buffer, not once per field (the stream
 * stack it replaces spent most of a checkpoint's time in per-field CRC updates). Not thread-safe.
 */
final class CrcChannelSink {
    private static final int BUFFER_BYTES = 1 << 20;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    private final CRC32C crc = new CRC32C();

    CrcChannelSink(FileChannel channel) {
        this.channel = channel;
    }

    CrcChannelSink putLong(long v) throws IOException {
        room(8).putLong(v);
        return this;
    }

    CrcChannelSink putInt(int v) throws IOException {
        room(4).putInt(v);
        return this;
    }

    CrcChannelSink putShort(int v) throws IOException {
        room(2).putShort((short) v);
        return this;
    }

    CrcChannelSink put(byte[] bytes) throws IOException {
        return put(bytes, 0, bytes.length);
    }

    CrcChannelSink put(byte[] bytes, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, room(1).remaining());
            buffer.put(bytes, off, n);
            off += n;
            len -= n;
        }
        return this;
    }

    /** A length-prefixed (u32) byte string. */
    CrcChannelSink putString(byte[] utf8) throws IOException {
        return putInt(utf8.length).put(utf8);
    }

    /** Writes out the buffer; returns the CRC32C of everything written so far. */
    int flush() throws IOException {
        buffer.flip();
        crc.update(buffer.array(), 0, buffer.limit());
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
        return (int) crc.getValue();
    }

    private ByteBuffer room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
        return buffer;
    }
}
