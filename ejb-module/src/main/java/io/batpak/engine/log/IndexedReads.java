package io.batpak.engine.log;

import io.batpak.engine.Coordinate;
import io.batpak.engine.CorruptLogException;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.VerifyResult;
import io.batpak.engine.index.EntityState;
import io.batpak.engine.index.StoreIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the events the index points to from the segment files: one event, a list of them, and an
 * entity's whole chain for verification. Thread-safe (positional reads; the index is read
 * lock-free), and safe against compaction moving an event during the read (see
 * {@link #readRecord}).
 */
public final class IndexedReads {
    private final Path dataDir;
    private final StoreIndex index;
    private final SegmentReader reader;

    public IndexedReads(Path dataDir, StoreIndex index, SegmentReader reader) {
        this.dataDir = dataDir;
        this.index = index;
        this.reader = reader;
    }

    /** The events at these global indexes, in the given order. */
    public List<StoredEvent> readAll(int[] indexes) {
        List<StoredEvent> out = new ArrayList<>(indexes.length);
        for (int i : indexes) {
            out.add(read(i));
        }
        return out;
    }

    /** The event at global index {@code i}. */
    public StoredEvent read(int i) {
        return readRecord(i).toStoredEvent();
    }

    /**
     * Reads event {@code i}'s frame. Compaction and scavenging may move the event while we read:
     * then the old file can be gone or replaced, so a failed read is retried when the event's
     * position changed or a relocation ran meanwhile (or is running: its new positions are not all
     * in the index yet). A frame is accepted only if it holds the expected event id, and a
     * CRC-valid frame with that id is that event, whichever file copy it came from.
     */
    public LogRecord readRecord(int i) {
        for (int attempt = 0; ; attempt++) {
            long relocations = reader.relocations();
            long pos = index.position(i);
            StoreException failure;
            try {
                LogRecord r = reader.read(StoreIndex.segmentOf(pos), StoreIndex.offsetOf(pos), true);
                if (r.idHi == index.idHi(i) && r.idLo == index.idLo(i)) {
                    return r;
                }
                failure = new CorruptLogException(SegmentFiles.path(dataDir, StoreIndex.segmentOf(pos)),
                        StoreIndex.offsetOf(pos), "frame holds another event than the index points to");
            } catch (StoreException e) {
                failure = e;
            }
            boolean moved = index.position(i) != pos || reader.relocations() != relocations || (relocations & 1) == 1;
            if (!moved || attempt >= MAX_RELOCATION_RETRIES) {
                throw failure;
            }
            if ((reader.relocations() & 1) == 1) {
                // A relocation renames one file and moves its positions: a few ms at most.
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        }
    }

    /** Bounds the retries of a read that keeps meeting relocations: about 2 s of waiting in all. */
    private static final int MAX_RELOCATION_RETRIES = 20_000;

    /** Recomputes the chain of entity {@code e} (at {@code entity}) from disk and reports the first sequence that fails. */
    public VerifyResult verify(Coordinate entity, EntityState e) {
        int n = index.entityVisibleEvents(e);
        int from = Math.min(index.firstKept(e, n), n);
        int[] events = index.entityEvents(e, from, Math.max(n - from, 1));
        EventHasher hasher = new EventHasher();
        byte[] prev = null; // the first kept event's link is the anchor (all zeros when it is sequence 0)
        for (int k = 0; k < events.length; k++) {
            long seq = from + (long) k;
            LogRecord r;
            try {
                r = readRecord(events[k]);
            } catch (StoreException ex) {
                return new VerifyResult(entity.entity(), k + 1L, false, seq, from);
            }
            boolean linked = prev == null ? from > 0 || Arrays.equals(new byte[32], r.prevHash) : Arrays.equals(prev, r.prevHash);
            if (r.sequence != seq || !entity.entity().equals(r.entity) || !entity.scope().equals(r.scope)
                    || !linked || !hasher.verify(r)) {
                return new VerifyResult(entity.entity(), k + 1L, false, seq, from);
            }
            prev = r.hash.clone();
        }
        return new VerifyResult(entity.entity(), events.length, true, -1, from);
    }
}
