package io.batpak.engine.upcast;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A validated set of {@link Upcaster}s for client kinds (the store's reserved categories 0x0, 0xD
 * and 0xE are refused: its own records are never upcast): per kind, the steps from versions 1, 2, …, n with none
 * missing and none doubled, so that kind's current version is n + 1. {@link #of} refuses any other
 * set with {@code invalid-upcasters}, naming the kind and the missing or doubled step: a gap is a
 * deployment error, found when the set is installed, not at the first old event read.
 *
 * <p>{@link #current} brings an event to its kind's current version: an event of a kind without
 * steps, or already at (or, when written by a newer client, above) the current version, is returned
 * as it is, the same instance. A step that throws or returns {@code null} fails with
 * {@code upcast-failed}, naming the event, the kind, the version and the step. Immutable and
 * thread-safe.
 */
public final class Upcasters {
    /** No steps: every event is delivered as stored. */
    public static final Upcasters NONE = new Upcasters(Map.of());

    /** Per kind value, the steps indexed by from-version − 1. */
    private final Map<Integer, Upcaster[]> chains;

    private Upcasters(Map<Integer, Upcaster[]> chains) {
        this.chains = chains;
    }

    /** The set of these steps, validated (see the class comment). */
    public static Upcasters of(Collection<? extends Upcaster> steps) {
        Map<Integer, TreeMap<Integer, Upcaster>> byKind = new TreeMap<>();
        for (Upcaster u : steps) {
            if (u == null || u.kind() == null) {
                throw new StoreException(ErrorCode.INVALID_UPCASTERS, "an upcaster without a kind: " + u);
            }
            if (u.kind().isReserved() || u.kind().category() == EventKind.BOOKKEEPING_CATEGORY) {
                throw new StoreException(ErrorCode.INVALID_UPCASTERS, u.name() + " reads kind " + u.kind()
                        + ", whose category is reserved to the store: its own records are never upcast");
            }
            int from = u.fromVersion();
            if (from < AppendRequest.FIRST_PAYLOAD_VERSION || from >= AppendRequest.MAX_PAYLOAD_VERSION) {
                throw new StoreException(ErrorCode.INVALID_UPCASTERS, u.name() + " reads version " + from
                        + "; a step reads 1.." + (AppendRequest.MAX_PAYLOAD_VERSION - 1));
            }
            Upcaster before = byKind.computeIfAbsent(u.kind().value(), k -> new TreeMap<>()).put(from, u);
            if (before != null) {
                throw new StoreException(ErrorCode.INVALID_UPCASTERS, "two upcasters of kind " + u.kind()
                        + " from version " + from + ": " + before.name() + " and " + u.name());
            }
        }
        Map<Integer, Upcaster[]> chains = new HashMap<>();
        for (Map.Entry<Integer, TreeMap<Integer, Upcaster>> k : byKind.entrySet()) {
            TreeMap<Integer, Upcaster> m = k.getValue();
            Upcaster[] chain = new Upcaster[m.lastKey()];
            for (int v = 1; v <= chain.length; v++) {
                chain[v - 1] = m.get(v);
                if (chain[v - 1] == null) {
                    throw new StoreException(ErrorCode.INVALID_UPCASTERS, "kind " + new EventKind(k.getKey())
                            + " has upcasters up to version " + m.lastKey() + " but none from version " + v
                            + ": every step from version 1 on is needed, or events at version " + v
                            + " could not be read");
                }
            }
            chains.put(k.getKey(), chain);
        }
        return new Upcasters(Map.copyOf(chains));
    }

    /** Whether there are no steps at all. */
    public boolean isEmpty() {
        return chains.isEmpty();
    }

    /** The version events of {@code kind} are delivered at: 1 + its number of steps (1 without any). */
    public int currentVersion(EventKind kind) {
        Upcaster[] chain = chains.get(kind.value());
        return chain == null ? AppendRequest.FIRST_PAYLOAD_VERSION : chain.length + 1;
    }

    /** Per kind with steps, its current version, in kind order (for logs and diagnostics). */
    public Map<EventKind, Integer> currentVersions() {
        Map<EventKind, Integer> out = new TreeMap<>((a, b) -> Integer.compare(a.value(), b.value()));
        chains.forEach((k, chain) -> out.put(new EventKind(k), chain.length + 1));
        return out;
    }

    /** {@code event} at its kind's current version (see the class comment). */
    public StoredEvent current(StoredEvent event) {
        if (chains.isEmpty()) {
            return event;
        }
        Upcaster[] chain = chains.get(event.kind().value());
        if (chain == null || event.payloadVersion() > chain.length) {
            return event;
        }
        StoredEvent e = event;
        for (int v = event.payloadVersion(); v <= chain.length; v++) {
            Upcaster step = chain[v - 1];
            byte[] next;
            try {
                next = step.upcast(e);
            } catch (RuntimeException ex) {
                throw failed(event, v, step, "threw " + ex, ex);
            }
            if (next == null) {
                throw failed(event, v, step, "returned no payload", null);
            }
            e = e.withPayload(next, v + 1);
        }
        return e;
    }

    /** Every event of {@code events} at its current version, in the same order. */
    public List<StoredEvent> current(List<StoredEvent> events) {
        if (chains.isEmpty()) {
            return events;
        }
        List<StoredEvent> out = new ArrayList<>(events.size());
        for (StoredEvent e : events) {
            out.add(current(e));
        }
        return out;
    }

    private static StoreException failed(StoredEvent event, int version, Upcaster step, String what, Throwable cause) {
        String message = "upcasting event " + event.eventId() + " (" + event.coordinate() + " seq " + event.sequence()
                + ", kind " + event.kind() + ") from version " + version + " failed: " + step.name() + " " + what
                + "; the stored event is unchanged";
        return cause == null ? new StoreException(ErrorCode.UPCAST_FAILED, message)
                : new StoreException(ErrorCode.UPCAST_FAILED, message, cause);
    }

    @Override
    public String toString() {
        return "Upcasters" + currentVersions();
    }
}
