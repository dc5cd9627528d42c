package io.batpak.streams.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.engine.EventKind;
import io.batpak.engine.StoredEvent;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.Streams;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The test derivation: per shuffle key, the count and the sum of the source payloads (decimal
 * numbers) as state {@code "count,sum"}, and one derived event per source event to {@link #OUT},
 * payload {@code "key|stream|partition|offset|count|sum"}. {@link #crashAt} makes the n-th apply
 * call throw, to abandon a step before it commits. {@link #check} compares a runner's state and the
 * derived stream with a recomputation from scratch over the sources.
 */
final class Counting implements Derivation {
    static final String OUT = "derived";
    static final EventKind KIND = EventKind.of(1, 1);
    private final String name;
    private final List<String> sources;
    private final int shards;
    /** Apply calls left before one throws; negative: never. Used by the shard's thread only. */
    long crashAt = -1;

    Counting(String name, List<String> sources, int shards) {
        this.name = name;
        this.sources = sources;
        this.shards = shards;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> sources() {
        return sources;
    }

    @Override
    public int shards() {
        return shards;
    }

    @Override
    public void apply(StoredEvent event, KeyedState state, Emitter emit) {
        String old = state.getString();
        long count = 0;
        long sum = 0;
        if (old != null) {
            String[] parts = old.split(",");
            count = Long.parseLong(parts[0]);
            sum = Long.parseLong(parts[1]);
        }
        count++;
        sum += Long.parseLong(new String(event.payload(), StandardCharsets.UTF_8));
        state.putString(count + "," + sum);
        String stream = event.scope();
        String partition = event.entity().substring(event.entity().lastIndexOf('/') + 1);
        emit.emit(OUT, state.key(), KIND, (state.key() + "|" + stream + "|" + partition + "|" + event.sequence() + "|"
                + count + "|" + sum).getBytes(StandardCharsets.UTF_8));
        if (crashAt == 0) {
            crashAt = -1;
            throw new IllegalStateException("crash injected after an apply, before the commit");
        }
        if (crashAt > 0) {
            crashAt--;
        }
    }

    static StreamEvent event(String key, long value) {
        return new StreamEvent(key, KIND, Long.toString(value).getBytes(StandardCharsets.UTF_8));
    }

    static List<StoredEvent> all(Streams streams, String stream) {
        List<StoredEvent> out = new ArrayList<>();
        for (int p = 0; p < streams.partitions(stream); p++) {
            out.addAll(streams.readPartition(stream, p, 0, 1_000_000));
        }
        return out;
    }

    /** Asserts the runner's state and the derived stream equal a recomputation from the sources. */
    static void check(Streams streams, DerivationRunner runner, List<String> sources) {
        Map<String, long[]> expected = new TreeMap<>();
        TreeSet<String> expectedIds = new TreeSet<>();
        for (String s : sources) {
            for (StoredEvent e : all(streams, s)) {
                String key = e.attributes().getOrDefault(StreamEvent.KEY_ATTRIBUTE, "");
                long[] cs = expected.computeIfAbsent(key, k -> new long[2]);
                cs[0]++;
                cs[1] += Long.parseLong(new String(e.payload(), StandardCharsets.UTF_8));
                String partition = e.entity().substring(e.entity().lastIndexOf('/') + 1);
                expectedIds.add(key + "|" + s + "|" + partition + "|" + e.sequence());
            }
        }
        Map<String, String> state = new TreeMap<>();
        for (int i = 0; i < runner.shards(); i++) {
            runner.state(i).forEach((k, v) -> state.put(k, new String(v, StandardCharsets.UTF_8)));
        }
        Map<String, String> want = new TreeMap<>();
        expected.forEach((k, cs) -> want.put(k, cs[0] + "," + cs[1]));
        assertEquals(want, state, "state differs from a recomputation over the sources");

        List<StoredEvent> derived = all(streams, OUT);
        List<String> ids = new ArrayList<>();
        Map<String, List<Long>> counts = new HashMap<>();
        for (StoredEvent e : derived) {
            String[] f = new String(e.payload(), StandardCharsets.UTF_8).split("\\|");
            ids.add(f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3]);
            counts.computeIfAbsent(f[0], k -> new ArrayList<>()).add(Long.parseLong(f[4]));
        }
        assertEquals(expectedIds.size(), derived.size(), "derived events: one per source event, no duplicate, none lost");
        assertEquals(expectedIds, new TreeSet<>(ids), "each source event has exactly one derived event");
        counts.forEach((k, cs) -> {
            List<Long> sorted = new ArrayList<>(cs);
            sorted.sort(null);
            List<Long> oneToN = new ArrayList<>();
            for (long i = 1; i <= cs.size(); i++) {
                oneToN.add(i);
            }
            assertEquals(oneToN, sorted, "running counts of key " + k + " are 1..n: each applied once, in one line");
        });
    }
}
