package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams, consumer groups and transactions on a real store: placement and offsets, ack, nack,
 * timeout, maxInFlight, start latest, restart and crash (close without acking), long-poll wake-up,
 * and transactions that commit events and an ack together or nothing at all.
 */
class StreamsTest {
    private static final EventKind KIND = EventKind.of(0x1, 1);
    private static final Caller ME = Caller.ANONYMOUS;

    @TempDir
    Path dir;
    private StreamsFixture fixture;
    private AtomicLong clock;
    private EventStore store;
    private Streams streams;

    private void open() {
        fixture = new StreamsFixture(dir, c -> c.withTxIdleTimeoutMs(5_000)
                .withGroupDefaults(new GroupConfig(1_000, 1000, StartPosition.EARLIEST)));
        clock = fixture.clock;
        store = fixture.store;
        streams = fixture.streams;
    }

    private void reopen() {
        fixture.reopen();
        store = fixture.store;
        streams = fixture.streams;
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static StreamEvent event(String key, String text) {
        return new StreamEvent(key, KIND, text.getBytes(StandardCharsets.UTF_8));
    }

    private List<Published> publish(String stream, int n, String prefix) {
        List<Published> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.addAll(streams.publish(stream, List.of(event(prefix + i, prefix + i)), ME));
        }
        return out;
    }

    private List<Delivery> poll(String consumer, int max) {
        return streams.poll("orders", "g", consumer, max, 0, null, ME);
    }

    private static List<String> ids(List<Delivery> ds) {
        return ds.stream().map(Delivery::deliveryId).toList();
    }

    private static Set<Long> places(List<Delivery> ds) {
        Set<Long> out = new HashSet<>();
        ds.forEach(d -> out.add(d.partition() * 1_000_000L + d.offset()));
        return out;
    }

