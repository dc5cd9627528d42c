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
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * (b) Bulk appends from one thread with sync mode "never", in atomic batches of 1000 events of
 * 200 bytes over 10,000 entities; baseline: the same number of 200-byte records written to a
 * FileChannel in chunks of 1000 without fsync. Scores are events per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@State(Scope.Thread)
public class BulkAppendBenchmark {
    static final int BATCH = 1000;
    Path dir;
    EventStore store;
    FileChannel baseline;
    ByteBuffer chunk = ByteBuffer.allocate(BATCH * 208);
    Coordinate[] coordinates = new Coordinate[10_000];
    final EventKind kind = EventKind.of(0xF, 1);
    final byte[] payload = new byte[200];
    int next;

    @Setup
    public void open() throws IOException {
        dir = BenchFiles.tempDir("bulk");
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        baseline = FileChannel.open(dir.resolve("baseline"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        for (int i = 0; i < coordinates.length; i++) {
            coordinates[i] = new Coordinate("entity-" + i, "scope-" + i % 16);
        }
    }

    @TearDown
    public void close() throws IOException {
        store.close();
        baseline.close();
        BenchFiles.delete(dir);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object batpakBatchAppend() {
        List<AppendRequest> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(new AppendRequest(coordinates[next++ % coordinates.length], kind, payload));
        }
        return store.appendBatch(batch);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int baselineFileChannelWrite() throws IOException {
        chunk.clear();
        for (int i = 0; i < BATCH; i++) {
            chunk.putInt(200).putInt(i).put(payload);
        }
        chunk.flip();
        int n = 0;
        while (chunk.hasRemaining()) {
            n += baseline.write(chunk);
        }
        return n;
    }
}
