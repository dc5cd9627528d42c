package io.batpak.engine.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The frame shared by the store's checked files (projection and derivation snapshots,
 * docs/FORMAT.md): 4 magic bytes, a u16 format version, the body, and a CRC32C of every preceding
 * byte; and their atomic replacement. {@link #open} accepts a file only if its checksum, magic and
 * version all match; {@link #replace} leaves either the old or the new file after a crash.
 * Stateless, thread-safe.
 */
public final class CheckedFiles {
    private CheckedFiles() {
    }

    /**
     * The body of {@code all} (positioned after the version, limited before the CRC) if it is a
     * file of {@code magic} in {@code formatVersion}; an IOException saying what failed otherwise.
     */
    public static ByteBuffer open(byte[] all, byte[] magic, int formatVersion) throws IOException {
        if (all.length < magic.length + 2 + 4) {
            throw new IOException("shorter than its header (" + all.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all).getInt(all.length - 4)) {
            throw new IOException("checksum mismatch");
        }
        ByteBuffer b = ByteBuffer.wrap(all, 0, all.length - 4);
        byte[] m = new byte[magic.length];
        b.get(m);
        if (!Arrays.equals(m, magic)) {
            throw new IOException("bad magic");
        }
        int format = Short.toUnsignedInt(b.getShort());
        if (format != formatVersion) {
            throw new IOException("snapshot format " + format + ", this build reads " + formatVersion);
        }
        return b;
    }

    /** The CRC32C trailer of {@code bytes[0, length)}, as the file stores it. */
    public static int checksum(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /**
     * Replaces {@code file} by {@code bytes}: a temporary file in the same directory, forced,
     * renamed atomically over it, then the directory forced. The temporary file is removed on failure.
     */
    public static void replace(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            syncDirectory(file.getParent());
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Forces a directory's entries (new or renamed files) to disk, where the platform allows it. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for force; the files themselves are forced.
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
                throw new UncheckedIOException("cannot fsync directory " + dir, e);
            }
        }
    }
}
