package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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
 * (e) Reading one entity's 100 events (100,000 events over 1,000 entities, so an entity's events
 * are spread across the log) against 100 raw positional reads of the same size at random places
 * in the same segment file: the I/O without the index, CRC check and decoding.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class EntityReadBenchmark {
    Path dir;
    EventStore store;
    FileChannel raw;
    long segmentSize;

    @Setup
    public void build() throws IOException {
        dir = BenchFiles.tempDir("read");
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        EventKind kind = EventKind.of(0xF, 1);
        for (int b = 0; b < 100; b++) {
            List<AppendRequest> batch = new ArrayList<>(1000);
            for (int i = 0; i < 1000; i++) {
                batch.add(new AppendRequest(new Coordinate("entity-" + i, "scope"), kind, new byte[200]));
            }
            store.appendBatch(batch);
        }
        raw = FileChannel.open(dir.resolve("segments").resolve("000001.fbat"), StandardOpenOption.READ);
        segmentSize = raw.size();
    }

    @TearDown
    public void close() throws IOException {
        raw.close();
        store.close();
        BenchFiles.delete(dir);
    }

    @Benchmark
    public Object batpakReadEntity100() {
        return store.readEntity("entity-" + ThreadLocalRandom.current().nextInt(1000), 0, 100);
    }

    @Benchmark
    public int baselineRawPositionalReads100() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1024);
        int n = 0;
        for (int i = 0; i < 100; i++) {
            b.clear();
            n += raw.read(b, ThreadLocalRandom.current().nextLong(segmentSize - 1024));
        }
        return n;
    }
}
