package io.batpak.streams.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The exchange's delivery guarantees under random publish/read interleavings against a model:
 * every live subscriber gets exactly the messages published after it subscribed whose topic matches
 * its pattern, in publish order; a subscriber is dropped exactly when a matching message finds its
 * queue full, and keeps the gap-free prefix it had; {@code delivered} counts exactly the subscribers
 * that queued the message. And, with real threads, a publisher never waits for a subscriber that
 * never reads.
 */
class ExchangeProperties {
    private static final List<String> PATTERNS = List.of("#", "a.*", "a.b", "*.b", "b.#", "*");
    private static final List<String> TOPICS = List.of("a", "b", "a.b", "a.c", "b.b", "b.c.d");

    /** op 0: publish topic {@code arg}; 1: subscriber {@code who} reads up to {@code arg}; 2: subscribe. */
    record Step(int op, int who, int arg) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 5)).as(Step::new).list().ofMinSize(1).ofMaxSize(300);
    }

    /** The model of one subscriber: what it was promised, what it read, whether it was dropped. */
    private static final class Model {
        final ExchangeSubscription sub;
        final List<String> expected = new ArrayList<>();
        final List<String> got = new ArrayList<>();
        int queued;
        boolean dropped;

        Model(ExchangeSubscription sub) {
            this.sub = sub;
        }
    }

    @Property(tries = 300)
    void liveSubscribersGetEveryMatchingMessageInOrderAndDroppedOnesAPrefix(
            @ForAll("steps") List<Step> steps, @ForAll @IntRange(min = 1, max = 6) int capacity) {
        Exchanges x = new Exchanges(ExchangeConfig.defaults().withSubscriberQueue(capacity));
        List<Model> subs = new ArrayList<>();
        int seq = 0;
        for (Step s : steps) {
            switch (s.op()) {
                case 0 -> {
                    String topic = TOPICS.get(s.arg());
                    String payload = Integer.toString(seq++);
                    int expectDelivered = 0;
                    for (Model m : subs) {
                        if (m.dropped || !m.sub.pattern().matches(topic)) {
                            continue;
                        }
                        if (m.queued == capacity) {
                            m.dropped = true;
                        } else {
                            m.queued++;
                            m.expected.add(payload);
                            expectDelivered++;
                        }
                    }
                    assertEquals(expectDelivered, x.publish("x", topic, payload), "delivered of " + topic);
                }
                case 1 -> {
                    if (!subs.isEmpty()) {
                        Model m = subs.get(s.who() % subs.size());
                        List<ExchangeMessage> read = m.sub.poll(s.arg() + 1, Duration.ZERO);
                        read.forEach(r -> m.got.add(r.payload()));
                        m.queued -= read.size();
                    }
                }
                default -> subs.add(new Model(x.subscribe("x", PATTERNS.get(s.who()))));
            }
        }
        for (Model m : subs) {
            m.sub.poll(Integer.MAX_VALUE, Duration.ZERO).forEach(r -> m.got.add(r.payload()));
            assertEquals(m.expected, m.got, "subscriber " + m.sub.pattern() + " (dropped " + m.dropped + ")");
            if (m.dropped) {
                assertEquals(EndReason.SLOW_SUBSCRIBER, m.sub.endReason(), "dropped but not told why");
            } else {
                assertNull(m.sub.endReason(), "a subscriber that kept up was ended");
            }
        }
    }

    @Property(tries = 20)
    void aPublisherNeverWaitsForASubscriberThatDoesNotRead(@ForAll @IntRange(min = 1, max = 64) int capacity,
                                                           @ForAll @IntRange(min = 1, max = 2000) int messages)
            throws Exception {
        Exchanges x = new Exchanges(ExchangeConfig.defaults().withSubscriberQueue(capacity));
        ExchangeSubscription stuck = x.subscribe("x", "#");
        ExchangeSubscription reader = x.subscribe("x", "#");
        List<String> got = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread readerThread = new Thread(() -> {
            while (true) {
                boolean last = stop.get();
                List<ExchangeMessage> batch = reader.poll(256, Duration.ofMillis(10));
                batch.forEach(m -> got.add(m.payload()));
                if (last && batch.isEmpty()) {
                    return;
                }
            }
        });
        // The reader may fall behind and be dropped too; what it got must then still be a prefix.
        readerThread.start();
        CountDownLatch done = new CountDownLatch(1);
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < messages; i++) {
                x.publish("x", "t", Integer.toString(i));
            }
            done.countDown();
        });
        publisher.start();
        // A hang guard only: a publisher that waited for the stuck subscriber would never finish.
        assertTrue(done.await(30, TimeUnit.SECONDS), "the publisher blocked on a subscriber that never reads");
        stop.set(true);
        readerThread.join(30_000);
        assertEquals(messages > capacity ? EndReason.SLOW_SUBSCRIBER : null, stuck.endReason());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(Integer.toString(i), got.get(i), "the reader's messages are not a gap-free prefix");
        }
        if (reader.endReason() == null) {
            assertEquals(messages, got.size(), "a reader never dropped missed messages");
        }
    }
}
