package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parking (dead letters) on a real store: an event nacked or timed out {@code maxDeliveries} times
 * is parked with its count and last reason, stops holding back the committed offset, survives a
 * restart, is listed page by page, and is delivered again after a replay until it is acked.
 */
class ParkingTest {
    private static final EventKind KIND = EventKind.of(0x1, 1);
    private static final Caller ME = Caller.ANONYMOUS;

    @TempDir
    Path dir;
    private StreamsFixture f;

    @BeforeEach
    void open() {
        f = new StreamsFixture(dir, c -> c.withGroupDefaults(new GroupConfig(1_000, 1000, StartPosition.EARLIEST)));
        f.streams.createOrGrow("orders", 1, ME);
        f.streams.configureGroup("orders", "g", new GroupConfig(1_000, 1000, 2, StartPosition.EARLIEST), ME);
        for (int i = 0; i < 3; i++) {
            f.streams.publish("orders", List.of(new StreamEvent("k", KIND, ("e" + i).getBytes(StandardCharsets.UTF_8))), ME);
        }
    }

    @AfterEach
    void close() {
        f.close();
    }

    private List<Delivery> poll(int max) {
        return f.streams.poll("orders", "g", "c1", max, 0, null, ME);
    }

    private Delivery pollOffset(long offset) {
        for (Delivery d : poll(10)) {
            if (d.offset() == offset) {
                return d;
            }
            f.streams.nack("orders", "g", List.of(d.deliveryId()), null, ME);
        }
        throw new AssertionError("offset " + offset + " was not delivered");
    }

    private PartitionState state() {
        return f.streams.state("orders", "g").get(0);
    }

    /** Acks 0 and 2, fails 1 twice (a nack with a reason, then an ack timeout). */
    private void parkTheMiddleEvent() {
        List<Delivery> all = poll(3);
        assertEquals(3, all.size(), "all three events are delivered");
        f.streams.ack("orders", "g", List.of(all.get(0).deliveryId(), all.get(2).deliveryId()), ME);
        f.streams.nack("orders", "g", List.of(all.get(1).deliveryId()), "card declined", ME);
        assertEquals(1, pollOffset(1).offset(), "a nacked event under the limit is delivered again");
        f.clock.addAndGet(1_001); // that delivery times out: the second failure
    }

    @Test
    void anEventThatFailsMaxDeliveriesTimesIsParkedAndNoLongerHoldsBackTheGroup() {
        parkTheMiddleEvent();
        assertEquals(List.of(), poll(10), "a parked event is not delivered");
        PartitionState s = state();
        assertEquals(3, s.committedOffset(), "committed offset passes the parked event: " + s);
        assertEquals(1, s.parked(), "parked count: " + s);
        assertEquals(0, s.lag(), "lag counts neither acked nor parked events: " + s);
        ParkedPage page = f.streams.parked("orders", "g", null, 10);
        assertEquals(1, page.parked().size(), "one parked event listed: " + page);
        ParkedEvent p = page.parked().get(0);
        assertEquals(1, p.offset(), "the parked offset");
        assertEquals(2, p.deliveries(), "deliveries without an ack");
        assertEquals(ConsumerGroup.TIMEOUT_REASON, p.lastReason(), "the last failure was the timeout");
        assertEquals("e1", new String(p.event().payload(), StandardCharsets.UTF_8), "the parked event itself");
        assertNull(page.next(), "a single page has no next cursor");
    }

    @Test
    void parkingSurvivesARestartAndAReplayDeliversTheEventAgainUntilAcked() {
        parkTheMiddleEvent();
        assertEquals(1, state().parked(), "parked before the restart");
        f.reopen();
        ParkedPage page = f.streams.parked("orders", "g", null, 10);
        assertEquals(1, page.parked().size(), "parked after a restart: " + page);
        assertEquals(2, page.parked().get(0).deliveries(), "the count survives the restart");
        assertEquals(List.of(), poll(10), "still not delivered after the restart");

        assertEquals(1, f.streams.replayParked("orders", "g", List.of(new long[] {0, 1}), ME), "one event replayed");
        assertEquals(1, state().committedOffset(), "a replayed event holds back the committed offset again: " + state());
        assertEquals(0, state().parked(), "nothing parked after the replay");
        f.reopen(); // the replay is durable too
        Delivery again = pollOffset(1);
        f.streams.nack("orders", "g", List.of(again.deliveryId()), "once more", ME);
        Delivery third = pollOffset(1); // a fresh count: one failure is below the limit
        f.streams.ack("orders", "g", List.of(third.deliveryId()), ME);
        assertEquals(3, state().committedOffset(), "acked after the replay: " + state());
        f.reopen();
        assertEquals(3, state().committedOffset(), "the ack of a replayed event survives a restart: " + state());
        assertEquals(List.of(), poll(10), "an acked replayed event is never delivered again");
    }

    @Test
    void replayWithoutOffsetsReplaysEveryParkedEventAndPagesWalkThemInOrder() {
        f.streams.configureGroup("orders", "g", new GroupConfig(1_000, 1000, 1, StartPosition.EARLIEST), ME);
        List<String> ids = new ArrayList<>();
        poll(3).forEach(d -> ids.add(d.deliveryId()));
        f.streams.nack("orders", "g", ids, "poison", ME);
        assertEquals(3, state().parked(), "maxDeliveries 1: one nack parks");
        ParkedPage first = f.streams.parked("orders", "g", null, 2);
        assertEquals(List.of(0L, 1L), first.parked().stream().map(ParkedEvent::offset).toList(), "first page");
        ParkedPage second = f.streams.parked("orders", "g", first.next(), 2);
        assertEquals(List.of(2L), second.parked().stream().map(ParkedEvent::offset).toList(), "second page");
        assertNull(second.next(), "the last page");
        assertEquals("poison", second.parked().get(0).lastReason(), "the nack's reason is kept");
        assertEquals(3, f.streams.replayParked("orders", "g", null, ME), "replay all");
        assertEquals(3, poll(10).size(), "every replayed event is delivered again");
        assertEquals(0, f.streams.replayParked("orders", "g", null, ME), "nothing left to replay");
    }

    @Test
    void badParkingInputIsATypedError() {
        StoreException e = assertThrows(StoreException.class, () -> f.streams.parked("orders", "g", "nonsense", 10));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code(), e.getMessage());
        e = assertThrows(StoreException.class, () -> new GroupConfig(1_000, 10, -1, StartPosition.EARLIEST));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code(), e.getMessage());
        e = assertThrows(StoreException.class, () -> f.streams.parked("orders", "nope", null, 10));
        assertEquals(ErrorCode.NOT_FOUND, e.code(), e.getMessage());
        assertTrue(f.streams.replayParked("orders", "g", List.of(new long[] {0, 99}), ME) == 0,
                "replaying an offset that is not parked changes nothing");
    }
}
