package io.batpak.streams.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Fan-out, drop of a slow subscriber, unsubscribe and shutdown of {@link Exchanges}. */
class ExchangesTest {
    /** Guard against a hang only; never a performance expectation. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);

    private static List<String> topics(List<ExchangeMessage> ms) {
        return ms.stream().map(m -> m.topic() + "=" + m.payload()).toList();
    }

    @Test
    void twoSubscribersWithDifferentPatternsGetWhatMatchesTheirs() {
        Exchanges x = new Exchanges(ExchangeConfig.defaults());
        ExchangeSubscription eu = x.subscribe("shop", "orders.eu");
        ExchangeSubscription all = x.subscribe("shop", "orders.*");
        assertEquals(2, x.publish("shop", "orders.eu", "1"));
        assertEquals(1, x.publish("shop", "orders.us", "2"));
        assertEquals(0, x.publish("shop", "payments.eu", "3"));
        assertEquals(0, x.publish("other", "orders.eu", "4"), "another exchange has no subscribers");
        assertEquals(List.of("orders.eu=1"), topics(eu.poll(10, Duration.ZERO)));
        assertEquals(List.of("orders.eu=1", "orders.us=2"), topics(all.poll(10, Duration.ZERO)));
    }

    @Test
    void aSubscriberOnlyGetsWhatIsPublishedAfterItSubscribed() {
        Exchanges x = new Exchanges(ExchangeConfig.defaults());
        assertEquals(0, x.publish("shop", "a", "before"));
        ExchangeSubscription s = x.subscribe("shop", "#");
        x.publish("shop", "a", "after");
        assertEquals(List.of("a=after"), topics(s.poll(10, Duration.ZERO)));
    }

    @Test
    void aFullQueueDropsTheSubscriberWithoutBlockingThePublisher() {
        Exchanges x = new Exchanges(ExchangeConfig.defaults().withSubscriberQueue(3));
        ExchangeSubscription slow = x.subscribe("shop", "#");
        ExchangeSubscription fast = x.subscribe("shop", "#");
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (int i = 0; i < 10; i++) {
                int delivered = x.publish("shop", "t", Integer.toString(i));
                assertEquals(i < 3 ? 2 : 1, delivered, "delivered count of message " + i);
                assertEquals(1, fast.poll(1, Duration.ZERO).size(), "the reading subscriber misses message " + i);
            }
        }, "a publish blocked on a subscriber that does not read");
        assertEquals(EndReason.SLOW_SUBSCRIBER, slow.endReason());
        assertEquals(List.of("t=0", "t=1", "t=2"), topics(slow.poll(10, Duration.ZERO)),
                "the dropped subscriber keeps what was queued before the drop");
        assertTrue(slow.isFinished());
        assertEquals(1, x.subscribers("shop"), "the dropped subscriber is still registered");
        assertNull(fast.endReason());
    }

    @Test
    void closeUnsubscribesAndShutdownWakesAWaitingReader() throws Exception {
        Exchanges x = new Exchanges(ExchangeConfig.defaults());
        ExchangeSubscription a = x.subscribe("shop", "#");
        a.close();
        assertEquals(EndReason.CLOSED, a.endReason());
        assertEquals(0, x.publish("shop", "t", "1"));
        assertEquals(0, x.subscribers("shop"));
        ExchangeSubscription b = x.subscribe("shop", "#");
        CompletableFuture<List<ExchangeMessage>> waiting = CompletableFuture.supplyAsync(
                () -> b.poll(10, Duration.ofMinutes(5)));
        while (!waiting.isDone() && b.endReason() == null) {
            x.close();
        }
        assertEquals(List.of(), waiting.get(HANG_GUARD.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                "close() did not wake the waiting poll");
        assertEquals(EndReason.SHUTDOWN, b.endReason());
        StoreException e = assertThrows(StoreException.class, () -> x.subscribe("shop", "#"));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
    }

    @Test
    void badNamesAndTopicsAreInvalidRequests() {
        Exchanges x = new Exchanges(ExchangeConfig.defaults());
        for (Runnable r : List.<Runnable>of(() -> x.publish("", "t", "1"), () -> x.publish("a/b", "t", "1"),
                () -> x.publish("shop", "t.*", "1"), () -> x.subscribe("shop", "a.#.b"))) {
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class, r::run).code());
        }
    }
}
