package io.batpak.streams;

import io.batpak.engine.StoredEvent;

/**
 * One event handed to one member of a consumer group. The {@code deliveryId} names this hand-out
 * only: once it is acked, nacked or timed out, the id is spent, and a redelivery of the same event
 * carries a new id. Immutable.
 */
public record Delivery(String deliveryId, int partition, long offset, StoredEvent event) {
}
