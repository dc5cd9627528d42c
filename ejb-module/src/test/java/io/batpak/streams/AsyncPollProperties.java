package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.engine.Caller;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import io.batpak.engine.log.TestFiles;
import io.batpak.streams.wait.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Streams#pollAsync} as a state machine: random interleavings of publishes, async polls by
 * three members, cancelled polls, acks, deliveries dropped by a client that went away, waits that
 * end and ack timeouts. The polls' later attempts run on a worker the test drains itself (so it
 * knows the clock every claim saw), while the writer and the real timer signal and fire
 * concurrently. Checked throughout: no event is out to two polls before its ack deadline, nothing
 * acked is delivered again, an ack of a delivery still out settles it, the group's in-flight count
 * is exactly what the answered polls hold (a cancelled poll never claims), and every poll whose wait
 * ended answers. At the end, after an ack timeout, every published event is delivered and acked
 * exactly once: dropped deliveries came back.
 */
class AsyncPollProperties {
    private static final long TIMEOUT = 1_000_000; // ack timeout, far longer than all the waits of one try
    private static final long WAIT = 5;
    private static final Caller ME = Caller.ANONYMOUS;
    private static final EventKind KIND = EventKind.of(1, 1);

    record Step(int op, int consumer, int amount) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 6)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    /** Runs the worker's tasks on the test thread when the test says so. */
    static final class DrainedWorker implements Executor {
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void drain() {
            for (Runnable r; (r = tasks.poll()) != null; ) {
                r.run();
            }
        }
    }

    private record Held(Delivery delivery, long epoch) {
    }

    @Property(tries = 40)
    void eachEventGoesToOnePollAtATimeAndIsAckedOnce(@ForAll("steps") List<Step> steps) throws Exception {
        Path dir = Files.createTempDirectory("async-poll");
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        AtomicLong clock = new AtomicLong(1_000_000);
        DrainedWorker worker = new DrainedWorker();
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
             Streams streams = new Streams(store, StreamsConfig.defaults().withClock(clock::get)
                     .withGroupDefaults(new GroupConfig(TIMEOUT, 5, StartPosition.EARLIEST)), Appender.direct(store),
                     new Waits(timer, worker))) {
            new Model(streams, clock, worker).run(steps);
        } finally {
            timer.shutdownNow();
            TestFiles.deleteTree(dir);
        }
    }

    private static final class Model {
        final Streams streams;
        final AtomicLong clock;
        final DrainedWorker worker;
        long epoch;
        final Set<Long> published = new HashSet<>(); // partition * 1e9 + offset
        final Set<Long> acked = new HashSet<>();
        /** Deliveries answered and not acked, by event; an entry of an older epoch has expired. */
        final Map<Long, Held> held = new HashMap<>();
        final List<CompletableFuture<List<Delivery>>> open = new ArrayList<>();
        final List<List<Held>> batches = new ArrayList<>();

        Model(Streams streams, AtomicLong clock, DrainedWorker worker) {
            this.streams = streams;
            this.clock = clock;
            this.worker = worker;
            streams.createOrGrow("s", 3, ME);
            streams.configureGroup("s", "g", streams.config().groupDefaults(), ME);
        }

        void run(List<Step> steps) throws InterruptedException {
            for (Step s : steps) {
                switch (s.op()) {
                    case 0 -> publish(s.amount());
                    case 1 -> open.add(streams.pollAsync("s", "g", "c" + s.consumer(), s.amount(), WAIT, null, ME));
                    case 2 -> {
                        if (!open.isEmpty()) {
                            open.get(s.amount() % open.size()).cancel(false);
                        }
                    }
                    case 3 -> worker.drain();
                    case 4 -> ackBatch(s.amount());
                    case 5 -> {
                        if (!batches.isEmpty()) {
                            batches.remove(s.amount() % batches.size()); // the client went away with them
                        }
                    }
                    case 6 -> endWaits();
                    default -> {
                        clock.addAndGet(TIMEOUT + 1);
                        epoch++;
                    }
                }
                collect();
                assertEquals(heldNow(), inFlight(), "the group's in-flight count differs from what answered polls hold");
            }
            finish();
        }

        void publish(int n) {
            List<StreamEvent> events = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                events.add(new StreamEvent(null, KIND, new byte[] {(byte) i}));
            }
            for (Published p : streams.publish("s", events, ME)) {
                assertTrue(published.add(key(p.partition(), p.offset())));
            }
        }

        /** Takes the answers of completed polls into the model, checking each delivery. */
        void collect() {
            for (var it = open.iterator(); it.hasNext(); ) {
                CompletableFuture<List<Delivery>> f = it.next();
                if (!f.isDone()) {
                    continue;
                }
                it.remove();
                if (f.isCancelled()) {
                    continue;
                }
                List<Held> batch = new ArrayList<>();
                for (Delivery d : f.join()) {
                    long k = key(d.partition(), d.offset());
                    assertTrue(published.contains(k), "delivered an event never published: " + k);
                    assertFalse(acked.contains(k), "delivered an acked event again: " + k);
                    Held before = held.get(k);
                    assertTrue(before == null || before.epoch() < epoch, "event " + k
                            + " handed out twice before its ack deadline");
                    Held h = new Held(d, epoch);
                    held.put(k, h);
                    batch.add(h);
                }
                if (!batch.isEmpty()) {
                    batches.add(batch);
                }
            }
        }

        void ackBatch(int pick) {
            if (batches.isEmpty()) {
                return;
            }
            List<Held> batch = batches.remove(pick % batches.size());
            List<String> ids = new ArrayList<>();
            int live = 0;
            for (Held h : batch) {
                ids.add(h.delivery().deliveryId());
                long k = key(h.delivery().partition(), h.delivery().offset());
                if (h.epoch() == epoch && held.get(k) == h) {
                    live++;
                }
            }
            AckResult r = streams.ack("s", "g", ids, ME);
            assertEquals(live, r.settled(), "an ack settles exactly the deliveries still out");
            for (Held h : batch) {
                long k = key(h.delivery().partition(), h.delivery().offset());
                if (h.epoch() == epoch && held.get(k) == h) {
                    held.remove(k);
                    assertTrue(acked.add(k));
                }
            }
        }

        /** Moves the clock past every open poll's wait; each must answer (the timer wakes it). */
        void endWaits() throws InterruptedException {
            clock.addAndGet(WAIT + 1);
            long giveUp = System.nanoTime() + 20_000_000_000L;
            while (open.stream().anyMatch(f -> !f.isDone())) {
                if (System.nanoTime() > giveUp) {
                    fail("a poll whose wait ended never answered");
                }
                worker.drain();
                Thread.sleep(1);
            }
        }

        long heldNow() {
            return held.values().stream().filter(h -> h.epoch() == epoch).count();
        }

        long inFlight() {
            return streams.state("s", "g").stream().mapToLong(PartitionState::inFlight).sum();
        }

        /** After an ack timeout, one member drains the group; everything published is acked exactly once. */
        void finish() throws InterruptedException {
            endWaits();
            collect();
            clock.addAndGet(TIMEOUT + 1);
            epoch++;
            while (true) {
                CompletableFuture<List<Delivery>> f = streams.pollAsync("s", "g", "last", 5, 0, null, ME);
                assertTrue(f.isDone(), "a poll that does not wait answers at once");
                open.add(f);
                collect();
                if (f.join().isEmpty()) {
                    break;
                }
                while (!batches.isEmpty()) {
                    ackBatch(0);
                }
            }
            assertEquals(published, acked, "every published event is acked exactly once");
        }

        private static long key(int partition, long offset) {
            return partition * 1_000_000_000L + offset;
        }
    }
}
