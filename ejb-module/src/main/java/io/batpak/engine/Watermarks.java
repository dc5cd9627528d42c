package io.batpak.engine;

/**
 * How far the store has come, as global sequences (every event up to each one has reached that
 * level): {@code accepted} events are sequenced and written to the operating system, {@code durable}
 * ones are forced to the disk, {@code visible} ones are seen by reads, queries and subscriptions.
 * {@code durable} never overstates: in sync modes other than EVERY_COMMIT it moves at the forces the
 * writer makes (interval fsync, {@link EventStore#sync()}, close), not at those the disk may do by
 * itself. Immutable.
 */
public record Watermarks(long accepted, long durable, long visible) {
    /** The position of {@code level}. */
    public long at(WatermarkLevel level) {
        return switch (level) {
            case ACCEPTED -> accepted;
            case DURABLE -> durable;
            case VISIBLE -> visible;
        };
    }
}
