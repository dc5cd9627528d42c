package io.batpak.engine.log;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.commons.codec.digest.Blake3;

/**
 * A 128-bit BLAKE3 digest of everything that defines an append request (coordinate, kind,
 * payload and options except the idempotency key), so a repeated idempotency key can be told
 * apart from a reused one. Stateless, thread-safe.
 */
public final class RequestFingerprint {
    private RequestFingerprint() {
    }

    public static long[] of(AppendRequest r) {
        Blake3 d = Blake3.initHash(); // 128 bits: the first 16 bytes of the output
        ByteBuffer b = ByteBuffer.allocate(64);
        update(d, r.coordinate().entity());
        update(d, r.coordinate().scope());
        AppendOptions o = r.options();
        b.putInt(r.kind().value()).putLong(o.expectedSequence() == null ? Long.MIN_VALUE : o.expectedSequence());
        putUuid(b, o.correlationId());
        putUuid(b, o.causationId());
        d.update(b.array(), 0, b.position());
        byte[] payload = r.payloadUnsafe();
        d.update(payload, 0, payload.length);
        for (java.util.Map.Entry<String, String> e : o.attributes().entrySet()) {
            update(d, e.getKey());
            update(d, e.getValue());
        }
        byte[] out = new byte[16];
        d.doFinalize(out, 0, 16);
        return new long[] {FrameCodec.readLong(out, 0), FrameCodec.readLong(out, 8)};
    }

    private static void update(Blake3 d, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        byte[] len = ByteBuffer.allocate(4).putInt(bytes.length).array();
        d.update(len, 0, 4);
        d.update(bytes, 0, bytes.length);
    }

    private static void putUuid(ByteBuffer b, UUID id) {
        b.put((byte) (id == null ? 0 : 1));
        b.putLong(id == null ? 0 : id.getMostSignificantBits()).putLong(id == null ? 0 : id.getLeastSignificantBits());
    }
}
