package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import net.jqwik.api.constraints.IntRange;

/**
 * Parking in the group state machine, against a model, under random publishes, polls, acks, nacks,
 * ack timeouts and replays: an event is parked exactly when it failed {@code maxDeliveries} times
 * since it was last replayed, a parked event is never handed out, and a group rebuilt from the
 * records the live one asked to write (failures, revivals, acks, in that order) has the same parked
 * events, committed offsets, lag and parked counts. Once everything parked is replayed and
 * everything is acked, the committed offset is each partition's head.
 */
class ParkingProperties {
    private static final int PARTITIONS = 2;
    private static final long TIMEOUT = 100;

    /** op: 0 publish, 1 poll, 2 ack, 3 nack, 4 time passes, 5 replay one parked, 6 replay all. */
    record Step(int op, int amount) {
    }

    /** A record the live group asked to write, replayed in order into a rebuilt group. */
    private sealed interface Written permits Failed, Acked, Revived {
    }

    private record Failed(ConsumerGroup.Failure f) implements Written {
    }

    private record Acked(int partition, long offset) implements Written {
    }

    private record Revived(int partition, long offset) implements Written {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(1, 5)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(150);
    }

    @Property(tries = 300)
    void parksAtTheLimitAndRebuildsTheSameFromItsRecords(@ForAll("steps") List<Step> steps,
                                                         @ForAll @IntRange(min = 1, max = 3) int maxDeliveries) {
        GroupConfig config = new GroupConfig(TIMEOUT, 50, maxDeliveries, StartPosition.EARLIEST);
        ConsumerGroup g = new ConsumerGroup("s", "g");
        g.configure(config, new long[PARTITIONS]);
        long[] heads = new long[PARTITIONS];
        long now = 0;
        Map<String, ConsumerGroup.Out> out = new HashMap<>();
        Map<Long, Integer> failures = new HashMap<>(); // the model: failed deliveries since the last replay
        Set<Long> parked = new HashSet<>();
        List<Written> written = new ArrayList<>();
        for (Step s : steps) {
            switch (s.op()) {
                case 0 -> heads[s.amount() % PARTITIONS] += s.amount();
                case 1 -> {
                    expire(g, now, out, failures, parked, maxDeliveries, written);
                    for (ConsumerGroup.Out o : g.claim("c", s.amount(), now, heads)) {
                        assertFalse(parked.contains(key(o)), "parked event " + o.partition() + "/" + o.offset()
                                + " was handed out");
                        out.put(o.id(), o);
                    }
                }
                case 2 -> {
                    List<ConsumerGroup.Out> taken = g.beginAck(pick(out, s.amount()), new ArrayList<>(), false);
                    g.completeAck(taken);
                    for (ConsumerGroup.Out o : taken) {
                        out.remove(o.id());
                        failures.remove(key(o));
                        written.add(new Acked(o.partition(), o.offset()));
                    }
                }
                case 3 -> {
                    List<String> ids = pick(out, s.amount());
                    assertEquals(ids.size(), g.nack(ids, new ArrayList<>(), "bad " + s.amount()), "nacked deliveries");
                    for (String id : ids) {
                        failed(out.remove(id), failures, parked, maxDeliveries);
                    }
                    g.takeUnwritten().forEach(f -> written.add(new Failed(f)));
                }
                case 4 -> now += TIMEOUT / 2 * s.amount();
                case 5 -> {
                    List<ConsumerGroup.ParkedOffset> list = g.parked(0, -1, Integer.MAX_VALUE);
                    if (!list.isEmpty()) {
                        ConsumerGroup.ParkedOffset p = list.get(s.amount() % list.size());
                        assertTrue(g.revive(p.partition(), p.offset()), "a listed parked offset did not revive");
                        parked.remove(p.partition() * 1_000_000L + p.offset());
                        written.add(new Revived(p.partition(), p.offset()));
                    }
                }
                default -> {
                    for (ConsumerGroup.ParkedOffset p : g.parked(0, -1, Integer.MAX_VALUE)) {
                        g.revive(p.partition(), p.offset());
                        written.add(new Revived(p.partition(), p.offset()));
                    }
                    parked.clear();
                }
            }
            Set<Long> listed = new HashSet<>();
            g.parked(0, -1, Integer.MAX_VALUE).forEach(p -> listed.add(p.partition() * 1_000_000L + p.offset()));
            assertEquals(parked, listed, "parked events (partition*1e6+offset) differ from the model after " + s);
        }
        assertRebuildMatches(g, config, heads, written);
        drain(g, heads, now);
    }

