package io.batpak.streams.exchange;

/**
 * Why an {@link ExchangeSubscription} ended; {@link #code()} is the stable name sent to an SSE
 * client in the stream's last event.
 */
public enum EndReason {
    /** Its queue was full when a message came: the subscriber reads slower than the exchange publishes. */
    SLOW_SUBSCRIBER("slow-subscriber"),
    /** The subscriber closed it. */
    CLOSED("closed"),
    /** The exchanges shut down (application stopping). */
    SHUTDOWN("shutdown");

    private final String code;

    EndReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
