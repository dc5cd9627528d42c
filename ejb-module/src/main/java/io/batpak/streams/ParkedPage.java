package io.batpak.streams;

import java.util.List;

/**
 * One page of a group's parked events, by partition then offset. {@code next} is the cursor of the
 * page after this one ({@code "partition:offset"} of its last event), null when this is the last.
 * Immutable.
 */
public record ParkedPage(List<ParkedEvent> parked, String next) {
    public ParkedPage {
        parked = List.copyOf(parked);
    }
}
