package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catch-up push subscriptions: replay then live with no gap and no repeat under concurrent
 * appends, falling back to the log when the buffer is outgrown, close semantics, and the
 * registry not leaking closed subscriptions.
 */
class SubscriptionTest {
    private static final EventKind KIND = EventKind.of(0x1, 1);
    private static final EventKind OTHER_KIND = EventKind.of(0x3, 7);
    /** Guard against a hang only; never a performance expectation. */
    private static final long HANG_GUARD_MS = 120_000;

    @TempDir
    Path dir;

    private static List<Long> sequences(List<StoredEvent> events) {
        List<Long> out = new ArrayList<>(events.size());
        events.forEach(e -> out.add(e.globalSequence()));
        return out;
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    /**
     * Polls until {@code expected} events arrived, then once more briefly to catch any extra.
     * {@code pauseMs} between polls makes a slow consumer.
     */
    private static List<StoredEvent> collect(Subscription s, int expected, int max, long pauseMs)
            throws InterruptedException {
        List<StoredEvent> got = new ArrayList<>();
        long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
        while (got.size() < expected) {
            if (System.currentTimeMillis() > giveUp) {
                fail("subscription delivered only " + got.size() + " of " + expected + " events: " + s);
            }
            List<StoredEvent> batch = s.poll(max, Duration.ofMillis(200));
            assertTrue(batch.size() <= max, "a poll returned " + batch.size() + " events for max " + max);
            got.addAll(batch);
            if (pauseMs > 0) {
                Thread.sleep(pauseMs);
            }
        }
        got.addAll(s.poll(max, Duration.ofMillis(50)));
        return got;
    }

    /** Every field of a delivered event equals the event as read back from the log. */
    private static void assertSameEvent(StoredEvent fromLog, StoredEvent delivered) {
        String at = "delivered event at global sequence " + fromLog.globalSequence() + " differs from the log in ";
        assertEquals(fromLog.eventId(), delivered.eventId(), at + "id");
        assertEquals(fromLog.coordinate(), delivered.coordinate(), at + "coordinate");
        assertEquals(fromLog.kind(), delivered.kind(), at + "kind");
        assertEquals(fromLog.sequence(), delivered.sequence(), at + "sequence");
        assertEquals(fromLog.globalSequence(), delivered.globalSequence(), at + "global sequence");
        assertEquals(fromLog.timestampUs(), delivered.timestampUs(), at + "timestamp");
        assertEquals(fromLog.hlc(), delivered.hlc(), at + "hlc");
        assertEquals(fromLog.correlationId(), delivered.correlationId(), at + "correlation");
        assertEquals(fromLog.causationId(), delivered.causationId(), at + "causation");
        assertEquals(fromLog.flags(), delivered.flags(), at + "flags");
        assertEquals(fromLog.bypassReason(), delivered.bypassReason(), at + "bypass reason");
        assertArrayEquals(fromLog.prevHash(), delivered.prevHash(), at + "prevHash");
        assertArrayEquals(fromLog.hash(), delivered.hash(), at + "hash");
        assertArrayEquals(fromLog.payload(), delivered.payload(), at + "payload");
    }

    /**
     * Appends {@code perThread} events from each of {@code threads} threads (singles, reactions and
     * two-event batches); scopes alternate "even"/"odd".
     */
    private static void appendConcurrently(EventStore store, int threads, int perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String scope = i % 2 == 0 ? "even" : "odd";
                        if (i % 10 == 9) {
                            store.appendBatch(List.of(
                                    new AppendRequest(new Coordinate("w" + thread + "-" + i % 7, scope), KIND, new byte[40]),
                                    new AppendRequest(new Coordinate("w" + thread + "-b", scope), OTHER_KIND, new byte[8])));
                        } else if (i % 10 == 4) {
                            store.appendReaction(new Coordinate("w" + thread + "-r", scope), KIND, new byte[] {(byte) i},
                                    java.util.UUID.randomUUID(), java.util.UUID.randomUUID());
                        } else {
                            store.append(new Coordinate("w" + thread + "-" + i % 7, scope), i % 3 == 0 ? OTHER_KIND : KIND,
                                    new byte[100]);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(HANG_GUARD_MS, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void catchUpFromZeroUnderConcurrentAppendsDeliversEverythingOnceInOrderEveryCommit() throws Exception {
        catchUpUnderConcurrentAppends(StoreConfig.defaults(dir.resolve("every-commit")).withSegmentMaxBytes(64 * 1024));
    }

    @Test
    void catchUpFromZeroUnderConcurrentAppendsDeliversEverythingOnceInOrderUnsynced() throws Exception {
        catchUpUnderConcurrentAppends(StoreConfig.defaults(dir.resolve("never")).withSyncMode(SyncMode.NEVER)
                .withSegmentMaxBytes(64 * 1024).withWriterQueueCapacity(8));
    }

    private void catchUpUnderConcurrentAppends(StoreConfig config) throws Exception {
        int threads = 6;
        int perThread = 700;
        try (EventStore store = EventStore.open(config)) {
            appendConcurrently(store, 2, 300); // history to replay before going live
            Subscription all = store.subscribe(Region.all(), 0, 256);
            Subscription even = store.subscribe(Region.all().withScope("even"), 0, 64);
            Subscription otherKind = store.subscribe(Region.all().withKind(OTHER_KIND.value()), 100, 16);
            ExecutorService consumers = Executors.newFixedThreadPool(3);
            try {
                // Each thread polls until the writers are done and it has seen the final count.
                CountDownLatch writersDone = new CountDownLatch(1);
                List<Future<List<StoredEvent>>> results = new ArrayList<>();
                for (Subscription s : List.of(all, even, otherKind)) {
                    results.add(consumers.submit(() -> drainUntilDone(s, writersDone, 50)));
                }
                appendConcurrently(store, threads, perThread);
                writersDone.countDown();
                long total = store.globalSequence();
                assertEquals(2 * 300 + 300 / 10 * 2 + threads * (perThread + perThread / 10), total,
                        "every append and batch event committed");

                List<StoredEvent> gotAll = results.get(0).get(HANG_GUARD_MS, TimeUnit.MILLISECONDS);
                assertEquals(range(1, total), sequences(gotAll), "the catch-up subscription from 0 delivers 1.." + total
                        + " exactly once in order");
                List<StoredEvent> stored = store.read(Region.all().withLimit(Integer.MAX_VALUE));
                for (int i = 0; i < gotAll.size(); i++) {
                    assertSameEvent(stored.get(i), gotAll.get(i));
                }
                assertEquals(sequences(store.read(Region.all().withScope("even").withLimit(Integer.MAX_VALUE))),
                        sequences(results.get(1).get(HANG_GUARD_MS, TimeUnit.MILLISECONDS)),
                        "the scope-filtered subscription delivers exactly the store's matching events");
                assertEquals(sequences(store.read(Region.all().withKind(OTHER_KIND.value()).withAfter(100)
                                .withLimit(Integer.MAX_VALUE))),
                        sequences(results.get(2).get(HANG_GUARD_MS, TimeUnit.MILLISECONDS)),
                        "the kind-filtered subscription started at 100 delivers exactly the matching events after 100");
                assertEquals(total, all.position(), "position is the last delivered global sequence");
            } finally {
                consumers.shutdownNow();
            }
        }
    }

    @Test
    void tinyBufferWithSlowConsumerFallsBackToTheLogAndStillGetsEverythingOnce() throws Exception {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            for (int i = 0; i < 50; i++) {
                store.append(new Coordinate("pre-" + i % 3, "s"), KIND, new byte[10]);
            }
            Subscription s = store.subscribe(Region.all(), 0, 4);
            AtomicReference<List<StoredEvent>> got = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            int expected = 50 + 4 * (300 + 30);
            Thread consumer = new Thread(() -> {
                try {
                    got.set(collect(s, expected, 3, 2));
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "slow-consumer");
            consumer.start();
            appendConcurrently(store, 4, 300);
            consumer.join(HANG_GUARD_MS);
            if (failure.get() != null) {
                throw new AssertionError("slow consumer failed", failure.get());
            }
            assertEquals(range(1, store.globalSequence()), sequences(got.get()),
                    "a slow consumer with a buffer of 4 still receives every event exactly once, in order");
            assertTrue(s.fallbacksToLog() >= 1, "lagging 50 events behind a buffer of 4 reads from the log");
        }
    }

    @Test
    void liveSubscriptionSeesOnlyLaterEvents() throws Exception {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            for (int i = 0; i < 10; i++) {
                store.append(new Coordinate("e", "s"), KIND, new byte[0]);
            }
            Subscription live = store.subscribeLive(Region.all(), 100);
            assertEquals(10, live.position(), "a live subscription starts at the current global sequence");
            assertTrue(live.poll(10, Duration.ZERO).isEmpty(), "nothing published since subscribing");
            for (int i = 0; i < 5; i++) {
                store.append(new Coordinate("e", "s"), KIND, new byte[0]);
            }
            assertEquals(range(11, 15), sequences(collect(live, 5, 100, 0)), "only the events after subscribing");
            assertEquals(0, live.fallbacksToLog(), "a subscription that keeps up never reads from the log");
        }
    }

    @Test
    void resumingAtASubscriptionsPositionContinuesWithoutGap() throws Exception {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            for (int i = 0; i < 20; i++) {
                store.append(new Coordinate("e-" + i % 2, "s"), KIND, new byte[0]);
            }
            long position;
            try (Subscription first = store.subscribe(Region.all().withEntityPrefix("e-1"), 0, 8)) {
                List<StoredEvent> part = first.poll(4, Duration.ofSeconds(5));
                assertEquals(List.of(2L, 4L, 6L, 8L), sequences(part));
                position = first.position();
            }
            Subscription second = store.subscribe(Region.all().withEntityPrefix("e-1"), position, 8);
            assertEquals(List.of(10L, 12L, 14L, 16L, 18L, 20L), sequences(collect(second, 6, 100, 0)));
        }
    }

    private static void awaitParked(Thread t) throws InterruptedException {
        long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
            if (System.currentTimeMillis() > giveUp) {
                fail("poller never started waiting; state " + t.getState());
            }
            Thread.sleep(5);
        }
    }

    /** Starts a thread blocked in a long poll; its result lands in {@code result}. */
    private static Thread blockedPoll(Subscription s, AtomicReference<List<StoredEvent>> result) throws InterruptedException {
        Thread t = new Thread(() -> {
            try {
                result.set(s.poll(10, Duration.ofHours(1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "blocked-poll");
        t.start();
        awaitParked(t);
        return t;
    }

    @Test
    void closeWakesABlockedPoll() throws Exception {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            Subscription s = store.subscribeLive(Region.all(), 16);
            AtomicReference<List<StoredEvent>> result = new AtomicReference<>();
            Thread t = blockedPoll(s, result);
            s.close();
            t.join(HANG_GUARD_MS);
            assertFalse(t.isAlive(), "close() woke the poll waiting for an hour");
            assertEquals(List.of(), result.get(), "a poll woken by close returns empty");
            assertTrue(s.isClosed());
            s.close();
            assertTrue(s.poll(10, Duration.ofSeconds(10)).isEmpty(), "polling a closed subscription returns empty at once");
        }
    }

    @Test
    void storeCloseEndsEverySubscription() throws Exception {
        EventStore store = EventStore.open(StoreConfig.defaults(dir));
        store.append(new Coordinate("e", "s"), KIND, new byte[0]);
        List<Subscription> subs = new ArrayList<>();
        List<Thread> pollers = new ArrayList<>();
        List<AtomicReference<List<StoredEvent>>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Subscription s = store.subscribeLive(Region.all(), 16);
            subs.add(s);
            AtomicReference<List<StoredEvent>> r = new AtomicReference<>();
            results.add(r);
            pollers.add(blockedPoll(s, r));
        }
        store.close();
        for (int i = 0; i < 3; i++) {
            pollers.get(i).join(HANG_GUARD_MS);
            assertFalse(pollers.get(i).isAlive(), "store close woke blocked poll " + i);
            assertEquals(List.of(), results.get(i).get(), "blocked poll " + i + " returned empty");
            assertTrue(subs.get(i).isClosed(), "subscription " + i + " is closed with the store");
        }
        assertEquals(0, store.subscriptionCount(), "a closed store holds no subscriptions");
        assertEquals(ErrorCode.UNAVAILABLE,
                assertThrows(StoreException.class, () -> store.subscribeLive(Region.all(), 4)).code());
    }

    @Test
    void interruptEndsAWaitingPoll() throws Exception {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            Subscription s = store.subscribeLive(Region.all(), 16);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    s.poll(10, Duration.ofHours(1));
                } catch (InterruptedException e) {
                    thrown.set(e);
                }
            });
            t.start();
            awaitParked(t);
            t.interrupt();
            t.join(HANG_GUARD_MS);
            assertTrue(thrown.get() instanceof InterruptedException, "an interrupted poll throws InterruptedException");
            assertFalse(s.isClosed(), "an interrupt does not close the subscription");
        }
    }

    @Test
    void manySubscribersEachGetTheirFilteredStreamWhileOneStalls() throws Exception {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            int n = 40;
            List<Subscription> subs = new ArrayList<>();
            List<Region> filters = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Region f = switch (i % 4) {
                    case 0 -> Region.all();
                    case 1 -> Region.all().withScope("odd");
                    case 2 -> Region.all().withEntityPrefix("w1-");
                    default -> Region.all().withCategory(OTHER_KIND.category());
                };
                filters.add(f);
                subs.add(store.subscribeLive(f, 1 + i * 7));
            }
            Subscription stalled = store.subscribeLive(Region.all(), 2);
            ExecutorService consumers = Executors.newFixedThreadPool(n);
            try {
                CountDownLatch writersDone = new CountDownLatch(1);
                List<Future<List<StoredEvent>>> results = new ArrayList<>();
                for (Subscription s : subs) {
                    results.add(consumers.submit(() -> drainUntilDone(s, writersDone, 64)));
                }
                appendConcurrently(store, 4, 400);
                writersDone.countDown();
                for (int i = 0; i < n; i++) {
                    List<Long> expected = sequences(store.read(filters.get(i).withLimit(Integer.MAX_VALUE)));
                    assertEquals(expected, sequences(results.get(i).get(HANG_GUARD_MS, TimeUnit.MILLISECONDS)),
                            "subscriber " + i + " over " + filters.get(i));
                }
            } finally {
                consumers.shutdownNow();
            }
            // The stalled one lost nothing either: it catches up from the log when it finally polls.
            assertEquals(range(1, store.globalSequence()), sequences(collect(stalled, (int) store.globalSequence(), 500, 0)),
                    "the stalled subscriber still gets every event once it polls");
            assertTrue(stalled.fallbacksToLog() >= 1, "the stalled subscriber read from the log");
        }
    }

    @Test
    void closedSubscriptionsLeaveTheFanOut() {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            List<Subscription> subs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                subs.add(store.subscribeLive(Region.all(), 8));
            }
            assertEquals(10, store.subscriptionCount());
            for (int i = 0; i < 4; i++) {
                subs.get(i * 2).close();
                subs.get(i * 2).close();
            }
            assertEquals(6, store.subscriptionCount(), "four closed subscriptions are removed (closing twice is harmless)");
            store.append(new Coordinate("e", "s"), KIND, new byte[0]);
            subs.forEach(Subscription::close);
            assertEquals(0, store.subscriptionCount(), "every closed subscription is removed");
        }
    }

    @Test
    void invalidArgumentsAreRefused() {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            assertEquals(ErrorCode.INVALID_REQUEST,
                    assertThrows(StoreException.class, () -> store.subscribe(Region.all(), 0, 0)).code());
            assertEquals(ErrorCode.INVALID_REQUEST,
                    assertThrows(StoreException.class, () -> store.subscribe(Region.all(), -5, 4)).code());
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class, () -> store.subscribe(null, 0, 4)).code());
            Subscription s = store.subscribeLive(Region.all(), 4);
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class, () -> s.poll(0, Duration.ZERO)).code());
            assertEquals(0, store.subscriptionCount() - 1, "only the valid subscription was registered");
        }
    }

    /** Polls {@code s} until the writers are done and nothing is buffered, then once more; fails on a hang. */
    private static List<StoredEvent> drainUntilDone(Subscription s, CountDownLatch writersDone, int max)
            throws InterruptedException {
        List<StoredEvent> got = new ArrayList<>();
        long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
        while (writersDone.getCount() > 0 || s.buffered() > 0) {
            if (System.currentTimeMillis() > giveUp) {
                fail("consumer of " + s + " did not finish; got " + got.size());
            }
            got.addAll(s.poll(max, Duration.ofMillis(20)));
        }
        got.addAll(s.poll(max, Duration.ofMillis(20)));
        return got;
    }
}
