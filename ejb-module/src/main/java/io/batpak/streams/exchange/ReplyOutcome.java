package io.batpak.streams.exchange;

/**
 * What became of a handler's reply ({@link Endpoints#reply}). Only {@link #ACCEPTED} reached a
 * caller; the others are reported to the handler and change nothing, so a late or repeated reply
 * never loses or corrupts anything. {@link #code()} is the stable name used over HTTP.
 */
public enum ReplyOutcome {
    /** The caller was waiting and got this reply. */
    ACCEPTED("accepted"),
    /** The call timed out (or the caller went away) before the reply came. */
    EXPIRED("expired"),
    /** The call had been answered already; the first reply stands. */
    ALREADY_ANSWERED("already-answered"),
    /** No call with this id is known to the endpoint (never issued, or forgotten long ago). */
    UNKNOWN("unknown");

    private final String code;

    ReplyOutcome(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