    @Test
    void keysKeepTheirPartitionAndOffsetsAreGapFreePerPartition() {
        open();
        assertEquals(4, streams.createOrGrow("orders", 4, ME));
        List<Published> first = streams.publish("orders", List.of(event("order-17", "a")), ME);
        List<Published> again = streams.publish("orders", List.of(event("order-17", "b")), ME);
        assertEquals(first.get(0).partition(), again.get(0).partition(), "one key went to two partitions");
        assertEquals(Partitioner.partitionOf("order-17", 4), first.get(0).partition(), "placement is not murmur3 mod 4");
        publish("orders", 40, "k");
        long[] heads = streams.heads("orders");
        long total = 0;
        for (int p = 0; p < 4; p++) {
            List<io.batpak.engine.StoredEvent> events = store.readEntity(EntityQuery.of("stream:orders/" + p).withLimit(1000));
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i, events.get(i).sequence(), "partition " + p + " offsets have a gap");
                assertEquals("orders", events.get(i).scope(), "partition events are scoped to the stream");
            }
            assertEquals(heads[p], events.size(), "head of partition " + p);
            total += events.size();
        }
        assertEquals(42, total, "events published");
        assertEquals("order-17", store.readEntity(EntityQuery.of("stream:orders/" + first.get(0).partition()).withLimit(1)).get(0)
                .attributes().get("stream.key"), "the key is stored with the event");
    }

    @Test
    void streamsGrowButNeverShrinkAndUnknownStreamsAreNotFound() {
        open();
        streams.createOrGrow("s", 2, ME);
        assertEquals(2, streams.createOrGrow("s", 2, ME), "same count again");
        assertEquals(5, streams.createOrGrow("s", 5, ME), "grow");
        StoreException shrink = assertThrows(StoreException.class, () -> streams.createOrGrow("s", 3, ME));
        assertEquals(ErrorCode.INVALID_REQUEST, shrink.code(), "shrinking must be refused");
        StoreException missing = assertThrows(StoreException.class,
                () -> streams.publish("nope", List.of(event("k", "x")), ME));
        assertEquals(ErrorCode.NOT_FOUND, missing.code(), "publishing to an unknown stream");
        assertThrows(StoreException.class, () -> streams.createOrGrow("a/b", 1, ME), "a '/' in a stream name");
        reopen();
        assertEquals(5, streams.partitions("s"), "partition count after restart");
    }

    @Test
    void ackedEventsAreNeverRedeliveredAndStateAdvances() {
        open();
        streams.createOrGrow("orders", 2, ME);
        publish("orders", 6, "k");
        List<Delivery> got = poll("c1", 100);
        assertEquals(6, got.size(), "all six events delivered");
        AckResult r = streams.ack("orders", "g", ids(got), ME);
        assertEquals(6, r.settled(), "acked");
        AckResult again = streams.ack("orders", "g", ids(got), ME);
        assertEquals(0, again.settled(), "a second ack settles nothing");
        assertEquals(ids(got), again.unknown(), "a second ack reports the ids as unknown");
        clock.addAndGet(10_000);
        assertEquals(List.of(), poll("c2", 100), "acked events came back");
        long[] heads = streams.heads("orders");
        for (PartitionState s : streams.state("orders", "g")) {
            assertEquals(heads[s.partition()], s.committedOffset(), "committed offset of " + s.partition());
            assertEquals(0, s.lag(), "lag of " + s.partition());
            assertEquals(0, s.inFlight(), "in flight of " + s.partition());
        }
    }

    @Test
    void eachEventIsOutToOneMemberAtATime() {
        open();
        streams.createOrGrow("orders", 3, ME);
        publish("orders", 9, "k");
        List<Delivery> a = poll("c1", 4);
        List<Delivery> b = poll("c2", 4);
        List<Delivery> c = poll("c3", 4);
        assertEquals(4, a.size(), "first member's share");
        assertEquals(4, b.size(), "second member's share");
        assertEquals(1, c.size(), "what is left for the third member");
        Set<Long> all = new HashSet<>(places(a));
        all.addAll(places(b));
        all.addAll(places(c));
        assertEquals(9, all.size(), "an event was handed to two members");
    }

    @Test
    void nackAndTimeoutMakeEventsDeliverableToAnotherMember() {
        open();
        streams.createOrGrow("orders", 1, ME);
        publish("orders", 2, "k");
        List<Delivery> first = poll("c1", 1);
        assertEquals(1, first.size(), "first delivery");
        AckResult n = streams.nack("orders", "g", ids(first), "not now", ME);
        assertEquals(1, n.settled(), "nacked");
        List<Delivery> second = poll("c2", 2);
        assertEquals(places(first).iterator().next(), places(second.subList(0, 1)).iterator().next(),
                "the nacked event is redelivered first");
        assertNotEquals(first.get(0).deliveryId(), second.get(0).deliveryId(), "a redelivery has a new id");
        assertEquals(List.of(), poll("c3", 5), "nothing more while c2 holds both");
        clock.addAndGet(1_001);
        List<Delivery> third = poll("c3", 5);
        assertEquals(places(second), places(third), "timed out deliveries go to another member");
        AckResult late = streams.ack("orders", "g", ids(second), ME);
        assertEquals(0, late.settled(), "an ack after the timeout settles nothing");
        assertEquals(2, streams.ack("orders", "g", ids(third), ME).settled(), "the new holder acks");
    }

    @Test
    void maxInFlightLimitsEachConsumer() {
        open();
        streams.createOrGrow("orders", 2, ME);
        streams.configureGroup("orders", "g", new GroupConfig(1_000, 3, StartPosition.EARLIEST), ME);
        publish("orders", 10, "k");
        List<Delivery> a = poll("c1", 10);
        assertEquals(3, a.size(), "maxInFlight of 3");
        assertEquals(List.of(), poll("c1", 10), "c1 is full");
        assertEquals(3, poll("c2", 10).size(), "another member has its own budget");
        streams.ack("orders", "g", ids(a.subList(0, 2)), ME);
        assertEquals(2, poll("c1", 10).size(), "acks free c1's budget");
    }

    @Test
    void startLatestSkipsEarlierEvents() {
        open();
        streams.createOrGrow("orders", 2, ME);
        publish("orders", 5, "old");
        assertEquals(List.of(), streams.poll("orders", "late", "c", 10, 0, StartPosition.LATEST, ME),
                "a latest group saw old events");
        publish("orders", 3, "new");
        List<Delivery> got = streams.poll("orders", "late", "c", 10, 0, null, ME);
        assertEquals(3, got.size(), "new events after creation");
        for (Delivery d : got) {
            assertTrue(new String(d.event().payload(), StandardCharsets.UTF_8).startsWith("new"),
                    "delivered an event from before the group: " + d);
        }
        reopen();
        assertEquals(3, streams.poll("orders", "late", "c", 10, 0, null, ME).size(),
                "after restart the unacked new events come back, the old ones still not");
    }

    @Test
    void restartKeepsAckedEventsAckedAndRedeliversWhatWasInFlight() {
        open();
        streams.createOrGrow("orders", 1, ME);
        publish("orders", 5, "k");
        List<Delivery> got = poll("c1", 5);
        assertEquals(5, got.size(), "deliveries before the restart");
        // ack 0, 2 and 4: committed stays at 1, 2 and 4 are acked above it
        streams.ack("orders", "g", List.of(got.get(0).deliveryId(), got.get(2).deliveryId(),
                got.get(4).deliveryId()), ME);
        reopen(); // 1 and 3 were in flight at the "crash"
        List<PartitionState> st = streams.state("orders", "g");
        assertEquals(1, st.get(0).committedOffset(), "committed offset after restart");
        assertEquals(2, st.get(0).lag(), "lag after restart: offsets 1 and 3");
        List<Delivery> again = poll("c2", 10);
        assertEquals(Set.of(1L, 3L), places(again), "exactly the unacked events come back");
        streams.ack("orders", "g", ids(again), ME);
        assertEquals(5, streams.state("orders", "g").get(0).committedOffset(), "all acked");
    }

    @Test
    void crashWithoutCloseLosesNothingUnacked() {
        open();
        streams.createOrGrow("orders", 2, ME);
        publish("orders", 4, "k");
        List<Delivery> got = poll("c1", 4);
        streams.ack("orders", "g", ids(got.subList(0, 2)), ME);
        // the process dies: the store is closed without any ack of the other two or a stream close
        store.close();
        store = null;
        open();
        List<Delivery> after = poll("c1", 10);
        assertEquals(places(got.subList(2, 4)), places(after), "the unacked deliveries are delivered again");
    }

    @Test
    void longPollWakesWhenAnEventArrives() throws Exception {
        open();
        streams.createOrGrow("orders", 2, ME);
        streams.configureGroup("orders", "g", GroupConfig.DEFAULTS, ME);
        Streams real = new Streams(store, StreamsConfig.defaults().withMaxWaitMs(120_000));
        CompletableFuture<List<Delivery>> waiting = CompletableFuture.supplyAsync(
                () -> real.poll("orders", "w", "c", 10, 120_000, null, ME));
        while (!waiting.isDone() && store.lastSequence(EntityQuery.of("group:orders/w")) < 0) {
            Thread.onSpinWait(); // until the poll has created its group; publishing earlier would not test the wake-up
        }
        real.publish("orders", List.of(event("k", "x")), ME);
        List<Delivery> got = waiting.get(60, TimeUnit.SECONDS);
        assertEquals(1, got.size(), "the waiting poll returned without the published event");
        real.close();
    }

    @Test
    void commitWritesEventsAndAckTogether() {
        open();
        streams.createOrGrow("orders", 1, ME);
        streams.createOrGrow("shipments", 2, ME);
        publish("orders", 1, "k");
        List<Delivery> got = poll("c1", 1);
        String tx = streams.begin(ME);
        streams.add(tx, new TxStatement.Publish("shipments", event("order-0", "ship")), ME);
        streams.add(tx, new TxStatement.Append(new AppendRequest(new Coordinate("order:0", "orders"), KIND,
                "{}".getBytes(StandardCharsets.UTF_8))), ME);
        TxResult r = streams.commit(tx, new TxAck("orders", "g", ids(got)), ME);
        assertEquals(2, r.receipts().size(), "receipts of both statements");
        assertEquals(1, r.acked(), "the ack settled the delivery");
        assertEquals(r.receipts().get(0).globalSequence() + 2, store.globalSequence(),
                "events and ack were not one batch");
        assertEquals(0, store.lastSequence(EntityQuery.of("order:0")), "the coordinate append");
        assertEquals(1, streams.state("orders", "g").get(0).committedOffset(), "the ack is durable");
        assertThrows(StoreException.class, () -> streams.abort(tx, ME), "a committed transaction is still open");
    }

    @Test
    void ackOfAnExpiredDeliveryAbortsTheTransactionAndCommitsNothing() {
        open();
        streams.createOrGrow("orders", 1, ME);
        publish("orders", 1, "k");
        List<Delivery> got = poll("c1", 1);
        clock.addAndGet(1_001); // the delivery times out
        String tx = streams.begin(ME);
        streams.add(tx, new TxStatement.Publish("orders", event("x", "y")), ME);
        long before = store.globalSequence();
        StoreException e = assertThrows(StoreException.class,
                () -> streams.commit(tx, new TxAck("orders", "g", ids(got)), ME));
        assertEquals(ErrorCode.DELIVERY_EXPIRED, e.code(), "commit with an expired delivery");
        assertEquals(before, store.globalSequence(), "something was committed");
        StoreException gone = assertThrows(StoreException.class, () -> streams.commit(tx, null, ME));
        assertEquals(ErrorCode.NOT_FOUND, gone.code(), "the failed transaction is not aborted");
    }

    @Test
    void aFailedCommitWritesNothingAndMakesTheAckedDeliveryDeliverableAgain() {
        open();
        streams.createOrGrow("orders", 1, ME);
        publish("orders", 1, "k");
        List<Delivery> got = poll("c1", 1);
        String tx = streams.begin(ME);
        streams.add(tx, new TxStatement.Append(new AppendRequest(new Coordinate("order:0", "orders"), KIND,
                new byte[0], AppendOptions.NONE.withExpectedSequence(7))), ME);
        long before = store.globalSequence();
        StoreException e = assertThrows(StoreException.class,
                () -> streams.commit(tx, new TxAck("orders", "g", ids(got)), ME));
        assertEquals(ErrorCode.SEQUENCE_MISMATCH, e.code(), "CAS failure inside the transaction");
        assertEquals(before, store.globalSequence(), "part of a failed transaction was committed");
        assertEquals(places(got), places(poll("c2", 1)), "the delivery is not deliverable again");
    }

    @Test
    void abortedAndIdleTransactionsAreGone() {
        open();
        streams.createOrGrow("orders", 1, ME);
        String aborted = streams.begin(ME);
        streams.abort(aborted, ME);
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class,
                () -> streams.add(aborted, new TxStatement.Publish("orders", event("k", "v")), ME)).code(),
                "an aborted transaction takes statements");
        String idle = streams.begin(ME);
        streams.add(idle, new TxStatement.Publish("orders", event("k", "v")), ME);
        clock.addAndGet(5_001);
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class,
                () -> streams.commit(idle, null, ME)).code(), "an idle transaction did not expire");
        assertEquals(-1, store.lastSequence(EntityQuery.of("stream:orders/0")), "an expired transaction wrote its statement");
        String open = streams.begin(ME);
        assertEquals(ErrorCode.RESERVED_KIND, assertThrows(StoreException.class, () -> streams.add(open,
                new TxStatement.Publish("orders", new StreamEvent("k", EventKind.of(0, 1), new byte[0])), ME)).code(),
                "a reserved kind in a statement");
        streams.add(open, new TxStatement.Publish("orders", event("k", "v")), ME);
        assertEquals(1, streams.commit(open, null, ME).receipts().size(), "the transaction after a refused statement");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class,
                () -> streams.add("no-such-tx", new TxStatement.Publish("orders", event("k", "v")), ME)).code(),
                "an unknown transaction");
    }

    @Test
    void concurrentMembersAckEveryEventExactlyOnceWhilePublishing() throws Exception {
        open();
        streams.close();
        streams = new Streams(store, StreamsConfig.defaults().withMaxWaitMs(200));
        streams.createOrGrow("orders", 4, ME);
        streams.configureGroup("orders", "g", new GroupConfig(60_000, 7, StartPosition.EARLIEST), ME);
        int total = 2_000;
        java.util.concurrent.ConcurrentHashMap<Long, Integer> acked = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(5);
        try {
            List<java.util.concurrent.Future<?>> work = new ArrayList<>();
            work.add(pool.submit(() -> publish("orders", total, "k")));
            for (int m = 0; m < 4; m++) {
                String me = "m" + m;
                work.add(pool.submit(() -> {
                    long giveUp = System.currentTimeMillis() + 120_000;
                    while (acked.size() < total && System.currentTimeMillis() < giveUp) {
                        List<Delivery> got = streams.poll("orders", "g", me, 5, 50, null, ME);
                        AckResult r = streams.ack("orders", "g", ids(got), ME);
                        assertEquals(List.of(), r.unknown(), "fresh deliveries were reported unknown");
                        got.forEach(d -> acked.merge(d.partition() * 1_000_000L + d.offset(), 1, Integer::sum));
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : work) {
                f.get(180, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(total, acked.size(), "events acked");
        acked.forEach((place, n) -> assertEquals(1, n, "event " + place + " acked " + n + " times"));
        long committed = 0;
        for (PartitionState s : streams.state("orders", "g")) {
            committed += s.committedOffset();
            assertEquals(0, s.lag(), "lag of partition " + s.partition());
        }
        assertEquals(total, committed, "committed offsets over all partitions");
    }

    @Test
    void aTransactionBelongsToItsCallerAndOneCallerHoldsABoundedNumber() {
        fixture = new StreamsFixture(dir, c -> c.withMaxOpenTransactionsPerCaller(2));
        store = fixture.store;
        streams = fixture.streams;
        streams.createOrGrow("orders", 1, ME);
        Caller bob = new Caller("bob", Set.of("writer"), Set.of("*"));
        String tx = streams.begin(ME);
        streams.add(tx, new TxStatement.Publish("orders", event("k", "mine")), ME);
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class,
                () -> streams.add(tx, new TxStatement.Publish("orders", event("k", "bob's")), bob)).code(),
                "another caller must not add to a transaction it did not begin");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> streams.commit(tx, null, bob)).code(),
                "another caller must not commit a transaction it did not begin");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> streams.abort(tx, bob)).code(),
                "another caller must not abort a transaction it did not begin");
        streams.begin(ME);
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(StoreException.class, () -> streams.begin(ME)).code(),
                "a third open transaction is over the per-caller limit of 2");
        streams.begin(bob);
        assertEquals(1, streams.commit(tx, null, ME).receipts().size(), "the owner's commit after the refusals");
    }
}
