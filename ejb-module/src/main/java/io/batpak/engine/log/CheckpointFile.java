package io.batpak.engine.log;

import io.batpak.engine.index.EntityState;
import io.batpak.engine.index.IdempotencyRecord;
import io.batpak.engine.index.ScopeState;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.HybridClock;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * An index snapshot plus the log position it covers, so a restart reads only the frames after
 * it. Written to a temporary file, forced, then atomically renamed over {@code {data-dir}/index.ckpt}
 * (and the directory forced), so a crash leaves either the old or the new checkpoint. Layout,
 * big-endian: magic "BPCK", version u16, segment id u64, offset u64, event count u32, HLC ms i64,
 * HLC counter u32, scopes (u32 count; names as u32 length + UTF-8), entities (u32 count; name,
 * scope id u32, chain head 32 bytes each; version 2 keys entities by name and scope), per event (event id 16, position u64, entity id u32, scope id u32, kind u16),
 * idempotency keys (u32 count; key, event index u32, fingerprint 16), then CRC32C u32 of all
 * preceding bytes. A checkpoint that fails any check is discarded and the index rebuilt from the
 * segments: it is a cache, never the only copy of anything.
 */
public final class CheckpointFile {
    private static final Logger LOG = System.getLogger(CheckpointFile.class.getName());
    static final byte[] MAGIC = {'B', 'P', 'C', 'K'};
    /** 2: entities are keyed by coordinate (name and scope); version 1 files are discarded and rebuilt. */
    static final int VERSION = 2;
    static final String NAME = "index.ckpt";

    /** The log position a loaded checkpoint covers. */
    public record Covered(long segmentId, long offset, int events) {
    }

    private CheckpointFile() {
    }

    public static Path path(Path dataDir) {
        return dataDir.resolve(NAME);
    }

    /**
     * What a checkpoint covers, captured by the writer thread between groups: the log position, the
     * clock, the counts, and a copy of every entity's chain head (the only index state that changes in
     * place as the writer goes on). Everything else is read from the index when the file is written,
     * on any thread: event columns below {@code events}, entities and scopes never change, except
     * positions moved by compaction, which waits for a checkpoint in flight ({@link CheckpointStage}).
     */
    record Snapshot(long segmentId, long offset, int events, long clockMs, int clockCounter, int scopes, int entities,
                    byte[][] heads) {
        private static final int HEADS_PER_CHUNK_BITS = 15;

        /** Captures the index as published now (writer thread, with every handed-off group published). */
        static Snapshot capture(StoreIndex index, HybridClock clock, long segmentId, long offset) {
            int entities = index.entityCount();
            byte[][] heads = new byte[(entities >>> HEADS_PER_CHUNK_BITS) + 1][];
            for (int c = 0; c < heads.length; c++) {
                int from = c << HEADS_PER_CHUNK_BITS;
                int n = Math.min(entities - from, 1 << HEADS_PER_CHUNK_BITS);
                heads[c] = new byte[n * 32];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(index.entityById(from + i).lastHash, 0, heads[c], i * 32, 32);
                }
            }
            return new Snapshot(segmentId, offset, index.count(), clock.lastMs(), clock.lastCounter(), index.scopeCount(),
                    entities, heads);
        }

