package io.batpak.streams.flow;

import io.batpak.engine.StoredEvent;
import io.batpak.streams.Streams;
import io.batpak.streams.flow.FlowCodec.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recent source events of each stream partition, shared by the shards of one runner. Every shard
 * reads every source partition (and keeps only its own keys' events), so without this each event is
 * read from the log, its frame decoded and its hash checked once per shard; with it, shards moving
 * at about the same pace read each event from the log about once. A read is served from memory only
 * if all {@code limit} events asked for are held, else it goes to the log and its result is kept:
 * an event of a partition never changes once written, so a held event is the stored one, and a
 * partition's newest events are always looked up in the log. Each partition holds at most
 * {@code capacity} events (dropping its oldest). Thread-safe: a partition's window is guarded by its
 * own monitor; log reads run outside it, so shards read in parallel.
 */
final class PartitionReads {
    private final Streams streams;
    private final int capacity;
    private final ConcurrentHashMap<Source, Window> windows = new ConcurrentHashMap<>();

    PartitionReads(Streams streams, int capacity) {
        this.streams = streams;
        this.capacity = Math.max(1, capacity);
    }

    /** Up to {@code limit} events of partition {@code s} from offset {@code from}, as {@link Streams#readPartition} returns them. */
    List<StoredEvent> read(Source s, long from, int limit) {
        Window w = windows.computeIfAbsent(s, k -> new Window());
        synchronized (w) {
            List<StoredEvent> held = w.get(from, limit);
            if (held != null) {
                return held;
            }
        }
        List<StoredEvent> events = streams.readPartition(s.stream(), s.partition(), from, limit);
        synchronized (w) {
            w.add(from, events);
        }
        return events;
    }

    /** Consecutive events of one partition from offset {@code base}. Guarded by its own monitor. */
    private final class Window {
        private long base;
        private List<StoredEvent> events = new ArrayList<>();

        List<StoredEvent> get(long from, int limit) {
            if (from < base || from + limit > base + events.size()) {
                return null;
            }
            int start = (int) (from - base);
            return new ArrayList<>(events.subList(start, start + limit));
        }

        void add(long from, List<StoredEvent> read) {
            if (read.isEmpty()) {
                return;
            }
            long end = base + events.size();
            if (from >= base && from <= end) {
                int fresh = (int) Math.max(0, from + read.size() - end);
                events.addAll(read.subList(read.size() - fresh, read.size()));
            } else {
                base = from;
                events = new ArrayList<>(read);
            }
            if (events.size() > 2 * capacity) {
                int drop = events.size() - capacity;
                events = new ArrayList<>(events.subList(drop, events.size()));
                base += drop;
            }
        }
    }
}
