package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreStats;
import io.batpak.engine.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * (b) Bulk appends from one thread with sync mode NEVER, in atomic batches of 1000 events of
 * 200-byte payloads spread over 10,000 entities in 16 scopes; baseline: the same number of
 * 200-byte records (plus an 8-byte length/crc header each) written to a FileChannel in one
 * 1000-record chunk per call, without fsync. Scores are events per second.
 *
 * <p>The baseline wraps around to offset 0 every 256 MiB (the engine's segment size) so that it
 * keeps measuring the write path rather than page-cache writeback throttling.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@State(Scope.Thread)
public class BulkAppendBenchmark {
    static final int BATCH = 1000;
    static final int PAYLOAD = 200;
    static final int ENTITIES = 10_000;
    static final long WRAP = 256L << 20;

    Path dir;
    EventStore store;
    FileChannel baseline;
    long baselinePosition;
    final ByteBuffer chunk = ByteBuffer.allocateDirect(BATCH * (PAYLOAD + 8));
    final Coordinate[] coordinates = new Coordinate[ENTITIES];
    final EventKind kind = EventKind.of(0xF, 1);
    final byte[] payload = new byte[PAYLOAD];
    int next;
    /**
     * The store's checkpoint interval: the engine default (1,000,000 events) unless overridden;
     * {@code -p checkpointEvery=0} turns periodic checkpoints off, to see what they cost.
     */
    @Param({"1000000"})
    long checkpointEvery;

    @Setup
    public void open() throws IOException {
        dir = BenchFiles.tempDir("bulk");
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER)
                .withCheckpointIntervalEvents(checkpointEvery));
        baseline = FileChannel.open(dir.resolve("baseline"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        for (int i = 0; i < ENTITIES; i++) {
            coordinates[i] = new Coordinate("entity-" + i, "scope-" + i % 16);
        }
        for (int i = 0; i < PAYLOAD; i++) {
            payload[i] = (byte) i;
        }
    }

    @TearDown
    public void close() throws IOException {
        StoreStats s = store.stats(ScopeGrants.ALL);
        if (s.events() > 0) {
            System.out.printf("%n[batpak] events=%,d segments=%d bytes/event=%.0f fsyncs=%d fsyncTotal=%d ms"
                            + " maxFsync=%d ms%n", s.events(), s.segments(), s.bytes() / (double) s.events(), s.fsyncs(),
                    s.fsyncNanosTotal() / 1_000_000, s.fsyncNanosMax() / 1_000_000);
        }
        store.close();
        baseline.close();
        BenchFiles.delete(dir);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object batpakAppendBatch1000() {
        List<AppendRequest> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(new AppendRequest(coordinates[next++ % ENTITIES], kind, payload));
        }
        return store.appendBatch(batch);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int baselineFileChannelWrite1000() throws IOException {
        chunk.clear();
        for (int i = 0; i < BATCH; i++) {
            chunk.putInt(PAYLOAD).putInt(i).put(payload);
        }
        chunk.flip();
        int n = 0;
        while (chunk.hasRemaining()) {
            n += baseline.write(chunk, baselinePosition + n);
        }
        baselinePosition += n;
        if (baselinePosition >= WRAP) {
            baselinePosition = 0;
        }
        return n;
    }
}
