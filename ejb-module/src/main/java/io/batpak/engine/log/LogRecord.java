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

    public StoredEvent toStoredEvent() {
        return new StoredEvent(new UUID(idHi, idLo), new Coordinate(entity, scope), new EventKind(kind), sequence,
                globalSequence, timestampUs, new HlcTimestamp(hlcMs, hlcCounter), new UUID(corrHi, corrLo),
                hasCause ? new UUID(causeHi, causeLo) : null, flags, prevHash, hash,
                payload == null ? new byte[0] : payload, bypassReason, attributes);
    }
}
