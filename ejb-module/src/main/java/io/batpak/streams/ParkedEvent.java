package io.batpak.streams;

import io.batpak.engine.StoredEvent;

/**
 * An event a consumer group parked: delivered {@code deliveries} times without an ack (nacks and
 * ack timeouts both count), no longer handed out until it is replayed. {@code lastReason} is the
 * reason of the last nack ("ack timeout" for a timeout; null if a nack gave none). Immutable.
 */
public record ParkedEvent(int partition, long offset, int deliveries, String lastReason, StoredEvent event) {
}