        void writeHead(int entity, CrcChannelSink out) throws IOException {
            out.put(heads[entity >>> HEADS_PER_CHUNK_BITS], (entity & ((1 << HEADS_PER_CHUNK_BITS) - 1)) * 32, 32);
        }
    }

    /** Writes a checkpoint of {@code snapshot}; any thread, one checkpoint at a time. */
    static void write(Path dataDir, StoreIndex index, Snapshot snapshot) throws IOException {
        try {
            writeAndRename(dataDir, index, snapshot);
        } catch (IOException | RuntimeException e) {
            // A full disk leaves a partial temporary file: remove it so it does not keep the space.
            try {
                Files.deleteIfExists(dataDir.resolve(NAME + ".tmp"));
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static void writeAndRename(Path dataDir, StoreIndex index, Snapshot snap) throws IOException {
        Path target = path(dataDir);
        Path tmp = dataDir.resolve(NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            CrcChannelSink out = new CrcChannelSink(ch);
            out.put(MAGIC).putShort(VERSION).putLong(snap.segmentId()).putLong(snap.offset()).putInt(snap.events())
                    .putLong(snap.clockMs()).putInt(snap.clockCounter());
            out.putInt(snap.scopes());
            for (int i = 0; i < snap.scopes(); i++) {
                out.putString(index.scopeById(i).nameUtf8);
            }
            out.putInt(snap.entities());
            for (int i = 0; i < snap.entities(); i++) {
                EntityState e = index.entityById(i);
                out.putString(e.nameUtf8).putInt(e.scope.id);
                snap.writeHead(i, out);
            }
            for (int i = 0; i < snap.events(); i++) {
                out.putLong(index.idHi(i)).putLong(index.idLo(i)).putLong(index.position(i)).putInt(index.entityId(i))
                        .putInt(index.scopeId(i)).putShort(index.kind(i));
            }
            // Keys are never removed or moved; those of later events are left for the next checkpoint.
            List<Map.Entry<String, IdempotencyRecord>> keys = new ArrayList<>();
            for (Map.Entry<String, IdempotencyRecord> k : index.idempotencyView().entrySet()) {
                if (k.getValue().eventIndex() < snap.events()) {
                    keys.add(k);
                }
            }
            out.putInt(keys.size());
            for (Map.Entry<String, IdempotencyRecord> k : keys) {
                out.putString(k.getKey().getBytes(StandardCharsets.UTF_8)).putInt(k.getValue().eventIndex())
                        .putLong(k.getValue().fingerprintHi()).putLong(k.getValue().fingerprintLo());
            }
            int sum = out.flush();
            ByteBuffer tail = ByteBuffer.allocate(4).putInt(sum).flip();
            while (tail.hasRemaining()) {
                ch.write(tail);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        SegmentFiles.syncDirectory(dataDir);
    }

    /**
     * Loads the checkpoint into an empty {@code index}, or returns {@code null} (logging why) if there
     * is none or it fails a check; in that case {@code index} must be discarded.
     */
    public static Covered load(Path dataDir, StoreIndex index, HybridClock clock) {
        Path file = path(dataDir);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read checkpoint {0} ({1}); rebuilding the index from the segments", file, e);
            return null;
        }
        try {
            return parse(all, index, clock);
        } catch (RuntimeException e) {
            // Any parse failure (also e.g. a negative count that passed the checksum) discards the cache.
            LOG.log(Level.WARNING, "discarding checkpoint {0}: {1}; rebuilding the index from the segments",
                    file, e.getMessage());
            return null;
        }
    }

    private static Covered parse(byte[] all, StoreIndex index, HybridClock clock) {
        if (all.length < 4 + 2 + 4) {
            throw new IllegalStateException("file is " + all.length + " bytes, too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        ByteBuffer b = ByteBuffer.wrap(all);
        if ((int) crc.getValue() != b.getInt(all.length - 4)) {
            throw new IllegalStateException("checksum mismatch");
        }
        b.limit(all.length - 4);
        for (byte m : MAGIC) {
            if (b.get() != m) {
                throw new IllegalStateException("bad magic");
            }
        }
        int version = Short.toUnsignedInt(b.getShort());
        if (version != VERSION) {
            throw new IllegalStateException("checkpoint version " + version + " is not " + VERSION);
        }
        long segmentId = b.getLong();
        long offset = b.getLong();
        int events = b.getInt();
        clock.observe(b.getLong(), b.getInt());
        int scopes = b.getInt();
        ScopeState[] ss = new ScopeState[scopes];
        for (int i = 0; i < scopes; i++) {
            ss[i] = index.scopeOrCreate(readString(b));
        }
        int entities = b.getInt();
        EntityState[] es = new EntityState[entities];
        for (int i = 0; i < entities; i++) {
            String name = readString(b);
            int scope = b.getInt();
            if (scope < 0 || scope >= scopes) {
                throw new IllegalStateException("entity " + i + " names scope " + scope + " of " + scopes);
            }
            es[i] = index.entityOrCreate(name, ss[scope].name);
            b.get(es[i].lastHash);
        }
        index.reserve(events);
        presizeLists(b, events, index, es, ss);
        index.deferIds();
        for (int i = 0; i < events; i++) {
            long hi = b.getLong();
            long lo = b.getLong();
            long pos = b.getLong();
            int entity = b.getInt();
            int scope = b.getInt();
            int kind = Short.toUnsignedInt(b.getShort());
            if (ss[scope] != es[entity].scope) {
                throw new IllegalStateException("event " + i + " names scope " + scope + " apart from its entity's");
            }
            index.apply(hi, lo, es[entity], kind, pos, null, null, 0, 0); // chain heads came with the entities
        }
        index.indexDeferredIds();
        int keys = b.getInt();
        for (int i = 0; i < keys; i++) {
            String key = readString(b);
            int idx = b.getInt();
            if (idx < 0 || idx >= events) {
                throw new IllegalStateException("idempotency key points at event " + idx + " of " + events);
            }
            index.putIdempotency(key, new IdempotencyRecord(idx, b.getLong(), b.getLong()));
        }
        if (b.hasRemaining()) {
            throw new IllegalStateException(b.remaining() + " unexpected trailing bytes");
        }
        index.publish();
        return new Covered(segmentId, offset, events);
    }

    /** Bytes of one event record: id 16, position 8, entity id 4, scope id 4, kind 2. */
    private static final int EVENT_RECORD_BYTES = 34;

    /** Counts the event records ahead (without moving {@code b}) and sizes the index's lists for them. */
    private static void presizeLists(ByteBuffer b, int events, StoreIndex index, EntityState[] es, ScopeState[] ss) {
        if (events < 0 || (long) events * EVENT_RECORD_BYTES > b.remaining()) {
            throw new IllegalStateException(events + " events do not fit in the " + b.remaining() + " bytes left");
        }
        int[] perEntity = new int[es.length];
        int[] perScope = new int[ss.length];
        int[] perKind = new int[1 << 16];
        int at = b.position();
        for (int i = 0; i < events; i++, at += EVENT_RECORD_BYTES) {
            int entity = b.getInt(at + 24);
            int scope = b.getInt(at + 28);
            if (entity < 0 || entity >= es.length || scope < 0 || scope >= ss.length) {
                throw new IllegalStateException("event " + i + " names entity " + entity + " / scope " + scope + " out of range");
            }
            perEntity[entity]++;
            perScope[scope]++;
            perKind[Short.toUnsignedInt(b.getShort(at + 32))]++;
        }
        index.presize(es, perEntity, ss, perScope, perKind);
    }

    private static String readString(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalStateException("string length " + n + " is out of range");
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
