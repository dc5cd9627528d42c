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
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (b) Bulk appends from one thread with sync mode NEVER, in atomic batches of 1000 events of
 * 200-byte payloads spread over 10,000 entities in 16 scopes (hashing and indexing on, as always).
 * Baselines in the same run, also 1 thread, 1000 records of the same 200-byte payload per call:
 * <ul>
 * <li>{@code chronicleQueueAppend1000}: Chronicle Queue (the reference for a fast
 * persisted log) appending one excerpt per payload to a fresh queue in a temp dir, made anew for
 * every iteration and deleted after it (so the disk never holds more than one iteration's
 * data);</li>
 * <li>{@code baselineFileChannelWrite1000}: the same records plus an 8-byte length/crc header
 * each, written to a FileChannel in one chunk per call, without fsync; it wraps around to offset 0
 * every 256 MiB (the engine's segment size) so it keeps measuring the write path rather than
 * page-cache writeback throttling.</li>
 * </ul>
 * Scores are events (records) per second. Default settings (2 x 10 s warm-up, 3 x 10 s
 * measurement, 1 fork) are the ones benchmarks/engine.sh uses; the command line overrides them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
public class BulkAppendBenchmark {
    static final int BATCH = 1000;
    static final int PAYLOAD = 200;
    static final int ENTITIES = 10_000;
    static final long WRAP = 256L << 20;

    static byte[] payload() {
        byte[] payload = new byte[PAYLOAD];
        for (int i = 0; i < PAYLOAD; i++) {
            payload[i] = (byte) i;
        }
        return payload;
    }

    /** The engine: one store per trial, the configuration the target names. */
    @State(Scope.Thread)
    public static class Store {
        Path dir;
        EventStore store;
        final Coordinate[] coordinates = new Coordinate[ENTITIES];
        final EventKind kind = EventKind.of(0xF, 1);
        final byte[] payload = payload();
        int next;
        /**
         * The store's checkpoint interval: the engine default (1,000,000 events) unless overridden;
         * {@code -p checkpointEvery=0} turns periodic checkpoints off, to see what they cost.
         */
        @Param({"1000000"})
        long checkpointEvery;

        @Setup
        public void open() {
            dir = BenchFiles.tempDir("bulk");
            store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER)
                    .withCheckpointIntervalEvents(checkpointEvery));
            for (int i = 0; i < ENTITIES; i++) {
                coordinates[i] = new Coordinate("entity-" + i, "scope-" + i % 16);
            }
        }

        @TearDown
        public void close() {
            StoreStats s = store.stats(ScopeGrants.ALL);
            if (s.events() > 0) {
                System.out.printf("%n[batpak] events=%,d segments=%d bytes/event=%.0f fsyncs=%d fsyncTotal=%d ms"
                                + " maxFsync=%d ms%n", s.events(), s.segments(), s.bytes() / (double) s.events(),
                        s.fsyncs(), s.fsyncNanosTotal() / 1_000_000, s.fsyncNanosMax() / 1_000_000);
            }
            store.close();
            BenchFiles.delete(dir);
        }
    }

    /** The raw-write ceiling: one FileChannel, no fsync. */
    @State(Scope.Thread)
    public static class RawFile {
        Path dir;
        FileChannel channel;
        long position;
        final ByteBuffer chunk = ByteBuffer.allocateDirect(BATCH * (PAYLOAD + 8));
        final byte[] payload = payload();

        @Setup
        public void open() throws IOException {
            dir = BenchFiles.tempDir("bulk-raw");
            channel = FileChannel.open(dir.resolve("baseline"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }

        @TearDown
        public void close() throws IOException {
            channel.close();
            BenchFiles.delete(dir);
        }
    }

    /** Chronicle Queue: a fresh queue per iteration, removed after it. */
    @State(Scope.Thread)
    public static class Chronicle {
        Path dir;
        SingleChronicleQueue queue;
        ExcerptAppender appender;
        final BytesStore<?, ?> payload = BytesStore.wrap(payload());
        long appended;

        @Setup(Level.Iteration)
        public void open() {
            dir = BenchFiles.tempDir("bulk-chronicle");
            queue = SingleChronicleQueueBuilder.single(dir.toFile()).build();
            appender = queue.createAppender();
        }

        @TearDown(Level.Iteration)
        public void close() {
            appended += queue.entryCount();
            appender.close();
            queue.close();
            BenchFiles.delete(dir);
        }

        @TearDown(Level.Trial)
        public void report() {
            System.out.printf("%n[chronicle] excerpts=%,d over all iterations%n", appended);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object batpakAppendBatch1000(Store s) {
        List<AppendRequest> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(new AppendRequest(s.coordinates[s.next++ % ENTITIES], s.kind, s.payload));
        }
        return s.store.appendBatch(batch);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    // What Chronicle Queue needs on Java 17 (its documented --add-opens / --add-exports list), as
    // jvmArgsPrepend so that a command-line -jvmArgsAppend (profiling) does not drop them.
    @Fork(value = 1, jvmArgsPrepend = {
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        // no usage analytics or banner from a benchmark run
        "-Dchronicle.analytics.disable=true",
        "-Dchronicle.announcer.disable=true",
    })
    public long chronicleQueueAppend1000(Chronicle c) {
        ExcerptAppender a = c.appender;
        for (int i = 0; i < BATCH; i++) {
            a.writeBytes(c.payload);
        }
        return a.lastIndexAppended();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int baselineFileChannelWrite1000(RawFile r) throws IOException {
        ByteBuffer chunk = r.chunk;
        chunk.clear();
        for (int i = 0; i < BATCH; i++) {
            chunk.putInt(PAYLOAD).putInt(i).put(r.payload);
        }
        chunk.flip();
        int n = 0;
        while (chunk.hasRemaining()) {
            n += r.channel.write(chunk, r.position + n);
        }
        r.position += n;
        if (r.position >= WRAP) {
            r.position = 0;
        }
        return n;
    }
}
