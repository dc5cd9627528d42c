package io.batpak.engine.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.commons.codec.digest.Blake3;

/**
 * Computes the BLAKE3-256 chain hash of an event. The hash input is, big-endian:
 * prevHash(32) · eventId(16) · correlationId(16) · hasCause(1) · causationId(16, zeros if none) ·
 * entityLen(u32) · entity UTF-8 · scopeLen(u32) · scope UTF-8 · kind(u16) · sequence(u64) ·
 * globalSequence(u64) · timestampUs(i64) · hlcMs(i64) · hlcCounter(u32) · flags(u32) ·
 * payloadLen(u32) · BLAKE3-256(payload), then — only for an event with a bypass reason —
 * bypassLen(u32) · bypass UTF-8, then — only for an event with attributes — count(u32) and, per
 * attribute in key order, keyLen(u32) · key UTF-8 · valueLen(u32) · value UTF-8; so events without
 * either hash exactly as before those fields existed.
 * Hashing the payload separately lets callers' threads
 * digest payloads in parallel, so the single writer thread hashes only a few fixed-size blocks
 * per event. BLAKE3 is commons-codec's, which hashed these inputs 1.56× faster than BouncyCastle's
 * on this project's machines (STACK.md); the golden hash in FormatGoldenTest pins the output. Not
 * thread-safe: one instance per thread.
 */
public final class EventHasher {
    static final int HASH_BYTES = 32;
    private final Blake3 digest = Blake3.initHash();
    private final ByteBuffer fixed = ByteBuffer.allocate(128).order(ByteOrder.BIG_ENDIAN);

    private static final ThreadLocal<Blake3> PAYLOAD_DIGEST = ThreadLocal.withInitial(Blake3::initHash);

    /** BLAKE3-256 of a payload; thread-safe. */
    public static byte[] payloadDigest(byte[] payload) {
        Blake3 d = PAYLOAD_DIGEST.get();
        d.reset();
        d.update(payload, 0, payload.length);
        byte[] out = new byte[HASH_BYTES];
        d.doFinalize(out, 0, HASH_BYTES);
        return out;
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
        digest.reset();
        digest.update(r.prevHash, 0, HASH_BYTES);
        fixed.clear();
        fixed.putLong(r.idHi).putLong(r.idLo).putLong(r.corrHi).putLong(r.corrLo)
                .put((byte) (r.hasCause ? 1 : 0)).putLong(r.hasCause ? r.causeHi : 0).putLong(r.hasCause ? r.causeLo : 0)
                .putInt(entity.length);
        digest.update(fixed.array(), 0, fixed.position());
        digest.update(entity, 0, entity.length);
        fixed.clear();
        fixed.putInt(scope.length);
        digest.update(fixed.array(), 0, 4);
        digest.update(scope, 0, scope.length);
        byte[] payload = r.payload;
        fixed.clear();
        fixed.putShort((short) r.kind).putLong(r.sequence).putLong(r.globalSequence).putLong(r.timestampUs)
                .putLong(r.hlcMs).putInt(r.hlcCounter).putInt(r.flags).putInt(payload.length);
        digest.update(fixed.array(), 0, fixed.position());
        digest.update(payloadDigest, 0, HASH_BYTES);
        if (r.bypassReason != null) {
            byte[] reason = r.bypassReason.getBytes(StandardCharsets.UTF_8);
            fixed.clear();
            fixed.putInt(reason.length);
            digest.update(fixed.array(), 0, 4);
            digest.update(reason, 0, reason.length);
        }
        if (r.attributes != null) {
            fixed.clear();
            fixed.putInt(r.attributes.size());
            digest.update(fixed.array(), 0, 4);
            for (java.util.Map.Entry<String, String> e : r.attributes.entrySet()) {
                lengthPrefixed(e.getKey().getBytes(StandardCharsets.UTF_8));
                lengthPrefixed(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        digest.doFinalize(out, 0, HASH_BYTES);
    }

    /** Whether {@code r.hash} is the hash of {@code r}'s content and prevHash. */
    public boolean verify(LogRecord r) {
        byte[] computed = new byte[HASH_BYTES];
        hash(r, null, null, computed);
        return java.util.Arrays.equals(computed, r.hash);
    }

    private void lengthPrefixed(byte[] bytes) {
        fixed.clear();
        fixed.putInt(bytes.length);
        digest.update(fixed.array(), 0, 4);
        digest.update(bytes, 0, bytes.length);
    }
}
