package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The group state machine under random interleavings of publish, poll, ack (current and stale ids),
 * nack and ack timeouts by three members: no event is ever out to two members at once, stale ids
 * never ack anything, and once everything is drained every published event was acked exactly once.
 */
class ConsumerGroupProperties {
    private static final int PARTITIONS = 3;
    private static final long TIMEOUT = 100;

    record Step(int op, int consumer, int amount) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 6)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(200);
    }

    @Property(tries = 300)
    void everyEventIsAckedExactlyOnceAndNeverOutTwice(@ForAll("steps") List<Step> steps) {
        ConsumerGroup g = new ConsumerGroup("s", "g");
        g.configure(new GroupConfig(TIMEOUT, 4, StartPosition.EARLIEST), new long[PARTITIONS]);
        long[] heads = new long[PARTITIONS];
        long now = 0;
        Map<String, ConsumerGroup.Out> mine = new HashMap<>();
        Set<Long> outNow = new HashSet<>();
        Map<Long, Integer> ackCount = new HashMap<>();
        List<String> stale = new ArrayList<>();
        for (Step s : steps) {
            switch (s.op()) {
                case 0 -> heads[s.amount() % PARTITIONS] += s.amount();
                case 1 -> {
                    g.expire(now);
                    dropExpired(mine, outNow, stale, now);
                    for (ConsumerGroup.Out o : g.claim("c" + s.consumer(), s.amount(), now, heads)) {
                        assertTrue(outNow.add(id(o)), "event " + o.partition() + "/" + o.offset()
                                + " handed out while another member holds it");
                        assertTrue(o.offset() < heads[o.partition()], "handed out an offset past the head");
                        mine.put(o.id(), o);
                    }
                    assertTrue(g.inFlightOf("c" + s.consumer()) <= 4, "maxInFlight exceeded");
                }
                case 2 -> {
                    g.expire(now);
                    dropExpired(mine, outNow, stale, now);
                    List<String> ids = pick(mine, s);
                    List<String> unknown = new ArrayList<>();
                    List<ConsumerGroup.Out> taken = g.beginAck(ids, unknown, false);
                    assertEquals(List.of(), unknown, "ids in flight were reported unknown");
                    g.completeAck(taken);
                    for (ConsumerGroup.Out o : taken) {
                        ackCount.merge(id(o), 1, Integer::sum);
                        outNow.remove(id(o));
                        mine.remove(o.id());
                    }
                }
                case 3 -> {
                    g.expire(now);
                    dropExpired(mine, outNow, stale, now);
                    List<String> ids = pick(mine, s);
                    g.nack(ids, new ArrayList<>(), null);
                    for (String id : ids) {
                        outNow.remove(id(mine.remove(id)));
                        stale.add(id);
                    }
                }
                case 4 -> now += TIMEOUT / 2 * s.amount();
                default -> {
                    List<String> unknown = new ArrayList<>();
                    assertEquals(List.of(), g.beginAck(stale, unknown, false),
                            "a spent delivery id (nacked or timed out) acked an event");
                }
            }
        }
        // drain: one member polls and acks until nothing is left
        for (int round = 0; round < 100_000; round++) {
            now += TIMEOUT + 1;
            g.expire(now);
            List<ConsumerGroup.Out> batch = g.claim("drainer", 4, now, heads);
            if (batch.isEmpty()) {
                break;
            }
            List<String> unknown = new ArrayList<>();
            List<ConsumerGroup.Out> taken = g.beginAck(batch.stream().map(ConsumerGroup.Out::id).toList(), unknown,
                    false);
            g.completeAck(taken);
            taken.forEach(o -> ackCount.merge(id(o), 1, Integer::sum));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            for (long o = 0; o < heads[p]; o++) {
                assertEquals(1, ackCount.getOrDefault(p * 1_000_000L + o, 0), "event " + p + "/" + o
                        + " was not acked exactly once");
            }
            PartitionState st = g.state(heads).get(p);
            assertEquals(heads[p], st.committedOffset(), "partition " + p + " committed offset after draining");
            assertEquals(0, st.lag(), "partition " + p + " lag after draining");
            assertEquals(0, st.inFlight(), "partition " + p + " in flight after draining");
        }
    }

    private static void dropExpired(Map<String, ConsumerGroup.Out> mine, Set<Long> outNow, List<String> stale,
                                    long now) {
        mine.values().removeIf(o -> {
            if (o.deadline() <= now) {
                outNow.remove(id(o));
                stale.add(o.id());
                return true;
            }
            return false;
        });
    }

    private static List<String> pick(Map<String, ConsumerGroup.Out> mine, Step s) {
        List<String> ids = new ArrayList<>();
        for (ConsumerGroup.Out o : mine.values()) {
            if (o.consumer().equals("c" + s.consumer()) && ids.size() < s.amount()) {
                ids.add(o.id());
            }
        }
        return ids;
    }

    private static long id(ConsumerGroup.Out o) {
        return o.partition() * 1_000_000L + o.offset();
    }
}
