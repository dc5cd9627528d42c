package io.batpak.engine.projection;

import io.batpak.engine.util.Blake3Hasher;
import io.batpak.engine.AppendOptions;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.CheckedFiles;
import io.batpak.engine.util.Hex;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Layout and location of one persistent projection snapshot (docs/FORMAT.md, "Projection
 * snapshots"): {@code {root}/{name}/v{version}/{BLAKE3-256 hex of the entity}.snap}. The file
 * repeats name, version and entity so a misplaced or colliding file is recognised. Stateless.
 */
final class SnapshotFile {
    static final byte[] MAGIC = {'B', 'P', 'S', 'N'};
    static final int FORMAT_VERSION = 1;
    static final String SUFFIX = ".snap";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** The decoded fields besides the identity, which {@link #decode} has already checked. */
    record Content(long watermark, byte[] hash, long takenAtMs, byte[] state) {
    }

    private SnapshotFile() {
    }

    /** Refuses projection names that are not safe as a directory name on every platform. */
    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "projection name must be 1..128 characters of"
                    + " A-Z a-z 0-9 . _ - starting with a letter or digit, was " + name);
        }
        if (name.equals(".") || name.equals("..")) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "projection name must not be " + name);
        }
    }

    static Path versionDir(Path root, String name, int version) {
        return root.resolve(name).resolve("v" + version);
    }

    static Path path(Path root, String name, int version, String entity) {
        byte[] utf8 = entity.getBytes(StandardCharsets.UTF_8);
        byte[] h = Blake3Hasher.digest(utf8);
        return versionDir(root, name, version).resolve(Hex.encode(h) + SUFFIX);
    }

    static byte[] encode(String name, int version, String entity, long watermark, byte[] hash, long takenAtMs,
                         byte[] state) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] e = entity.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 4 + 4 + n.length + 4 + e.length + 8 + 32 + 8 + 4 + state.length + 4);
        b.put(MAGIC).putShort((short) FORMAT_VERSION).putInt(version);
        b.putInt(n.length).put(n).putInt(e.length).put(e);
        b.putLong(watermark).put(hash).putLong(takenAtMs);
        b.putInt(state.length).put(state);
        b.putInt(CheckedFiles.checksum(b.array(), b.position()));
        return b.array();
    }

    /** Decodes a snapshot written for exactly this name, version and entity; any mismatch or damage is an IOException naming it. */
    static Content decode(byte[] all, String name, int version, String entity) throws IOException {
        ByteBuffer b = CheckedFiles.open(all, MAGIC, FORMAT_VERSION);
        try {
            int v = b.getInt();
            String n = readString(b);
            String e = readString(b);
            if (v != version || !n.equals(name) || !e.equals(entity)) {
                throw new IOException("holds " + n + " v" + v + " of another entity or version");
            }
            long watermark = b.getLong();
            byte[] hash = new byte[32];
            b.get(hash);
            long takenAt = b.getLong();
            int len = b.getInt();
            if (len < 0 || len != b.remaining()) {
                throw new IOException("state length " + len + " does not fit the file");
            }
            byte[] state = new byte[len];
            b.get(state);
            if (watermark < AppendOptions.NO_EVENTS) {
                throw new IOException("watermark " + watermark);
            }
            return new Content(watermark, hash, takenAt, state);
        } catch (BufferUnderflowException | IllegalArgumentException ex) {
            throw new IOException("truncated or malformed: " + ex, ex);
        }
    }

    private static String readString(ByteBuffer b) throws IOException {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new IOException("string length " + len + " does not fit the file");
        }
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
