package io.batpak.streams.pipeline;

import java.util.Locale;

/** Where one stage of one instance is. */
public enum StageState {
    /** A stage it depends on has no output yet. */
    WAITING,
    /** Deliverable: every dependency has its output. */
    READY,
    /** Out to a consumer now. */
    RUNNING,
    /** Its output is stored; it never runs again. */
    DONE,
    /** Failed {@code maxDeliveries} times; delivered again only after a replay. */
    PARKED;

    /** The lower-case name used over HTTP. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
