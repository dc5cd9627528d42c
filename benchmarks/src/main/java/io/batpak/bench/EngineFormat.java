package io.batpak.bench;

import io.batpak.engine.ScopeGrants;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The few facts about the engine's on-disk format that the baselines need, kept in one place so
 * that a change of the engine (or of its packages) is fixed here only. Guarantees: the frame size
 * is measured through the public API (bytes on disk before and after one append), never copied
 * from engine constants; the layout constants below mirror docs/FORMAT.md (segment header of 32
 * bytes, then frames of a 4-byte big-endian body length, a 4-byte CRC32C and the body).
 */
final class EngineFormat {
    /** Bytes of the header at the start of every segment file (docs/FORMAT.md). */
    static final int SEGMENT_HEADER_BYTES = 32;
    /** Bytes of a frame's header: body length then CRC32C, both 4-byte big-endian. */
    static final int FRAME_HEADER_BYTES = 8;

    private EngineFormat() {
    }

    /** The first segment file of a store in {@code dir} (segments are numbered from 1). */
    static Path firstSegment(Path dir) {
        return dir.resolve("segments").resolve("000001.fbat");
    }

    /** Total length (header + body) of the frame whose 8-byte header is in {@code header}. */
    static int frameLength(ByteBuffer header) {
        return FRAME_HEADER_BYTES + header.getInt(0);
    }

    /**
     * Bytes one single (non-batch) append of a {@code payloadBytes} payload under
     * {@code coordinate} takes on disk, frame header included: measured by appending twice to a
     * throwaway store and taking the growth of {@code stats().bytes()} for the second append
     * (the first one also pays the segment header).
     */
    static int frameBytes(Coordinate coordinate, EventKind kind, int payloadBytes) {
        Path dir = BenchFiles.tempDir("frame-size");
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            s.append(coordinate, kind, new byte[payloadBytes]);
            long before = s.stats(ScopeGrants.ALL).bytes();
            s.append(coordinate, kind, new byte[payloadBytes]);
            return Math.toIntExact(s.stats(ScopeGrants.ALL).bytes() - before);
        } finally {
            BenchFiles.delete(dir);
        }
    }
}
