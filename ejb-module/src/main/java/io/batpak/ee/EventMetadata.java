package io.batpak.ee;

/**
 * Metadata of each message on the Reactive Messaging channel {@code batpak-events}: where the event
 * is (entity, scope), what it is (kind), and its place in the entity's and the store's order.
 */
public record EventMetadata(String eventId, String entity, String scope, int kind, long sequence,
                            long globalSequence) {
}
