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
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * (e) Reading one entity's 100 events with {@code readEntity(EntityQuery.of(entity).withLimit(100))} from a store of
 * 100,000 events over 1,000 entities (appended round-robin, so an entity's events are ~1000
 * frames apart in the log). Baselines in the same run: positional FileChannel reads of exactly the
 * same 100 frames' bytes (positions found by walking the segment's frame headers once in setup),
 * without CRC check or decoding; and a single {@code get(eventId)} (compare readEntity with
 * 100 x get). Scores are microseconds per operation; all data is in the page cache.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class EntityReadBenchmark {
    static final int ENTITIES = 1000;
    static final int PER_ENTITY = 100;
    static final int SEGMENT_HEADER = 32;

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
        byte[] payload = new byte[200];
        int g = 0;
        for (int b = 0; b < PER_ENTITY; b++) {
            List<AppendRequest> batch = new ArrayList<>(ENTITIES);
            for (int i = 0; i < ENTITIES; i++) {
                batch.add(new AppendRequest(coordinates[i], kind, payload));
            }
            for (AppendReceipt r : store.appendBatch(batch)) {
                ids[g++] = r.eventId();
            }
        }
        store.sync();
        // Global event g (0-based) is entity g % 1000's event number g / 1000: walk the frame headers.
        raw = FileChannel.open(dir.resolve("segments").resolve("000001.fbat"), StandardOpenOption.READ);
        ByteBuffer head = ByteBuffer.allocate(8);
        long pos = SEGMENT_HEADER;
        for (int e = 0; e < ENTITIES * PER_ENTITY; e++) {
            head.clear();
            while (head.hasRemaining()) {
                if (raw.read(head, pos + head.position()) < 0) {
                    throw new IllegalStateException("segment ends at frame " + e);
                }
            }
            int body = head.getInt(0);
            frameOffset[e % ENTITIES][e / ENTITIES] = pos;
            frameLength[e % ENTITIES][e / ENTITIES] = 8 + body;
            pos += 8 + body;
        }
        if (pos != raw.size()) {
            throw new IllegalStateException("walked to " + pos + " but the segment holds " + raw.size() + " bytes");
        }
        List<StoredEvent> check = store.readEntity(EntityQuery.of(names[7]).withLimit(PER_ENTITY));
        if (check.size() != PER_ENTITY || !check.get(3).eventId().equals(ids[3 * ENTITIES + 7])) {
            throw new IllegalStateException("entity layout is not what the benchmark assumes");
        }
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
