package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

/** Where a new consumer group begins in each partition: the first offset, or the head when it is created. */
public enum StartPosition {
    /** Every event of the stream, from offset 0 of each partition. */
    EARLIEST,
    /** Only events published after the group was created. */
    LATEST;

    /** The lower-case name used over HTTP and in stored group events. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses {@code earliest} or {@code latest}; anything else is {@code INVALID_REQUEST}. */
    public static StartPosition parse(String text) {
        if ("earliest".equals(text)) {
            return EARLIEST;
        }
        if ("latest".equals(text)) {
            return LATEST;
        }
        throw new StoreException(ErrorCode.INVALID_REQUEST, "start must be 'earliest' or 'latest', was '" + text + "'");
    }
}
