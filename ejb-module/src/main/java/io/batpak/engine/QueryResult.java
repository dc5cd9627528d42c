package io.batpak.engine;

import java.util.List;

/**
 * The answer to an {@link EventQuery}: the matching events in ascending global sequence, and
 * {@code head}, the store's global sequence when the query ran. Every matching event with a global
 * sequence up to {@code head} past the query's start is in {@code events} (unless the limit cut
 * them), so {@code head} is a valid {@code after} for a condition even when nothing matched.
 * Immutable.
 */
public record QueryResult(List<StoredEvent> events, long head) {
    public QueryResult {
        events = List.copyOf(events);
    }
}
