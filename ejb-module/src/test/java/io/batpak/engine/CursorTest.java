package io.batpak.engine;

import io.batpak.engine.util.Hex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull cursors: ordered, gap-free batches; filters; a saved position resumes after a reopen. */
class CursorTest {
    private static final EventKind ORDER_PLACED = EventKind.of(0x1, 1);
    private static final EventKind ORDER_SHIPPED = EventKind.of(0x1, 2);
    private static final EventKind INVOICE_SENT = EventKind.of(0x2, 1);

    @TempDir
    Path dir;

    private EventStore open() {
        return EventStore.open(StoreConfig.defaults(dir));
    }

    /** Appends {@code n} events cycling over three kinds, three scopes and five entities. */
    private static void appendMixed(EventStore store, int n) {
        EventKind[] kinds = {ORDER_PLACED, ORDER_SHIPPED, INVOICE_SENT};
        String[] scopes = {"eu", "us", "apac"};
        for (int i = 0; i < n; i++) {
            String entity = (i % 5 < 3 ? "order-" : "invoice-") + (i % 5);
            store.append(new Coordinate(entity, scopes[i % 3]), kinds[i % 3], new byte[] {(byte) i});
        }
    }

    private static List<Long> sequences(List<StoredEvent> events) {
        List<Long> out = new ArrayList<>(events.size());
        events.forEach(e -> out.add(e.globalSequence()));
        return out;
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    /** Polls until a poll comes back empty, checking each batch's size bound. */
    private static List<StoredEvent> drain(Cursor cursor, int max) {
        List<StoredEvent> all = new ArrayList<>();
        while (true) {
            List<StoredEvent> batch = cursor.poll(max);
            assertTrue(batch.size() <= max, "a poll returned " + batch.size() + " events for max " + max);
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
        }
    }

    @Test
    void savedPositionResumesAfterReopenWithoutGapOrRepeat() {
        long saved;
        try (EventStore store = open()) {
            appendMixed(store, 100);
            Cursor cursor = store.cursor(Region.all(), 0);
            assertEquals(0, cursor.position(), "a fresh cursor sits at its start position");
            List<StoredEvent> first = cursor.poll(30);
            assertEquals(range(1, 30), sequences(first), "first batch is global sequences 1..30");
            assertEquals(30, cursor.position(), "position is the last event returned");
            saved = cursor.position();
        }
        try (EventStore store = open()) {
            appendMixed(store, 20);
            Cursor resumed = store.cursor(Region.all(), saved);
            assertEquals(range(31, 120), sequences(drain(resumed, 7)),
                    "a cursor resumed at the saved position continues at 31 and reaches the new events");
            assertEquals(120, resumed.position());
            assertTrue(resumed.poll(10).isEmpty(), "nothing after the end");
        }
    }

    @Test
    void emptyPollThenNewEventsAreNotLost() {
        try (EventStore store = open()) {
            Cursor cursor = store.cursor(Region.all(), 0);
            assertTrue(cursor.poll(5).isEmpty(), "an empty store yields an empty poll");
            assertEquals(0, cursor.position(), "an empty poll leaves the position alone");
            appendMixed(store, 3);
            assertEquals(range(1, 3), sequences(cursor.poll(5)), "events appended after an empty poll arrive");
            appendMixed(store, 4);
            assertEquals(range(4, 7), sequences(cursor.poll(100)));
        }
    }

    @Test
    void filtersMatchTheStoresOwnQueryAndIgnoreTheRegionsAfterAndLimit() {
        try (EventStore store = open()) {
            appendMixed(store, 300);
            List<Region> filters = List.of(Region.all().withScope("us"), Region.all().withKind(ORDER_SHIPPED.value()),
                    Region.all().withCategory(0x2), Region.all().withEntityPrefix("order-"),
                    Region.all().withEntityPrefix("invoice-4").withScope("us"), Region.all().withSequenceRange(10, 20),
                    Region.all().withScope("no-such-scope"));
            for (Region filter : filters) {
                List<Long> expected = sequences(store.read(filter.withLimit(10_000)));
                // The cursor's own start position wins over the region's after and limit.
                Cursor cursor = store.cursor(filter.withAfter(250).withLimit(1), 0);
                assertEquals(expected, sequences(drain(cursor, 9)), "cursor over " + filter);
                long after = expected.isEmpty() ? 0 : expected.get(expected.size() / 2);
                List<Long> tail = expected.stream().filter(g -> g > after).toList();
                assertEquals(tail, sequences(drain(store.cursor(filter, after), 4)), "cursor over " + filter + " after " + after);
            }
        }
    }

    @Test
    void sparseFilterReportsTheLastReturnedEventAsPosition() {
        try (EventStore store = open()) {
            store.append(new Coordinate("a-1", "s"), ORDER_PLACED, new byte[0]);
            store.append(new Coordinate("b-1", "s"), ORDER_PLACED, new byte[0]);
            store.append(new Coordinate("b-2", "s"), ORDER_PLACED, new byte[0]);
            Cursor cursor = store.cursor(Region.all().withEntityPrefix("a-"), 0);
            assertEquals(List.of(1L), sequences(cursor.poll(10)));
            assertTrue(cursor.poll(10).isEmpty());
            assertEquals(1, cursor.position(), "non-matching events later in the log do not move the position");
            store.append(new Coordinate("a-2", "s"), ORDER_PLACED, new byte[0]);
            assertEquals(List.of(4L), sequences(cursor.poll(10)));
            assertEquals(4, cursor.position());
        }
    }

    @Test
    void eventsComeBackWhole() {
        try (EventStore store = open()) {
            AppendReceipt r = store.append(new Coordinate("order-9", "eu"), ORDER_PLACED, new byte[] {1, 2, 3});
            StoredEvent e = store.cursor(Region.all(), 0).poll(1).get(0);
            assertEquals(r.eventId(), e.eventId());
            assertEquals(new Coordinate("order-9", "eu"), e.coordinate());
            assertEquals(ORDER_PLACED, e.kind());
            assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), List.of(e.payload()[0], e.payload()[1], e.payload()[2]));
            assertEquals(r.hashHex(), Hex.encode(e.hash()), "the cursor returns the stored hash");
        }
    }

    @Test
    void invalidArgumentsAndClosedStoreAreRefused() {
        EventStore store = open();
        Cursor cursor = store.cursor(Region.all(), 0);
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class, () -> cursor.poll(0)).code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class, () -> store.cursor(Region.all(), -1)).code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class, () -> store.cursor(null, 0)).code());
        store.close();
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(StoreException.class, () -> cursor.poll(1)).code(),
                "polling a cursor of a closed store fails as unavailable");
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(StoreException.class, () -> store.cursor(Region.all(), 0)).code());
    }
}
