package io.batpak.engine;

/**
 * A hybrid logical clock reading: wall-clock milliseconds plus a counter that orders events
 * committed in the same millisecond. Readings assigned by one store strictly increase in
 * commit order, even if the wall clock steps back. Immutable.
 */
public record HlcTimestamp(long wallMs, int counter) implements Comparable<HlcTimestamp> {
    @Override
    public int compareTo(HlcTimestamp o) {
        int c = Long.compare(wallMs, o.wallMs);
        return c != 0 ? c : Integer.compare(counter, o.counter);
    }

    @Override
    public String toString() {
        return wallMs + "." + counter;
    }
}
