package io.batpak.engine.log;

import io.batpak.engine.util.Blake3Hasher;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Computes the BLAKE3-256 chain hash of an event. The hash input is, big-endian:
 * prevHash(32) · eventId(16) · correlationId(16) · hasCause(1) · causationId(16, zeros if none) ·
 * entityLen(u32) · entity UTF-8 · scopeLen(u32) · scope UTF-8 · kind(u16) · sequence(u64) ·
 * globalSequence(u64) · timestampUs(i64) · hlcMs(i64) · hlcCounter(u32) · flags(u32) ·
 * payloadLen(u32) · BLAKE3-256(payload), then — only for an event with a bypass reason —
 * bypassLen(u32) · bypass UTF-8, then — only for an event with attributes — count(u32) and, per
 * attribute in key order, keyLen(u32) · key UTF-8 · valueLen(u32) · value UTF-8, then — only for
 * an event whose payload version is not 1 — {@link #PAYLOAD_VERSION_MARKER}(u32) · version(u32); so
 * events without them hash exactly as before those fields existed.
 * Hashing the payload separately lets callers' threads
 * digest payloads in parallel, so the single writer thread hashes only a few fixed-size blocks
 * per event. BLAKE3 is {@link Blake3Hasher}, one call over the assembled input; the golden hash in
 * FormatGoldenTest pins the output. Not thread-safe: one instance per thread.
 */
public final class EventHasher {
    static final int HASH_BYTES = 32;
    /**
     * Starts the hashed payload version: no bypass length (at most 255) and no attribute count (at
     * most 16) takes this value, so the optional tail stays unambiguous.
     */
    static final int PAYLOAD_VERSION_MARKER = 0xFFFF_FFFF;
    /** Owned by the thread using this instance. */
    private final Blake3Hasher blake3 = new Blake3Hasher();
    /** Owned by the thread using this instance: the chain input, assembled before one hash call. */
    private ByteBuffer input = ByteBuffer.allocate(512).order(ByteOrder.BIG_ENDIAN);

    /** BLAKE3-256 of a payload; thread-safe. */
    public static byte[] payloadDigest(byte[] payload) {
        return Blake3Hasher.digest(payload);
    }

    /** Hashes {@code r} (using its prevHash) into {@code out}, digesting the payload here. */
    public void hash(LogRecord r, byte[] entityUtf8, byte[] scopeUtf8, byte[] out) {
        hash(r, entityUtf8, scopeUtf8, payloadDigest(r.payload), out);
    }

    /**
     * Hashes {@code r} (using its prevHash) into {@code out} with a payload digest computed earlier
     * by {@link #payloadDigest(byte[])}. Entity and scope bytes may be passed pre-encoded.
     */
    public void hash(LogRecord r, byte[] entityUtf8, byte[] scopeUtf8, byte[] payloadDigest, byte[] out) {
        byte[] entity = entityUtf8 != null ? entityUtf8 : r.entity.getBytes(StandardCharsets.UTF_8);
        byte[] scope = scopeUtf8 != null ? scopeUtf8 : r.scope.getBytes(StandardCharsets.UTF_8);
        byte[] reason = r.bypassReason != null ? r.bypassReason.getBytes(StandardCharsets.UTF_8) : null;
        ByteBuffer b = inputFor(FIXED_BYTES + entity.length + scope.length + (reason != null ? 4 + reason.length : 0));
        b.put(r.prevHash, 0, HASH_BYTES)
                .putLong(r.idHi).putLong(r.idLo).putLong(r.corrHi).putLong(r.corrLo)
                .put((byte) (r.hasCause ? 1 : 0)).putLong(r.hasCause ? r.causeHi : 0).putLong(r.hasCause ? r.causeLo : 0)
                .putInt(entity.length).put(entity)
                .putInt(scope.length).put(scope)
                .putShort((short) r.kind).putLong(r.sequence).putLong(r.globalSequence).putLong(r.timestampUs)
                .putLong(r.hlcMs).putInt(r.hlcCounter).putInt(r.flags).putInt(r.payload.length)
                .put(payloadDigest, 0, HASH_BYTES);
        if (reason != null) {
            b.putInt(reason.length).put(reason);
        }
        if (r.attributes != null) {
            b = ensure(b, 4);
            b.putInt(r.attributes.size());
            for (java.util.Map.Entry<String, String> e : r.attributes.entrySet()) {
                b = lengthPrefixed(b, e.getKey().getBytes(StandardCharsets.UTF_8));
                b = lengthPrefixed(b, e.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        if (r.payloadVersion != 1) {
            b = ensure(b, 8);
            b.putInt(PAYLOAD_VERSION_MARKER).putInt(r.payloadVersion);
        }
        blake3.hash(b.array(), 0, b.position(), out, 0);
    }

    /**
     * The chain hash of {@code e}'s content and {@code e.prevHash()}, by the same code the writer
     * hashes a frame with (what audit exports and their verifier recompute); thread-safe.
     */
    public static byte[] hashOf(io.batpak.engine.StoredEvent e) {
        byte[] out = new byte[HASH_BYTES];
        PER_THREAD.get().hash(LogRecord.of(e), null, null, out);
        return out;
    }

    private static final ThreadLocal<EventHasher> PER_THREAD = ThreadLocal.withInitial(EventHasher::new);

    /** Whether {@code r.hash} is the hash of {@code r}'s content and prevHash. */
    public boolean verify(LogRecord r) {
        byte[] computed = new byte[HASH_BYTES];
        hash(r, null, null, computed);
        return java.util.Arrays.equals(computed, r.hash);
    }

    /** Bytes of the chain input besides entity, scope, bypass reason and attributes. */
    private static final int FIXED_BYTES = HASH_BYTES + 16 + 16 + 1 + 16 + 4 + 4 + 2 + 8 + 8 + 8 + 8 + 4 + 4 + 4 + HASH_BYTES;

    private ByteBuffer inputFor(int bytes) {
        if (input.capacity() < bytes) {
            input = ByteBuffer.allocate(Math.max(bytes, 2 * input.capacity())).order(ByteOrder.BIG_ENDIAN);
        }
        input.clear();
        return input;
    }

    private ByteBuffer ensure(ByteBuffer b, int more) {
        if (b.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + more)).order(ByteOrder.BIG_ENDIAN);
            bigger.put(b.array(), 0, b.position());
            input = bigger;
            return bigger;
        }
        return b;
    }

    private ByteBuffer lengthPrefixed(ByteBuffer b, byte[] bytes) {
        ByteBuffer target = ensure(b, 4 + bytes.length);
        return target.putInt(bytes.length).put(bytes);
    }
}