    private static void expire(ConsumerGroup g, long now, Map<String, ConsumerGroup.Out> out, Map<Long, Integer> failures,
                               Set<Long> parked, int maxDeliveries, List<Written> written) {
        g.expire(now);
        out.values().removeIf(o -> {
            if (o.deadline() <= now) {
                failed(o, failures, parked, maxDeliveries);
                return true;
            }
            return false;
        });
        g.takeUnwritten().forEach(f -> written.add(new Failed(f)));
    }

    private static void failed(ConsumerGroup.Out o, Map<Long, Integer> failures, Set<Long> parked, int maxDeliveries) {
        int n = failures.merge(key(o), 1, Integer::sum);
        if (n >= maxDeliveries) {
            failures.remove(key(o));
            parked.add(key(o));
        }
    }

    private static void assertRebuildMatches(ConsumerGroup live, GroupConfig config, long[] heads, List<Written> written) {
        ConsumerGroup rebuilt = new ConsumerGroup("s", "g");
        rebuilt.configure(config, new long[PARTITIONS]);
        for (Written w : written) {
            if (w instanceof Failed f) {
                rebuilt.recordFailure(f.f().partition(), f.f().offset(), f.f().reason());
            } else if (w instanceof Acked a) {
                rebuilt.markAcked(a.partition(), a.offset());
            } else if (w instanceof Revived r) {
                rebuilt.revive(r.partition(), r.offset());
            }
        }
        assertEquals(live.parked(0, -1, Integer.MAX_VALUE), rebuilt.parked(0, -1, Integer.MAX_VALUE),
                "parked events (with counts and reasons) of a group rebuilt from its records");
        List<PartitionState> a = live.state(heads);
        List<PartitionState> b = rebuilt.state(heads);
        for (int p = 0; p < PARTITIONS; p++) {
            assertEquals(a.get(p).committedOffset(), b.get(p).committedOffset(), "partition " + p + " committed offset after a rebuild");
            assertEquals(a.get(p).parked(), b.get(p).parked(), "partition " + p + " parked count after a rebuild");
            assertEquals(a.get(p).lag(), b.get(p).lag(), "partition " + p + " lag after a rebuild");
        }
    }

    /** Replays everything parked, then one member takes and acks everything: all offsets end acked. */
    private static void drain(ConsumerGroup g, long[] heads, long now) {
        for (ConsumerGroup.ParkedOffset p : g.parked(0, -1, Integer.MAX_VALUE)) {
            g.revive(p.partition(), p.offset());
        }
        for (int round = 0; round < 10_000; round++) {
            now += TIMEOUT + 1;
            g.expire(now); // deliveries still out time out: may park again, so replay once more
            for (ConsumerGroup.ParkedOffset p : g.parked(0, -1, Integer.MAX_VALUE)) {
                g.revive(p.partition(), p.offset());
            }
            List<ConsumerGroup.Out> batch = g.claim("drainer", 50, now, heads);
            if (batch.isEmpty()) {
                break;
            }
            g.completeAck(g.beginAck(batch.stream().map(ConsumerGroup.Out::id).toList(), new ArrayList<>(), false));
        }
        for (PartitionState st : g.state(heads)) {
            assertEquals(heads[st.partition()], st.committedOffset(), "partition " + st.partition()
                    + " committed offset after replaying and acking everything");
            assertEquals(0, st.parked(), "partition " + st.partition() + " parked after replaying everything");
            assertEquals(0, st.lag(), "partition " + st.partition() + " lag after draining");
        }
    }

    private static List<String> pick(Map<String, ConsumerGroup.Out> out, int n) {
        return out.keySet().stream().sorted().limit(n).toList();
    }

    private static long key(ConsumerGroup.Out o) {
        return o.partition() * 1_000_000L + o.offset();
    }
}
