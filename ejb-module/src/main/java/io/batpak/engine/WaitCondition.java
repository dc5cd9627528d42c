package io.batpak.engine;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What a {@link Outcome.Pending} step waits for before it can resume: a point in time, a
 * committed event, or all / any of several conditions. Plain data, immutable; the component that
 * resumes pending work interprets it.
 */
public sealed interface WaitCondition {
    /** Resume at or after this wall-clock time, Unix milliseconds. */
    record Until(long resumeAtMs) implements WaitCondition {
    }

    /** Resume once the event with this id is committed. */
    record OnEvent(UUID eventId) implements WaitCondition {
        public OnEvent {
            Objects.requireNonNull(eventId, "eventId");
        }
    }

    /** Resume once every condition holds. */
    record All(List<WaitCondition> conditions) implements WaitCondition {
        public All {
            conditions = List.copyOf(conditions);
        }
    }

    /** Resume once at least one condition holds. */
    record Any(List<WaitCondition> conditions) implements WaitCondition {
        public Any {
            conditions = List.copyOf(conditions);
        }
    }
}
