package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thread-free way to consume a subscription ({@link Subscription#pollNow}, {@link
 * Subscription#onReady}): what the listener is told, when, and how often, and that a consumer
 * driven only by listeners gets every matching event once, in order, while others append.
 */
class ReadySubscriptionTest {
    private static final EventKind KIND = EventKind.of(0x1, 1);
    /** Guard against a hang only; never a performance expectation. */
    private static final long HANG_GUARD_MS = 120_000;

    @TempDir
    Path dir;

    private static List<Long> sequences(List<StoredEvent> events) {
        List<Long> out = new ArrayList<>(events.size());
        events.forEach(e -> out.add(e.globalSequence()));
        return out;
    }

    @Test
    void pollNowNeverWaitsAndTakesWhatIsPublished() throws Exception {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            Subscription s = store.subscribe(Region.all(), 0, 16);
            assertEquals(List.of(), s.pollNow(10), "nothing published yet");
            for (int i = 0; i < 5; i++) {
                store.append(new Coordinate("e" + i, "s"), KIND, new byte[] {(byte) i});
            }
            assertEquals(List.of(1L, 2L, 3L), sequences(s.pollNow(3)), "at most max, oldest first");
            assertEquals(List.of(4L, 5L), sequences(s.pollNow(10)), "then the rest");
            assertEquals(List.of(), s.pollNow(10), "caught up");
            assertEquals(5, s.position());
            s.close();
            store.append(new Coordinate("late", "s"), KIND, new byte[1]);
            assertEquals(List.of(), s.pollNow(10), "a closed subscription reads nothing");
        }
    }

    @Test
    void theListenerRunsOnceWhenEventsArePublishedAndRightAwayIfTheyAreThere() throws Exception {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            Subscription s = store.subscribe(Region.all(), 0, 16);
            AtomicInteger calls = new AtomicInteger();
            s.onReady(calls::incrementAndGet);
            assertEquals(0, calls.get(), "nothing is ready: armed, not run");
            store.append(new Coordinate("a", "s"), KIND, new byte[1]);
            // append returns once published; the hub runs listeners in the same step as it publishes,
            // but after completing the append's future, so allow it to get there.
            awaitCount(calls, 1, "the publish runs the armed listener");
            store.append(new Coordinate("b", "s"), KIND, new byte[1]);
            store.append(new Coordinate("c", "s"), KIND, new byte[1]);
            assertEquals(1, calls.get(), "a listener runs once per arming, however many groups follow");

            s.onReady(calls::incrementAndGet);
            assertEquals(2, calls.get(), "arming while events are ready runs the listener at once");
            assertEquals(List.of(1L, 2L, 3L), sequences(s.pollNow(10)));

            AtomicInteger replaced = new AtomicInteger();
            s.onReady(calls::incrementAndGet);
            s.onReady(replaced::incrementAndGet);
            s.close();
            assertEquals(1, replaced.get(), "closing runs the armed listener (the last one armed)");
            assertEquals(2, calls.get(), "a replaced listener does not run");
            s.onReady(calls::incrementAndGet);
            assertEquals(3, calls.get(), "arming a closed subscription runs the listener at once");
        }
    }

    @Test
    void closingTheStoreRunsEveryArmedListener() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            for (int i = 0; i < 3; i++) {
                store.subscribe(Region.all(), 0, 16).onReady(calls::incrementAndGet);
            }
        }
        assertEquals(3, calls.get(), "every waiting consumer learns the store closed");
    }

    @Test
    void aListenerDrivenConsumerGetsEveryMatchingEventOnceInOrderWhileOthersAppend() throws Exception {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER)
                .withWriterQueueCapacity(8))) {
            Region filter = Region.all().withScope("even");
            Subscription s = store.subscribe(filter, 0, 8); // small buffer: it falls behind to the log too
            ExecutorService consumer = Executors.newSingleThreadExecutor();
            ExecutorService writers = Executors.newFixedThreadPool(3);
            try {
                ListenerConsumer c = new ListenerConsumer(s, consumer, 7);
                c.start();
                List<CompletableFuture<Void>> done = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int thread = t;
                    done.add(CompletableFuture.runAsync(() -> {
                        for (int i = 0; i < 400; i++) {
                            store.append(new Coordinate("w" + thread, i % 2 == 0 ? "even" : "odd"), KIND, new byte[20]);
                        }
                    }, writers));
                }
                CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(HANG_GUARD_MS, TimeUnit.MILLISECONDS);
                List<Long> expected = sequences(store.read(filter.withLimit(Integer.MAX_VALUE)));
                assertEquals(600, expected.size());
                assertEquals(expected, c.awaitCount(expected.size(), HANG_GUARD_MS),
                        "the listener path delivers exactly the matching events, once, in order");
                assertTrue(s.pollNow(10).isEmpty(), "and nothing more");
                assertFalse(c.failed(), "no read failed");
            } finally {
                consumer.shutdownNow();
                writers.shutdownNow();
            }
        }
    }

    private static void awaitCount(AtomicInteger n, int expected, String what) throws InterruptedException {
        long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
        while (n.get() < expected && System.currentTimeMillis() < giveUp) {
            Thread.sleep(1);
        }
        assertEquals(expected, n.get(), what);
    }
}
