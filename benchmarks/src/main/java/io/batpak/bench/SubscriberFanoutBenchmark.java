package io.batpak.bench;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreStats;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.Subscription;
import io.batpak.engine.SyncMode;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Issue 3: what live subscribers cost the writer. Durable appends (EVERY_COMMIT) from 16 threads,
 * 200-byte payloads over 1000 entities, exactly as {@link DurableAppendBenchmark}, with
 * {@code subscribers} live subscriptions open on the store: 0 (the same-run baseline) or 100, of
 * which 99 are drained by their own thread each ({@code poll(256, 100 ms)} in a loop) and one is
 * stalled (never polled). Scores are appends per second (all threads together).
 *
 * <p>The disk's fsync latency drifts by 2x within minutes on a shared machine, more than the
 * effect measured, so {@link #durableAppendAlternating} also runs both cases in one trial,
 * alternating per iteration (odd iterations with 100 subscribers, even ones with none), and prints
 * each iteration's appends per second; its JMH score mixes both and is not the result.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
public class SubscriberFanoutBenchmark {
    static final int PAYLOAD = 200;
    static final int ENTITIES = 1000;
    static final int BUFFER = 1024;

    @State(Scope.Benchmark)
    public static class Store {
        @Param({"0", "100"})
        int subscribers;

        Path dir;
        EventStore store;
        final Coordinate[] coordinates = new Coordinate[ENTITIES];
        final EventKind kind = EventKind.of(0xF, 1);
        final List<Subscription> subscriptions = new ArrayList<>();
        final List<Thread> drainers = new ArrayList<>();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong polls = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong drainerCpuNanos = new AtomicLong();

        @Setup
        public void open() {
            dir = BenchFiles.tempDir("fanout");
            store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.EVERY_COMMIT));
            for (int i = 0; i < ENTITIES; i++) {
                coordinates[i] = new Coordinate("account-" + i, "bank");
            }
            for (int i = 0; i < subscribers; i++) {
                Subscription s = store.subscribeLive(Region.all(), BUFFER);
                subscriptions.add(s);
                if (i == 0) {
                    continue; // the stalled one: never polled
                }
                Thread t = new Thread(() -> drain(s), "drainer-" + i);
                t.setDaemon(true);
                drainers.add(t);
                t.start();
            }
        }

        private void drain(Subscription s) {
            long last = s.position();
            try {
                while (!s.isClosed()) {
                    List<StoredEvent> batch = s.poll(256, Duration.ofMillis(100));
                    polls.incrementAndGet();
                    for (StoredEvent e : batch) {
                        if (e.globalSequence() != last + 1) {
                            outOfOrder.incrementAndGet();
                        }
                        last = e.globalSequence();
                    }
                    delivered.addAndGet(batch.size());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                drainerCpuNanos.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
            }
        }

        /** CPU time of the store's writer and sync threads since they started. */
        static long writerSideCpuNanos() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long total = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("batpak-writer") || t.getName().equals("batpak-sync")) {
                    total += Math.max(0, mx.getThreadCpuTime(t.getId()));
                }
            }
            return total;
        }

        @TearDown
        public void close() throws InterruptedException {
            StoreStats st = store.stats(ScopeGrants.ALL);
            long writerCpu = writerSideCpuNanos();
            long fallbacks = 0;
            for (Subscription s : subscriptions) {
                fallbacks += s.fallbacksToLog();
            }
            subscriptions.forEach(Subscription::close);
            for (Thread t : drainers) {
                t.join();
            }
            System.out.printf("%n[fanout] subscribers=%d events=%,d groupCommits=%,d fsyncs=%,d events/fsync=%.1f "
                            + "meanFsync=%.1fus delivered=%,d (%.1f per event per drainer) polls=%,d events/poll=%.1f "
                            + "outOfOrder=%d fallbacksToLog=%d writer+sync CPU=%.2fus/event drainer CPU=%.3fus/delivery%n",
                    subscribers, st.events(), st.groupCommits(), st.fsyncs(),
                    st.events() / (double) Math.max(1, st.fsyncs()), st.fsyncNanosTotal() / 1e3 / Math.max(1, st.fsyncs()),
                    delivered.get(), delivered.get() / (double) Math.max(1, st.events()) / Math.max(1, drainers.size()),
                    polls.get(), delivered.get() / (double) Math.max(1, polls.get()), outOfOrder.get(), fallbacks,
                    writerCpu / 1e3 / Math.max(1, st.events()), drainerCpuNanos.get() / 1e3 / Math.max(1, delivered.get()));
            store.close();
            BenchFiles.delete(dir);
        }
    }

    /** One store whose 100 subscribers are opened on odd iterations and closed on even ones. */
    @State(Scope.Benchmark)
    public static class Alternating {
        Path dir;
        EventStore store;
        final Coordinate[] coordinates = new Coordinate[ENTITIES];
        final EventKind kind = EventKind.of(0xF, 1);
        final List<Subscription> subscriptions = new ArrayList<>();
        final List<Thread> drainers = new ArrayList<>();
        int iteration;
        long startEvents;
        long startNanos;
        final List<String> results = new ArrayList<>();

        @Setup
        public void open() {
            dir = BenchFiles.tempDir("fanout-alt");
            store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.EVERY_COMMIT));
            for (int i = 0; i < ENTITIES; i++) {
                coordinates[i] = new Coordinate("account-" + i, "bank");
            }
        }

        @Setup(org.openjdk.jmh.annotations.Level.Iteration)
        public void startIteration() {
            iteration++;
            if (iteration % 2 == 1) {
                for (int i = 0; i < 100; i++) {
                    Subscription s = store.subscribeLive(Region.all(), BUFFER);
                    subscriptions.add(s);
                    if (i > 0) {
                        Thread t = new Thread(() -> drainQuietly(s), "drainer-" + i);
                        t.setDaemon(true);
                        drainers.add(t);
                        t.start();
                    }
                }
            }
            startEvents = store.globalSequence();
            startNanos = System.nanoTime();
        }

        private static void drainQuietly(Subscription s) {
            try {
                while (!s.isClosed()) {
                    s.poll(256, Duration.ofMillis(100));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @org.openjdk.jmh.annotations.TearDown(org.openjdk.jmh.annotations.Level.Iteration)
        public void endIteration() throws InterruptedException {
            double rate = (store.globalSequence() - startEvents) / ((System.nanoTime() - startNanos) / 1e9);
            results.add(String.format("%d:%s=%.0f", iteration, subscriptions.isEmpty() ? "0" : "100", rate));
            subscriptions.forEach(Subscription::close);
            for (Thread t : drainers) {
                t.join();
            }
            subscriptions.clear();
            drainers.clear();
        }

        @TearDown
        public void close() {
            System.out.printf("%n[alternating] appends/s per iteration (iteration:subscribers=rate) %s%n", results);
            store.close();
            BenchFiles.delete(dir);
        }
    }

    @Benchmark
    public Object durableAppendAlternating(Alternating a) {
        Coordinate c = a.coordinates[ThreadLocalRandom.current().nextInt(ENTITIES)];
        return a.store.append(c, a.kind, new byte[PAYLOAD]);
    }

    @Benchmark
    public Object durableAppend(Store s) {
        Coordinate c = s.coordinates[ThreadLocalRandom.current().nextInt(ENTITIES)];
        return s.store.append(c, s.kind, new byte[PAYLOAD]);
    }
}
