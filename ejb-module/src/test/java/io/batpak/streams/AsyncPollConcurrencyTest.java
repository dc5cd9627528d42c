package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Caller;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import io.batpak.streams.wait.Waits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many async long polls of one group at once, with real threads everywhere: members poll again as
 * soon as an answer comes (on the worker threads that complete them), two publishers write
 * concurrently, and the writer's wake-ups race the polls' registrations. Every event is handed out
 * exactly once (the ack timeout is far longer than the test) and acked, none is lost, and polls left
 * waiting when publishing stops all answer empty when their wait ends.
 */
class AsyncPollConcurrencyTest {
    private static final Caller ME = Caller.ANONYMOUS;
    private static final int EVENTS = 2_000;
    private static final int POLLERS = 200;

    @TempDir
    Path dir;

    @Test
    void concurrentPollsAndPublishesDeliverEachEventExactlyOnce() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ExecutorService worker = Executors.newFixedThreadPool(4);
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
             Streams streams = new Streams(store, StreamsConfig.defaults()
                     .withGroupDefaults(new GroupConfig(600_000, 50, StartPosition.EARLIEST)), Appender.direct(store),
                     new Waits(timer, worker))) {
            streams.createOrGrow("s", 4, ME);
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger duplicates = new AtomicInteger();
            AtomicInteger received = new AtomicInteger();
            CompletableFuture<Void> all = new CompletableFuture<>();
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (int i = 0; i < POLLERS; i++) {
                loops.add(pollLoop(streams, "c" + (i % 20), seen, duplicates, received, all));
            }
            CompletableFuture<Void> publishing = new CompletableFuture<>();
            Thread[] publishers = new Thread[2];
            for (int t = 0; t < publishers.length; t++) {
                publishers[t] = new Thread(() -> {
                    try {
                        for (int i = 0; i < EVENTS / publishers.length; i += 10) {
                            List<StreamEvent> batch = new ArrayList<>();
                            for (int j = 0; j < 10; j++) {
                                batch.add(new StreamEvent(null, EventKind.of(1, 1), new byte[] {(byte) j}));
                            }
                            streams.publish("s", batch, ME);
                        }
                    } catch (RuntimeException e) {
                        publishing.completeExceptionally(e);
                    }
                });
                publishers[t].start();
            }
            for (Thread t : publishers) {
                t.join();
            }
            publishing.complete(null);
            publishing.join(); // a publish failed: say so rather than wait for the polls
            all.get(60, TimeUnit.SECONDS);
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(0, duplicates.get(), "an event was handed out twice before its ack deadline");
            assertEquals(EVENTS, seen.size(), "every event was delivered");
            long committed = streams.state("s", "g").stream().mapToLong(PartitionState::committedOffset).sum();
            assertEquals(EVENTS, committed, "every event was acked");
        } finally {
            timer.shutdownNow();
            worker.shutdownNow();
        }
    }

    /**
     * Polls (waiting 200 ms) and acks until every event was seen; completes when its last poll,
     * started after that, answered. The next poll starts on the thread that completed the last.
     */
    private static CompletableFuture<Void> pollLoop(Streams streams, String consumer, Set<Long> seen,
                                                    AtomicInteger duplicates, AtomicInteger received,
                                                    CompletableFuture<Void> all) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable[] next = new Runnable[1];
        next[0] = () -> streams.pollAsync("s", "g", consumer, 7, 200, null, ME).whenComplete((ds, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
                return;
            }
            try {
                answered(streams, ds, seen, duplicates, received, all);
            } catch (RuntimeException | Error failed) {
                done.completeExceptionally(failed);
                return;
            }
            if (all.isDone() && ds.isEmpty()) {
                done.complete(null); // a wait that ended empty after everything was delivered
            } else {
                next[0].run();
            }
        });
        next[0].run();
        return done;
    }

    private static void answered(Streams streams, List<Delivery> ds, Set<Long> seen, AtomicInteger duplicates,
                                 AtomicInteger received, CompletableFuture<Void> all) {
        List<String> ids = new ArrayList<>();
        for (Delivery d : ds) {
            if (!seen.add(d.partition() * 1_000_000_000L + d.offset())) {
                duplicates.incrementAndGet();
            }
            ids.add(d.deliveryId());
        }
        if (!ids.isEmpty()) {
            assertTrue(streams.ack("s", "g", ids, ME).unknown().isEmpty());
            if (received.addAndGet(ids.size()) >= EVENTS) {
                all.complete(null);
            }
        }
    }
}
