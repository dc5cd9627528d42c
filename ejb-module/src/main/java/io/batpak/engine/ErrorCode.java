package io.batpak.engine;

import io.batpak.engine.gate.Receipt;

/**
 * Stable classification of every failure the engine reports. The codes are part of the public
 * contract: the HTTP layer maps them one to one onto problem+json {@code code} values, so a
 * code is never renamed or reused for another meaning.
 */
public enum ErrorCode {
    /** The request itself is malformed (a field out of range, a missing value). Permanent. */
    INVALID_REQUEST("invalid-request", false),
    /** An entity or scope is empty, too long or holds control characters. Permanent. */
    INVALID_COORDINATE("invalid-coordinate", false),
    /** A client tried to append a kind in a category reserved to the store (0x0, 0xD, 0xE). */
    RESERVED_KIND("reserved-kind", false),
    /** A client tried to append to an entity name the store keeps for its own bookkeeping. Permanent. */
    RESERVED_ENTITY("reserved-entity", false),
    /** An entity name without a scope matches several coordinates within the caller's grants. */
    AMBIGUOUS_ENTITY("ambiguous-entity", false),
    /** An event payload or a batch is larger than the configured limit. Permanent. */
    PAYLOAD_TOO_LARGE("payload-too-large", false),
    /** A compare-and-swap append found another last sequence than the one expected. */
    SEQUENCE_MISMATCH("sequence-mismatch", false),
    /** An idempotency key was reused for a different request. Permanent. */
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", false),
    /** The event, entity or file asked for does not exist. */
    NOT_FOUND("not-found", false),
    /** Stored bytes fail their checksum or do not decode: the data on disk is damaged. */
    CORRUPT_DATA("corrupt-data", false),
    /**
     * The data directory was written in a format version this build no longer opens; the message
     * says how to upgrade it offline. Permanent until the operator acts.
     */
    FORMAT_UPGRADE_REQUIRED("format-upgrade-required", false),
    /** The store is closed, closing, or its writer stopped after an I/O failure. */
    UNAVAILABLE("unavailable", true),
    /** A state machine met an event that no edge allows from the entity's current state. Permanent. */
    INVALID_TRANSITION("invalid-transition", false),
    /** The calling thread was interrupted while it waited for the writer. */
    INTERRUPTED("interrupted", true),
    /** A gate {@link Receipt} was presented a second time; each receipt authorises one append. Permanent. */
    RECEIPT_CONSUMED("receipt-consumed", false),
    /** A transaction acked a stream delivery that is no longer in flight (acked, nacked or timed out). */
    DELIVERY_EXPIRED("delivery-expired", false),
    /** The caller lacks the role or the scope grant the operation needs. Permanent for that caller. */
    FORBIDDEN("forbidden", false),
    /** A conditional append found an event matching its condition after the given position; nothing was stored. */
    CONDITION_FAILED("condition-failed", false),
    // Exchanges and RPC endpoints (issue 14): nothing stored, so none of these leaves state behind.
    /** An endpoint call got no reply within its timeout; the handler's late reply is discarded. */
    TIMEOUT("timeout", true),
    /** An endpoint call found no handler: none registered, polling, or polled recently. */
    NO_HANDLER("no-handler", true),
    /** The endpoint's handler failed the call (a bean threw, or an HTTP handler replied with an error). */
    HANDLER_FAILED("handler-failed", false),
    /** An endpoint holds its maximum of pending calls; retry once its handlers catch up. */
    ENDPOINT_BUSY("endpoint-busy", true),
    /** A pipeline definition is malformed: no stage, a duplicate or unknown stage, a cycle. Permanent. */
    INVALID_PIPELINE("invalid-pipeline", false),
    /** Another definition is stored under this pipeline's name. Permanent. */
    PIPELINE_EXISTS("pipeline-exists", false),
    /** The input event already started a pipeline instance. Permanent. */
    INSTANCE_EXISTS("instance-exists", false),
    // Upcasters (issue 16): the stored event is untouched, only its current form could not be made.
    /**
     * The registered upcasters do not form a chain: a (kind, from-version) registered twice, a
     * missing step, or a step that is not a valid upcaster. Refused when they are installed. Permanent.
     */
    INVALID_UPCASTERS("invalid-upcasters", false),
    /**
     * An upcaster threw or returned no payload while bringing a stored event to its current
     * version; the read fails rather than deliver a half-upcast event. Permanent until the
     * upcaster is fixed.
     */
    UPCAST_FAILED("upcast-failed", false);

    private final String code;
    private final boolean transientFailure;

    ErrorCode(String code, boolean transientFailure) {
        this.code = code;
        this.transientFailure = transientFailure;
    }

    /** The stable lower-case code used over HTTP. */
    public String code() {
        return code;
    }

    /** Whether the same call may succeed if retried later without any change. */
    public boolean isTransient() {
        return transientFailure;
    }
}
