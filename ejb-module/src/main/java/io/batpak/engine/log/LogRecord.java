package io.batpak.engine.log;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.HlcTimestamp;
import io.batpak.engine.StoredEvent;

import java.util.UUID;

/**
 * Every field of one frame body, as the writer encodes it and the reader decodes it. Mutable and
 * not thread-safe: the writer reuses one instance per event it encodes; readers make one per
 * read. {@code payload} may be {@code null} when a scan skipped it.
 */
public final class LogRecord {
    public long idHi;
    public long idLo;
    public String entity;
    public String scope;
    int kind;
    public long sequence;
    long globalSequence;
    long timestampUs;
    long hlcMs;
    int hlcCounter;
    long corrHi;
    long corrLo;
    boolean hasCause;
    long causeHi;
    long causeLo;
    int flags;
    public final byte[] prevHash = new byte[32];
    public final byte[] hash = new byte[32];
    byte[] payload;
    String idempotencyKey;
    long fingerprintHi;
    long fingerprintLo;
    /** Position of this event within its atomic batch, and the batch's size (1 for a single append). */
    int batchIndex;
    int batchSize = 1;
    /** Why the gates were bypassed for this event; null when they ran (the frame key is then absent). */
    public String bypassReason;
    /** Attributes stored with the event, sorted by key; null when it has none (the frame key is then absent). */
    java.util.Map<String, String> attributes;
    /** The payload's schema version; 1 when the frame has no {@code pver} key (the only way 1 is written). */
    int payloadVersion = 1;
    /**
     * The length of the frame this one replaced when the scavenger emptied it (frame key
     * {@code gone}); 0 for every frame the writer wrote. A scavenged frame keeps the event's
     * identity, position in its chains, clock and idempotency key, but not its payload,
     * correlation, causation, attributes or bypass reason; it is always past its entity's
     * truncate-before, so no read delivers it.
     */
    long goneBytes;

    /**
     * The hashed fields of {@code e} as a record (no idempotency or batch fields, which the chain
     * hash does not cover): the inverse of {@link #toStoredEvent()} for everything the hash reads.
     * An event without attributes gets {@code null} attributes, as the frame decoder gives it.
     */
    public static LogRecord of(StoredEvent e) {
        LogRecord r = new LogRecord();
        r.idHi = e.eventId().getMostSignificantBits();
        r.idLo = e.eventId().getLeastSignificantBits();
        r.entity = e.entity();
        r.scope = e.scope();
        r.kind = e.kind().value();
        r.sequence = e.sequence();
        r.globalSequence = e.globalSequence();
        r.timestampUs = e.timestampUs();
        r.hlcMs = e.hlc().wallMs();
        r.hlcCounter = e.hlc().counter();
        r.corrHi = e.correlationId().getMostSignificantBits();
        r.corrLo = e.correlationId().getLeastSignificantBits();
        r.hasCause = e.causationId() != null;
        if (r.hasCause) {
            r.causeHi = e.causationId().getMostSignificantBits();
            r.causeLo = e.causationId().getLeastSignificantBits();
        }
        r.flags = e.flags();
        System.arraycopy(e.prevHash(), 0, r.prevHash, 0, 32);
        System.arraycopy(e.hash(), 0, r.hash, 0, 32);
        r.payload = e.payload();
        r.bypassReason = e.bypassReason();
        r.attributes = e.attributes().isEmpty() ? null : new java.util.TreeMap<>(e.attributes());
        r.payloadVersion = e.payloadVersion();
        return r;
    }

    /** Whether the scavenger emptied this frame (see {@link #goneBytes}). */
    public boolean scavenged() {
        return goneBytes > 0;
    }

    /** Turns this record into its scavenged form, standing in for a frame of {@code frameBytes}. */
    void scavenge(long frameBytes) {
        goneBytes = frameBytes;
        payload = new byte[0];
        corrHi = 0;
        corrLo = 0;
        hasCause = false;
        attributes = null;
        bypassReason = null;
        payloadVersion = 1;
    }

    public StoredEvent toStoredEvent() {
        return new StoredEvent(new UUID(idHi, idLo), new Coordinate(entity, scope), new EventKind(kind), sequence,
                globalSequence, timestampUs, new HlcTimestamp(hlcMs, hlcCounter), new UUID(corrHi, corrLo),
                hasCause ? new UUID(causeHi, causeLo) : null, flags, prevHash, hash,
                payload == null ? new byte[0] : payload, bypassReason, attributes, payloadVersion);
    }
}
