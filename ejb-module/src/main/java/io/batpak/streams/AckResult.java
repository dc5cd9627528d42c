package io.batpak.streams;

import java.util.List;

/**
 * The answer to an ack or nack: how many deliveries it settled, and the ids it ignored because they
 * were not in flight (unknown, already settled, or timed out and handed on). Immutable.
 */
public record AckResult(int settled, List<String> unknown) {
    public AckResult {
        unknown = List.copyOf(unknown);
    }
}
