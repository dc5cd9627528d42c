package io.batpak.streams.flow;

import io.batpak.engine.StoredEvent;
import io.batpak.streams.StreamEvent;
import java.util.List;

/**
 * A derivation: user code run once per source event, with keyed state, emitting derived stream
 * events. {@link #apply} must be deterministic in what it reads (the event and its key's state) and
 * free of side effects other than {@code state} and {@code emit}: a step that fails before its
 * commit is retried from the committed state, so an aborted call leaves no trace. Implementations
 * are called by one thread per shard at a time.
 *
 * <p>Limits of one step: its changed keys plus its derived events plus one checkpoint record must fit
 * one engine batch ({@code EventStore.MAX_BATCH_EVENTS}), and each state value one payload
 * ({@code maxPayloadBytes}); a step beyond them fails and commits nothing (lower
 * {@link DerivationConfig#batchSize()}). A derivation should not emit to its own sources.
 */
public interface Derivation {
    /** Its name: 1..200 characters valid in a coordinate, without {@code '/'}; fixes where its records live. */
    String name();

    /** The streams it reads (each must exist when a step runs). */
    List<String> sources();

    /** How many shards share the work; fixed when the derivation first runs. */
    default int shards() {
        return 1;
    }

    /**
     * The key that picks the event's shard and scopes its state. The default is the key the event
     * was published with, or {@code ""} for events published without one.
     */
    default String shuffleKey(StoredEvent event) {
        String key = event.attributes().get(StreamEvent.KEY_ATTRIBUTE);
        return key == null ? "" : key;
    }

    /** Applies one source event: reads and changes {@code state} (scoped to its shuffle key) and emits derived events. */
    void apply(StoredEvent event, KeyedState state, Emitter emit);
}
