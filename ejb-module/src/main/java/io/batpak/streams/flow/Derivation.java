package io.batpak.streams.flow;

import io.batpak.engine.Region;
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

    /** The streams it reads (each must exist when a step runs); may be empty if {@link #regionSources()} is not. */
    List<String> sources();

    /**
     * Engine regions it reads besides its streams: any events of the log matching a
     * {@link Region} (entity prefix, scope, kind or category, sequence range, grants), e.g. events
     * appended straight to the {@link io.batpak.engine.EventStore} rather than published to a
     * stream. Each region is read in ascending global sequence from the region's own
     * {@code afterGlobalSequence} (its {@code limit} is ignored: steps read {@code batchSize}), and
     * the shard checkpoint holds, per region, the next global sequence to read, committed with the
     * step like a partition's offset, so region events too are applied exactly once. A region is
     * identified in the checkpoint by its filter (not its position in this list): changing a
     * region's filter makes it a new source, read from its start. The store's own records (kind
     * category 0xE: stream metadata, pipeline and derivation records) are never delivered, so a
     * broad region like {@link Region#all()} does not feed on the derivation's own commits; it
     * still should not cover the streams the derivation emits to. A publish to a stream wakes idle
     * loops; events appended to the engine directly are seen within {@code idleWaitMs}. Default: none.
     */
    default List<Region> regionSources() {
        return List.of();
    }

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
