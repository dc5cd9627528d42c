package io.batpak.bench;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (e) Reading one entity's 100 events with {@code readEntity(EntityQuery.of(entity).withLimit(100))} from a store of
 * 100,000 events over 1,000 entities (appended round-robin, so an entity's events are ~1000
 * frames apart in the log). Baselines in the same run: positional FileChannel reads of exactly the
 * same 100 frames' bytes (positions found by walking the segment's frame headers once in setup,
 * and checked there: every entity's n-th raw frame holds the event id, chain hash and payload of
 * the n-th event readEntity returns), one positional read per frame into a fresh buffer, without
 * CRC check or decoding; and a single {@code get(eventId)} (compare readEntity with 100 x get).
 * Payloads are distinct per event so that the check cannot match the wrong frame. Scores are
 * microseconds per operation; all data is in the page cache. Default settings: 2 x 10 s warm-up,
 * 3 x 10 s measurement, 1 fork (benchmarks/engine.sh's).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
public class EntityReadBenchmark {
    static final int ENTITIES = 1000;
    static final int PER_ENTITY = 100;

    Path dir;
    EventStore store;
    FileChannel raw;
    String[] names = new String[ENTITIES];
    /** Frame offset and total length (header + body) of entity k's n-th event. */
    long[][] frameOffset = new long[ENTITIES][PER_ENTITY];
    int[][] frameLength = new int[ENTITIES][PER_ENTITY];
    UUID[] ids = new UUID[ENTITIES * PER_ENTITY];

    @Setup
    public void build() throws IOException {
        dir = BenchFiles.tempDir("read");
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        EventKind kind = EventKind.of(0xF, 1);
        Coordinate[] coordinates = new Coordinate[ENTITIES];
        for (int i = 0; i < ENTITIES; i++) {
            names[i] = "entity-" + i;
            coordinates[i] = new Coordinate(names[i], "scope-" + i % 16);
        }
        int g = 0;
        for (int b = 0; b < PER_ENTITY; b++) {
            List<AppendRequest> batch = new ArrayList<>(ENTITIES);
            for (int i = 0; i < ENTITIES; i++) {
                batch.add(new AppendRequest(coordinates[i], kind, payload(b * ENTITIES + i)));
            }
            for (AppendReceipt r : store.appendBatch(batch)) {
                ids[g++] = r.eventId();
            }
        }
        store.sync();
        // Global event g (0-based) is entity g % 1000's event number g / 1000: walk the frame headers.
        raw = FileChannel.open(EngineFormat.firstSegment(dir), StandardOpenOption.READ);
        ByteBuffer head = ByteBuffer.allocate(EngineFormat.FRAME_HEADER_BYTES);
        long pos = EngineFormat.SEGMENT_HEADER_BYTES;
        for (int e = 0; e < ENTITIES * PER_ENTITY; e++) {
            head.clear();
            while (head.hasRemaining()) {
                if (raw.read(head, pos + head.position()) < 0) {
                    throw new IllegalStateException("segment ends at frame " + e);
                }
            }
            int length = EngineFormat.frameLength(head);
            frameOffset[e % ENTITIES][e / ENTITIES] = pos;
            frameLength[e % ENTITIES][e / ENTITIES] = length;
            pos += length;
        }
        if (pos != raw.size()) {
            throw new IllegalStateException("walked to " + pos + " but the segment holds " + raw.size() + " bytes");
        }
        for (int k = 0; k < ENTITIES; k++) {
            checkSameFrames(k);
        }
    }

    /** 16 distinct bytes (the event number, repeated) then zeros up to 200 bytes. */
    static byte[] payload(int n) {
        byte[] p = new byte[200];
        ByteBuffer.wrap(p).putInt(n).putInt(~n).putInt(n * 31).putInt(n ^ 0x5A5A5A5A);
        return p;
    }

    /** Entity k's raw frames are, in order, the frames of the events readEntity returns for it. */
    private void checkSameFrames(int k) throws IOException {
        List<StoredEvent> events = store.readEntity(EntityQuery.of(names[k]).withLimit(PER_ENTITY));
        if (events.size() != PER_ENTITY) {
            throw new IllegalStateException(names[k] + " has " + events.size() + " events, expected " + PER_ENTITY);
        }
        for (int i = 0; i < PER_ENTITY; i++) {
            StoredEvent ev = events.get(i);
            ByteBuffer b = ByteBuffer.allocate(frameLength[k][i]);
            while (b.hasRemaining()) {
                raw.read(b, frameOffset[k][i] + b.position());
            }
            byte[] frame = b.array();
            if (!ev.eventId().equals(ids[i * ENTITIES + k]) || indexOf(frame, ev.hash()) < 0
                    || indexOf(frame, ev.payload()) < 0 || indexOf(frame, payload(i * ENTITIES + k)) < 0) {
                throw new IllegalStateException("raw frame " + i + " of " + names[k] + " at " + frameOffset[k][i]
                        + " is not the frame of event " + ev.eventId());
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @TearDown
    public void close() throws IOException {
        raw.close();
        store.close();
        BenchFiles.delete(dir);
    }

    @Benchmark
    public List<StoredEvent> batpakReadEntity100() {
        return store.readEntity(EntityQuery.of(names[ThreadLocalRandom.current().nextInt(ENTITIES)]).withLimit(PER_ENTITY));
    }

    @Benchmark
    public long baselineRawFrameReads100() throws IOException {
        int k = ThreadLocalRandom.current().nextInt(ENTITIES);
        long[] offsets = frameOffset[k];
        int[] lengths = frameLength[k];
        long sum = 0;
        for (int i = 0; i < PER_ENTITY; i++) {
            ByteBuffer b = ByteBuffer.allocate(lengths[i]);
            while (b.hasRemaining()) {
                raw.read(b, offsets[i] + b.position());
            }
            sum += b.get(8);
        }
        return sum;
    }

    @Benchmark
    public Optional<StoredEvent> batpakGetOne() {
        return store.get(EventLookup.of(ids[ThreadLocalRandom.current().nextInt(ids.length)]));
    }
}
