package io.batpak.streams.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The thread-free reader side of {@link ExchangeSubscription}: {@link ExchangeSubscription#pollNow}
 * never waits, and an {@link ExchangeSubscription#onReady} listener runs once per arming, when a
 * message is queued or the subscription ends (dropped, closed or shut down), or at once if it
 * already can.
 */
class ExchangeReadyTest {
    private static List<String> payloads(List<ExchangeMessage> ms) {
        return ms.stream().map(ExchangeMessage::payload).toList();
    }

    @Test
    void aPublishRunsTheArmedListenerOnceAndPollNowTakesTheMessages() {
        Exchanges x = new Exchanges(ExchangeConfig.defaults());
        ExchangeSubscription s = x.subscribe("shop", "#");
        assertEquals(List.of(), s.pollNow(10), "nothing queued yet");
        AtomicInteger calls = new AtomicInteger();
        s.onReady(calls::incrementAndGet);
        assertEquals(0, calls.get(), "armed, not run: nothing is queued");
        x.publish("shop", "a", "1");
        x.publish("shop", "a", "2");
        assertEquals(1, calls.get(), "the first publish runs it; it is not run again until re-armed");
        s.onReady(calls::incrementAndGet);
        assertEquals(2, calls.get(), "arming while messages are queued runs it at once");
        assertEquals(List.of("1"), payloads(s.pollNow(1)));
        assertEquals(List.of("2"), payloads(s.pollNow(10)));
    }

    @Test
    void aDropRunsTheListenerAndTheReaderStillDrainsWhatWasQueuedThenTheReason() {
        Exchanges x = new Exchanges(ExchangeConfig.defaults().withSubscriberQueue(2));
        ExchangeSubscription s = x.subscribe("shop", "#");
        List<String> seen = new ArrayList<>();
        x.publish("shop", "a", "1");
        x.publish("shop", "a", "2");
        seen.addAll(payloads(s.pollNow(10)));
        AtomicInteger calls = new AtomicInteger();
        s.onReady(calls::incrementAndGet);
        x.publish("shop", "a", "3");
        x.publish("shop", "a", "4");
        x.publish("shop", "a", "5"); // the queue holds 3 and 4: this one drops the subscriber
        assertEquals(1, calls.get(), "one arming, one run");
        s.onReady(calls::incrementAndGet);
        assertEquals(2, calls.get());
        seen.addAll(payloads(s.pollNow(10)));
        assertEquals(List.of("1", "2", "3", "4"), seen, "a gap-free prefix, then nothing");
        assertEquals(EndReason.SLOW_SUBSCRIBER, s.endReason());
        assertTrue(s.isFinished());
    }

    @Test
    void shutdownAndCloseRunTheArmedListener() {
        Exchanges x = new Exchanges(ExchangeConfig.defaults());
        ExchangeSubscription a = x.subscribe("shop", "#");
        ExchangeSubscription b = x.subscribe("shop", "#");
        AtomicInteger calls = new AtomicInteger();
        a.onReady(calls::incrementAndGet);
        b.onReady(calls::incrementAndGet);
        a.close();
        assertEquals(1, calls.get(), "closing runs the armed listener");
        x.close();
        assertEquals(2, calls.get(), "shutting down runs every armed listener");
        assertEquals(EndReason.SHUTDOWN, b.endReason());
        b.onReady(calls::incrementAndGet);
        assertEquals(3, calls.get(), "arming an ended subscription runs it at once");
    }
}
