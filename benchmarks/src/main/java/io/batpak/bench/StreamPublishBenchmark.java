package io.batpak.bench;

import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import io.batpak.streams.Delivery;
import io.batpak.streams.GroupConfig;
import io.batpak.streams.StartPosition;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.Streams;
import io.batpak.streams.StreamsConfig;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * (i) Streams on the engine, EVERY_COMMIT, 200-byte payloads, 16 threads: {@code publish} to a
 * 4-partition stream with a random key out of 1000, against {@code append} of the same payload to
 * one of 1000 entities (the baseline, same run, same store settings); {@code consumeAck}: 4 members
 * of one group each poll up to 10 deliveries and ack them in one call, from a stream pre-filled with
 * 1,000,000 events (score: poll+ack calls per second; multiply by the batch size printed at teardown
 * for events per second). Scores are operations per second, all threads together.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
public class StreamPublishBenchmark {
    static final int PAYLOAD = 200;
    static final int KEYS = 1000;

    @State(Scope.Benchmark)
    public static class Store {
        Path dir;
        EventStore store;
        Streams streams;
        final byte[] payload = new byte[PAYLOAD];
        final EventKind kind = EventKind.of(0xF, 1);
        final Coordinate[] coordinates = new Coordinate[KEYS];
        final String[] keys = new String[KEYS];

        @Setup
        public void open() {
            dir = BenchFiles.tempDir("streams");
            store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.EVERY_COMMIT));
            streams = new Streams(store, StreamsConfig.defaults());
            streams.createOrGrow("orders", 4, Caller.ANONYMOUS);
            for (int i = 0; i < KEYS; i++) {
                coordinates[i] = new Coordinate("account-" + i, "bank");
                keys[i] = "order-" + i;
            }
        }

        @TearDown
        public void close() {
            streams.close();
            store.close();
            BenchFiles.delete(dir);
        }
    }

    @Benchmark
    public Object append(Store s) {
        return s.store.append(s.coordinates[ThreadLocalRandom.current().nextInt(KEYS)], s.kind, s.payload);
    }

    @Benchmark
    public Object publish(Store s) {
        return s.streams.publish("orders", List.of(new StreamEvent(s.keys[ThreadLocalRandom.current().nextInt(KEYS)],
                s.kind, s.payload)), Caller.ANONYMOUS);
    }

    /** A stream filled ahead (NEVER sync for the fill), consumed by one group at EVERY_COMMIT acks. */
    @State(Scope.Benchmark)
    public static class Filled {
        static final int EVENTS = 1_000_000;
        Path dir;
        EventStore store;
        Streams streams;
        long delivered;
        long polls;

        @Setup
        public void open() {
            dir = BenchFiles.tempDir("streams-consume");
            try (EventStore fill = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
                 Streams f = new Streams(fill, StreamsConfig.defaults())) {
                f.createOrGrow("orders", 4, Caller.ANONYMOUS);
                byte[] payload = new byte[PAYLOAD];
                EventKind kind = EventKind.of(0xF, 1);
                for (int done = 0; done < EVENTS; done += 1000) {
                    StreamEvent[] batch = new StreamEvent[1000];
                    for (int i = 0; i < batch.length; i++) {
                        batch[i] = new StreamEvent("order-" + ((done + i) % KEYS), kind, payload);
                    }
                    f.publish("orders", List.of(batch), Caller.ANONYMOUS);
                }
            }
            store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.EVERY_COMMIT));
            streams = new Streams(store, StreamsConfig.defaults());
            streams.configureGroup("orders", "g", new GroupConfig(60_000, 1000, StartPosition.EARLIEST),
                    Caller.ANONYMOUS);
        }

        @TearDown
        public void close() {
            System.out.printf("%n[batpak] consumeAck: %,d events in %,d polls (%.1f per poll)%n", delivered, polls,
                    delivered / (double) Math.max(1, polls));
            streams.close();
            store.close();
            BenchFiles.delete(dir);
        }
    }

    @Benchmark
    @Threads(4)
    public Object consumeAck(Filled f) {
        String me = Thread.currentThread().getName();
        List<Delivery> got = f.streams.poll("orders", "g", me, 10, 0, null, Caller.ANONYMOUS);
        if (!got.isEmpty()) {
            f.streams.ack("orders", "g", got.stream().map(Delivery::deliveryId).toList(), Caller.ANONYMOUS);
        }
        synchronized (f) {
            f.delivered += got.size();
            f.polls++;
        }
        return got;
    }
}
