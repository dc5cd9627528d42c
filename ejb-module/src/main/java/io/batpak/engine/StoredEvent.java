package io.batpak.engine;

import io.batpak.engine.gate.GateSet;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A committed event as read back from the log, with every header field and its payload. The
 * {@code hash} covers the header, the payload, the bypass reason when there is one, and
 * {@code prevHash} (see docs/FORMAT.md), so it changes if any of them change. {@code causationId}
 * is {@code null} for a root cause; {@code bypassReason} is {@code null} unless the event was
 * appended through {@link GateSet#bypass}; {@code attributes} are those given in
 * {@link AppendOptions#attributes()} (empty if none), also covered by the hash.
 *
 * <p>{@code payloadVersion} is the version of {@code payload}'s schema (1 for an event appended
 * without one, and for every event written before versions existed). An event read through the
 * store's reads, queries, cursors and subscriptions has been brought to its kind's current version
 * by the registered {@link io.batpak.engine.upcast.Upcaster}s: then {@code payload} and
 * {@code payloadVersion} are the current ones while {@code hash} and {@code prevHash} are still the
 * stored chain hashes, which cover the stored payload and stored version (read
 * {@link EventStore#readEntityStored} to get those bytes back). Immutable.
 */
public record StoredEvent(UUID eventId, Coordinate coordinate, EventKind kind, long sequence,
                          long globalSequence, long timestampUs, HlcTimestamp hlc, UUID correlationId,
                          UUID causationId, int flags, byte[] prevHash, byte[] hash, byte[] payload,
                          String bypassReason, Map<String, String> attributes, int payloadVersion) {
    /** An event at payload version 1 (the version of every event appended without one). */
    public StoredEvent(UUID eventId, Coordinate coordinate, EventKind kind, long sequence, long globalSequence,
                       long timestampUs, HlcTimestamp hlc, UUID correlationId, UUID causationId, int flags,
                       byte[] prevHash, byte[] hash, byte[] payload, String bypassReason, Map<String, String> attributes) {
        this(eventId, coordinate, kind, sequence, globalSequence, timestampUs, hlc, correlationId, causationId, flags,
                prevHash, hash, payload, bypassReason, attributes, AppendRequest.FIRST_PAYLOAD_VERSION);
    }

    /** An event without attributes. */
    public StoredEvent(UUID eventId, Coordinate coordinate, EventKind kind, long sequence, long globalSequence,
                       long timestampUs, HlcTimestamp hlc, UUID correlationId, UUID causationId, int flags,
                       byte[] prevHash, byte[] hash, byte[] payload, String bypassReason) {
        this(eventId, coordinate, kind, sequence, globalSequence, timestampUs, hlc, correlationId, causationId, flags,
                prevHash, hash, payload, bypassReason, Map.of());
    }

    /** An event appended through the gates (no bypass reason), without attributes. */
    public StoredEvent(UUID eventId, Coordinate coordinate, EventKind kind, long sequence, long globalSequence,
                       long timestampUs, HlcTimestamp hlc, UUID correlationId, UUID causationId, int flags,
                       byte[] prevHash, byte[] hash, byte[] payload) {
        this(eventId, coordinate, kind, sequence, globalSequence, timestampUs, hlc, correlationId, causationId, flags,
                prevHash, hash, payload, null, Map.of());
    }

    public StoredEvent {
        prevHash = prevHash.clone();
        hash = hash.clone();
        payload = payload.clone();
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        AppendRequest.checkPayloadVersion(payloadVersion);
    }

    /**
     * This event with another payload at another version, every other field (the stored hashes
     * included) unchanged: what an upcaster step makes of it.
     */
    public StoredEvent withPayload(byte[] newPayload, int newPayloadVersion) {
        return new StoredEvent(eventId, coordinate, kind, sequence, globalSequence, timestampUs, hlc, correlationId,
                causationId, flags, prevHash, hash, newPayload, bypassReason, attributes, newPayloadVersion);
    }

    @Override
    public byte[] prevHash() {
        return prevHash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The bypass reason, if the event was appended through {@link GateSet#bypass}. */
    public Optional<String> bypass() {
        return Optional.ofNullable(bypassReason);
    }

    public String entity() {
        return coordinate.entity();
    }

    public String scope() {
        return coordinate.scope();
    }

    @Override
    public String toString() {
        return "StoredEvent[" + eventId + " " + coordinate + " kind=" + kind + " seq=" + sequence
                + " gseq=" + globalSequence + " payload=" + payload.length + "B v" + payloadVersion + "]";
    }
}
