package io.batpak.ee;

import io.batpak.engine.StoredEvent;

/**
 * The payload of the asynchronous CDI event fired once per committed event, after it is durable,
 * in global order. Observers filter by kind or category with the {@link EventKindFilter} and
 * {@link EventCategoryFilter} qualifiers, or by scope and entity through these fields. Immutable.
 */
public record CommittedEvent(StoredEvent event) {
    public String entity() {
        return event.entity();
    }

    public String scope() {
        return event.scope();
    }

    public int kind() {
        return event.kind().value();
    }

    public long sequence() {
        return event.sequence();
    }

    public long globalSequence() {
        return event.globalSequence();
    }
}
