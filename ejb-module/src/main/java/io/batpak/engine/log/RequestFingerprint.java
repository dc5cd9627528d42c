package io.batpak.engine.log;

import io.batpak.engine.util.GrowableBuffer;
import io.batpak.engine.util.Blake3Hasher;
import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A 128-bit BLAKE3 digest of everything that defines an append request (coordinate, kind,
 * payload, payload version when not 1, and options except the idempotency key), so a repeated idempotency key can be told
 * apart from a reused one. Stateless, thread-safe.
 */
public final class RequestFingerprint {
    private RequestFingerprint() {
    }

    public static long[] of(AppendRequest r) {
        AppendOptions o = r.options();
        byte[] payload = r.payloadUnsafe();
        GrowableBuffer b = new GrowableBuffer(128 + payload.length);
        lengthPrefixed(b, r.coordinate().entity());
        lengthPrefixed(b, r.coordinate().scope());
        b.appendInt(r.kind().value());
        b.appendLong(o.expectedSequence() == null ? Long.MIN_VALUE : o.expectedSequence());
        putUuid(b, o.correlationId());
        putUuid(b, o.causationId());
        b.write(payload, 0, payload.length);
        for (java.util.Map.Entry<String, String> e : o.attributes().entrySet()) {
            lengthPrefixed(b, e.getKey());
            lengthPrefixed(b, e.getValue());
        }
        if (r.payloadVersion() != AppendRequest.FIRST_PAYLOAD_VERSION) { // absent at 1: older fingerprints stay valid
            b.appendInt(EventHasher.PAYLOAD_VERSION_MARKER);
            b.appendInt(r.payloadVersion());
        }
        byte[] out = Blake3Hasher.digest(b.array(), 0, b.size()); // 128 bits kept: the first 16 bytes
        return new long[] {FrameCodec.readLong(out, 0), FrameCodec.readLong(out, 8)};
    }

    private static void lengthPrefixed(GrowableBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.appendInt(bytes.length);
        b.write(bytes, 0, bytes.length);
    }

    private static void putUuid(GrowableBuffer b, UUID id) {
        b.write(id == null ? 0 : 1);
        b.appendLong(id == null ? 0 : id.getMostSignificantBits());
        b.appendLong(id == null ? 0 : id.getLeastSignificantBits());
    }
}
