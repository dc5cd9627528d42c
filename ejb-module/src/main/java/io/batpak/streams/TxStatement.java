package io.batpak.streams;

import io.batpak.engine.AppendRequest;

/**
 * One statement of a transaction: an append to a coordinate, or an event for a stream (its
 * partition chosen when the transaction commits). Immutable.
 */
public sealed interface TxStatement {
    /** An append to a coordinate, with its options (expected sequence, attributes; no idempotency key). */
    record Append(AppendRequest request) implements TxStatement {
    }

    /** An event published to a stream. */
    record Publish(String stream, StreamEvent event) implements TxStatement {
    }
}
