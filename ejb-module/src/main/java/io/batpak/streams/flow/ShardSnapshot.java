package io.batpak.streams.flow;

import io.batpak.engine.util.Blake3Hasher;
import io.batpak.engine.util.CheckedFiles;
import io.batpak.engine.util.Hex;
import io.batpak.streams.flow.FlowCodec.Source;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A shard's state and checkpoint as of one of its records, in a file (docs/FORMAT.md, "Derivation
 * snapshots"): {@code {data-dir}/derivations/{BLAKE3-256 hex of the name}/{shard}.snap}. It is a
 * cache, never the only copy: the shard's records in the log stay the truth, and a snapshot is used
 * only if every check passes (magic, format, CRC32C, the derivation, shard and shard count it names)
 * and the log still holds, at the sequence it covers, a record with the chain hash it recorded;
 * anything else is ignored with a warning and the shard rebuilds from its whole log.
 *
 * <p>Why a file and not snapshot records in the log: a snapshot in the log would add the whole state
 * to the log (and its index) every few steps, for ever, since the log is append-only; a file is
 * replaced in place, costs nothing to lose, and the hash check ties it to exactly the log prefix it
 * covers. A crash between a snapshot write and the durability of the commit it covers leaves a file
 * ahead of the log: its sequence is then missing or holds another record (another hash), so it is
 * ignored. The projection snapshot files ({@code io.batpak.engine.projection}) follow the same rules
 * but are internal to that package and hold one opaque state per entity, so this mirrors them.
 *
 * <p>Written by {@link CheckedFiles#replace}: a crash leaves the old or the new file. Stateless; {@link #write} and {@link #read} are thread-safe.
 */
final class ShardSnapshot {
    private static final Logger LOG = System.getLogger(ShardSnapshot.class.getName());
    static final byte[] MAGIC = {'B', 'P', 'D', 'S'};
    static final int FORMAT_VERSION = 1;

    /** What a snapshot holds: the shard's state and checkpoint after its record {@code sequence}, of chain hash {@code hash}. */
    record Content(String derivation, int shards, int shard, long sequence, byte[] hash,
                   Map<Source, Long> checkpoint, Map<String, byte[]> state) {
    }

    private ShardSnapshot() {
    }

    static Path path(Path dataDir, String derivation, int shard) {
        byte[] h = Blake3Hasher.digest(derivation.getBytes(StandardCharsets.UTF_8));
        return dataDir.resolve("derivations").resolve(Hex.encode(h)).resolve(shard + ".snap");
    }

    static byte[] encode(Content c) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + c.state().size() * 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeShort(FORMAT_VERSION);
            writeString(out, c.derivation());
            out.writeInt(c.shards());
            out.writeInt(c.shard());
            out.writeLong(c.sequence());
            out.write(c.hash());
            out.writeInt(c.checkpoint().size());
            for (Map.Entry<Source, Long> e : c.checkpoint().entrySet()) {
                writeString(out, e.getKey().stream());
                out.writeInt(e.getKey().partition());
                out.writeLong(e.getValue());
            }
            out.writeInt(c.state().size());
            for (Map.Entry<String, byte[]> e : c.state().entrySet()) {
                writeString(out, e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
            byte[] body = bytes.toByteArray();
            out.writeInt(CheckedFiles.checksum(body, body.length));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** Decodes a snapshot of exactly this derivation, shard count and shard; any mismatch or damage is an IOException naming it. */
    static Content decode(byte[] all, String derivation, int shards, int shard) throws IOException {
        ByteBuffer b = CheckedFiles.open(all, MAGIC, FORMAT_VERSION);
        try {
            String name = readString(b);
            int n = b.getInt();
            int index = b.getInt();
            if (!name.equals(derivation) || n != shards || index != shard) {
                throw new IOException("holds shard " + index + " of " + n + " of derivation " + name);
            }
            long sequence = b.getLong();
            byte[] hash = new byte[Blake3Hasher.OUT_BYTES];
            b.get(hash);
            Map<Source, Long> checkpoint = new HashMap<>();
            for (int i = count(b, 16); i > 0; i--) {
                checkpoint.put(new Source(readString(b), b.getInt()), b.getLong());
            }
            int keys = count(b, 8);
            Map<String, byte[]> state = new HashMap<>(Math.max(16, keys * 4 / 3 + 1));
            for (int i = keys; i > 0; i--) {
                String key = readString(b);
                byte[] value = new byte[count(b, 1)];
                b.get(value);
                state.put(key, value);
            }
            if (b.hasRemaining()) {
                throw new IOException(b.remaining() + " bytes after the state");
            }
            if (sequence < 0) {
                throw new IOException("covers sequence " + sequence);
            }
            return new Content(name, n, index, sequence, hash, checkpoint, state);
        } catch (BufferUnderflowException | IllegalArgumentException ex) {
            throw new IOException("truncated or malformed: " + ex, ex);
        }
    }

    /** A count or length that must fit the rest of the file, each item taking at least {@code minBytes}. */
    private static int count(ByteBuffer b, int minBytes) throws IOException {
        int n = b.getInt();
        if (n < 0 || (long) n * minBytes > b.remaining()) {
            throw new IOException("count " + n + " does not fit the file");
        }
        return n;
    }

    private static String readString(ByteBuffer b) throws IOException {
        byte[] s = new byte[count(b, 1)];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /** Writes {@code c} to {@code file} atomically; a failure is logged and ignored (a snapshot is only a cache). */
    static void write(Path file, Content c) {
        try {
            CheckedFiles.replace(file, encode(c));
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "cannot write derivation snapshot {0}: {1}", file, e.getMessage());
        }
    }

    /** The snapshot in {@code file} if it passes every check of its own (not yet the log's hash); empty, with a warning, if not. */
    static Optional<Content> read(Path file, String derivation, int shards, int shard) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read derivation snapshot {0}: {1}; rebuilding from the log", file, e.getMessage());
            return Optional.empty();
        }
        try {
            return Optional.of(decode(all, derivation, shards, shard));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "ignoring damaged derivation snapshot {0}: {1}; rebuilding from the log", file,
                    e.getMessage());
            return Optional.empty();
        }
    }
}
