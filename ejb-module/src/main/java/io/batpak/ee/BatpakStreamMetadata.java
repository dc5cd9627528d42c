package io.batpak.ee;

/**
 * Message metadata of the {@code batpak} connector. On an incoming message it says where the
 * delivery came from (stream, partition, offset, delivery id, the event's key, kind, id and global
 * sequence). On an outgoing message only {@code key} (which partition) and {@code kind} (0 for the
 * channel's configured kind) are read; use {@link #outgoing}. Immutable.
 */
public record BatpakStreamMetadata(String stream, int partition, long offset, String deliveryId, String key,
                                   int kind, String eventId, long globalSequence) {
    /** Metadata for a message to publish with {@code key} (may be null) and {@code kind} (0: the channel's kind). */
    public static BatpakStreamMetadata outgoing(String key, int kind) {
        return new BatpakStreamMetadata(null, -1, -1, null, key, kind, null, -1);
    }
}
