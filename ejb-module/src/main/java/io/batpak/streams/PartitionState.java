package io.batpak.streams;

/**
 * A consumer group's progress in one partition. {@code committedOffset} is the lowest offset not
 * yet acked (every offset below it is acked); {@code inFlight} the deliveries out now (including
 * acks being written); {@code lag} the events of the partition not yet acked. Immutable.
 * Parked events count as settled for {@code committedOffset} and {@code lag}; {@code parked} says
 * how many there are.
 */
public record PartitionState(int partition, long committedOffset, int inFlight, long lag, int parked) {
}
