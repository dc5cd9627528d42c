package io.batpak.bench;

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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * (a) Durable appends from 16 threads, 200-byte payloads, fsync before every answer, against the
 * disk's group-commit ceiling: the same 16 threads handing 200-byte records to one thread that
 * writes everything queued with FileChannel.write, forces once, then answers all of them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
public class DurableAppendBenchmark {
    static final int PAYLOAD = 200;
    static final int ENTITIES = 1000;

    @State(Scope.Benchmark)
    public static class Store {
        Path dir;
        EventStore store;
        Coordinate[] coordinates = new Coordinate[ENTITIES];
        final EventKind kind = EventKind.of(0xF, 1);

        @Setup
        public void open() {
            dir = BenchFiles.tempDir("durable");
            store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.EVERY_COMMIT));
            for (int i = 0; i < ENTITIES; i++) {
                coordinates[i] = new Coordinate("account-" + i, "bank");
            }
        }

        @TearDown
        public void close() {
            store.close();
            BenchFiles.delete(dir);
        }
    }

    /** The baseline: a minimal group-commit loop over a plain FileChannel. */
    @State(Scope.Benchmark)
    public static class GroupCommitLoop {
        Path dir;
        FileChannel channel;
        BlockingQueue<CompletableFuture<Void>> queue = new ArrayBlockingQueue<>(4096);
        Thread writer;
        volatile boolean running = true;

        @Setup
        public void open() throws IOException {
            dir = BenchFiles.tempDir("baseline");
            channel = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            writer = new Thread(this::loop, "baseline-writer");
            writer.start();
        }

        private void loop() {
            List<CompletableFuture<Void>> group = new ArrayList<>();
            ByteBuffer buf = ByteBuffer.allocate(4096 * (PAYLOAD + 8));
            try {
                while (running) {
                    CompletableFuture<Void> first = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    group.add(first);
                    queue.drainTo(group);
                    buf.clear();
                    for (int i = 0; i < group.size(); i++) {
                        buf.putInt(PAYLOAD).putInt(i).put(new byte[PAYLOAD]);
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        channel.write(buf);
                    }
                    channel.force(false);
                    group.forEach(f -> f.complete(null));
                    group.clear();
                }
            } catch (IOException | InterruptedException e) {
                group.forEach(f -> f.completeExceptionally(e));
            }
        }

        @TearDown
        public void close() throws Exception {
            running = false;
            writer.join();
            channel.close();
            BenchFiles.delete(dir);
        }
    }

    @Benchmark
    public Object batpakDurableAppend(Store s) {
        Coordinate c = s.coordinates[ThreadLocalRandom.current().nextInt(ENTITIES)];
        return s.store.append(c, s.kind, new byte[PAYLOAD]);
    }

    @Benchmark
    public Object baselineFileChannelGroupCommit(GroupCommitLoop l) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        l.queue.put(f);
        return f.get();
    }
}
