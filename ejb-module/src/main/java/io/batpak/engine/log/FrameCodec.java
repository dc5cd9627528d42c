package io.batpak.engine.log;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.GrowableBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

/**
 * Encodes and decodes log frames. A frame is, big-endian:
 * <pre>
 * offset  size  field
 *      0     4  body length N (1..{@value #MAX_BODY_BYTES})
 *      4     4  CRC32C of the N body bytes
 *      8     N  body: a MessagePack map with named fields (see docs/FORMAT.md)
 * </pre>
 * Field names are map keys, so fields can be added without breaking older readers, which skip
 * keys they do not know. Not thread-safe: one encoder per writer; decoding is static.
 */
public final class FrameCodec {
    public static final int HEADER_BYTES = 8;
    public static final int MAX_BODY_BYTES = 64 << 20;

    static final String K_ID = "id";
    static final String K_ENTITY = "entity";
    static final String K_SCOPE = "scope";
    static final String K_KIND = "kind";
    static final String K_SEQ = "seq";
    static final String K_GSEQ = "gseq";
    static final String K_TS = "ts_us";
    static final String K_HLC_MS = "hlc_ms";
    static final String K_HLC_C = "hlc_c";
    static final String K_CORR = "corr";
    static final String K_CAUSE = "cause";
    static final String K_FLAGS = "flags";
    static final String K_PREV = "prev";
    static final String K_HASH = "hash";
    static final String K_PAYLOAD = "payload";
    static final String K_IDEM = "idem";
    static final String K_IDEM_FP = "idem_fp";
    static final String K_BATCH_I = "batch_i";
    static final String K_BATCH_N = "batch_n";
    static final String K_BYPASS = "bypass";
    static final String K_ATTRS = "attrs";
    static final String K_PVER = "pver";
    static final String K_GONE = "gone";

    private final GrowableBuffer out;
    private final MessagePacker packer;
    private final byte[] scratch16 = new byte[16];
    private final CRC32C crc = new CRC32C();

    public FrameCodec(GrowableBuffer out) {
        this.out = out;
        this.packer = MessagePack.newDefaultPacker(out);
    }

    /**
     * Appends one frame for {@code r} to the buffer and returns its start offset in the buffer.
     * Entity and scope bytes may be passed pre-encoded (UTF-8).
     */
    public int encode(LogRecord r, byte[] entityUtf8, byte[] scopeUtf8) {
        try {
            packer.flush();
            int start = out.size();
            out.write(ZERO8, 0, HEADER_BYTES);
            boolean gone = r.goneBytes > 0;
            int fields = 14 + (r.hasCause ? 1 : 0) + (r.idempotencyKey != null ? 2 : 0) + (r.batchSize > 1 ? 2 : 0)
                    + (r.bypassReason != null ? 1 : 0) + (r.attributes != null ? 1 : 0) + (r.payloadVersion != 1 ? 1 : 0);
            packer.packMapHeader(fields);
            key(B_ID);
            uuid(r.idHi, r.idLo);
            key(B_ENTITY);
            utf8(entityUtf8 != null ? entityUtf8 : r.entity.getBytes(StandardCharsets.UTF_8));
            key(B_SCOPE);
            utf8(scopeUtf8 != null ? scopeUtf8 : r.scope.getBytes(StandardCharsets.UTF_8));
            key(B_KIND);
            packer.packInt(r.kind);
            key(B_SEQ);
            packer.packLong(r.sequence);
            key(B_GSEQ);
            packer.packLong(r.globalSequence);
            key(B_TS);
            packer.packLong(r.timestampUs);
            key(B_HLC_MS);
            packer.packLong(r.hlcMs);
            key(B_HLC_C);
            packer.packInt(r.hlcCounter);
            if (gone) {
                // A scavenged frame keeps what recovery, the index and the chain links need; the
                // correlation id goes with the payload, and "gone" takes its place in the count.
                key(B_GONE);
                packer.packLong(r.goneBytes);
            } else {
                key(B_CORR);
                uuid(r.corrHi, r.corrLo);
            }
            if (r.hasCause) {
                key(B_CAUSE);
                uuid(r.causeHi, r.causeLo);
            }
            key(B_FLAGS);
            packer.packInt(r.flags);
            key(B_PREV);
            packer.packBinaryHeader(32);
            packer.writePayload(r.prevHash);
            key(B_HASH);
            packer.packBinaryHeader(32);
            packer.writePayload(r.hash);
            if (r.idempotencyKey != null) {
                key(B_IDEM);
                packer.packString(r.idempotencyKey);
                key(B_IDEM_FP);
                uuid(r.fingerprintHi, r.fingerprintLo);
            }
            if (r.batchSize > 1) {
                key(B_BATCH_I);
                packer.packInt(r.batchIndex);
                key(B_BATCH_N);
                packer.packInt(r.batchSize);
            }
            if (r.bypassReason != null) {
                key(B_BYPASS);
                packer.packString(r.bypassReason);
            }
            if (r.attributes != null) {
                key(B_ATTRS);
                packer.packMapHeader(r.attributes.size());
                for (java.util.Map.Entry<String, String> e : r.attributes.entrySet()) {
                    packer.packString(e.getKey());
                    packer.packString(e.getValue());
                }
            }
            if (r.payloadVersion != 1) {
                key(B_PVER);
                packer.packInt(r.payloadVersion);
            }
            key(B_PAYLOAD);
            packer.packBinaryHeader(r.payload.length);
            packer.writePayload(r.payload);
            packer.flush();
            int bodyLength = out.size() - start - HEADER_BYTES;
            if (bodyLength > MAX_BODY_BYTES) {
                throw new StoreException(ErrorCode.PAYLOAD_TOO_LARGE, "frame body of " + bodyLength
                        + " bytes exceeds " + MAX_BODY_BYTES);
            }
            crc.reset();
            crc.update(out.array(), start + HEADER_BYTES, bodyLength);
            out.putInt(start, bodyLength);
            out.putInt(start + 4, (int) crc.getValue());
            return start;
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory frame encoding failed", e);
        }
    }

    private static final byte[] ZERO8 = new byte[8];

    /** Pre-encoded keys: encoding 14 key strings per frame shows up in bulk appends. */
    private static byte[] b(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[] B_ID = b(K_ID);
    private static final byte[] B_ENTITY = b(K_ENTITY);
    private static final byte[] B_SCOPE = b(K_SCOPE);
    private static final byte[] B_KIND = b(K_KIND);
    private static final byte[] B_SEQ = b(K_SEQ);
    private static final byte[] B_GSEQ = b(K_GSEQ);
    private static final byte[] B_TS = b(K_TS);
    private static final byte[] B_HLC_MS = b(K_HLC_MS);
    private static final byte[] B_HLC_C = b(K_HLC_C);
    private static final byte[] B_CORR = b(K_CORR);
    private static final byte[] B_CAUSE = b(K_CAUSE);
    private static final byte[] B_FLAGS = b(K_FLAGS);
    private static final byte[] B_PREV = b(K_PREV);
    private static final byte[] B_HASH = b(K_HASH);
    private static final byte[] B_PAYLOAD = b(K_PAYLOAD);
    private static final byte[] B_IDEM = b(K_IDEM);
    private static final byte[] B_IDEM_FP = b(K_IDEM_FP);
    private static final byte[] B_BATCH_I = b(K_BATCH_I);
    private static final byte[] B_BATCH_N = b(K_BATCH_N);
    private static final byte[] B_BYPASS = b(K_BYPASS);
    private static final byte[] B_ATTRS = b(K_ATTRS);
    private static final byte[] B_PVER = b(K_PVER);
    private static final byte[] B_GONE = b(K_GONE);

    private void key(byte[] k) throws IOException {
        utf8(k);
    }

    private void utf8(byte[] bytes) throws IOException {
        packer.packRawStringHeader(bytes.length);
        packer.writePayload(bytes);
    }

    private void uuid(long hi, long lo) throws IOException {
        for (int i = 0; i < 8; i++) {
            scratch16[i] = (byte) (hi >>> (56 - 8 * i));
            scratch16[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        packer.packBinaryHeader(16);
        packer.writePayload(scratch16);
    }

    /** msgpack's default allocates a 16 KiB char buffer per unpacker; frames hold short strings. */
    private static final MessagePack.UnpackerConfig UNPACKER_CONFIG =
            new MessagePack.UnpackerConfig().withStringDecoderBufferSize(256);

    static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    static long readLong(byte[] b, int at) {
        return (long) readInt(b, at) << 32 | (readInt(b, at + 4) & 0xFFFF_FFFFL);
    }

    /** Whether the body at {@code [off, off+len)} has the CRC32C {@code expected}. */
    static boolean crcMatches(byte[] buf, int off, int len, int expected) {
        CRC32C c = new CRC32C();
        c.update(buf, off, len);
        return (int) c.getValue() == expected;
    }

    /**
     * Decodes a frame body into {@code r}. Unknown keys are skipped. The payload is read only if
     * {@code withPayload}. Throws {@link IllegalArgumentException} naming the problem if the body
     * is not a valid event map.
     */
    public static void decodeBody(byte[] buf, int off, int len, LogRecord r, boolean withPayload) {
        r.hasCause = false;
        r.idempotencyKey = null;
        r.batchIndex = 0;
        r.batchSize = 1;
        r.bypassReason = null;
        r.attributes = null;
        r.payloadVersion = 1;
        r.payload = null;
        r.goneBytes = 0;
        int seen = 0;
        try (MessageUnpacker u = UNPACKER_CONFIG.newUnpacker(buf, off, len)) {
            int n = u.unpackMapHeader();
            for (int i = 0; i < n; i++) {
                String k = u.unpackString();
                switch (k) {
                    case K_ID -> {
                        long[] v = uuid(u, k);
                        r.idHi = v[0];
                        r.idLo = v[1];
                        seen |= 1;
                    }
                    case K_ENTITY -> {
                        r.entity = u.unpackString();
                        seen |= 2;
                    }
                    case K_SCOPE -> {
                        r.scope = u.unpackString();
                        seen |= 4;
                    }
                    case K_KIND -> {
                        r.kind = u.unpackInt();
                        seen |= 8;
                    }
                    case K_SEQ -> {
                        r.sequence = u.unpackLong();
                        seen |= 16;
                    }
                    case K_GSEQ -> {
                        r.globalSequence = u.unpackLong();
                        seen |= 32;
                    }
                    case K_TS -> r.timestampUs = u.unpackLong();
                    case K_HLC_MS -> r.hlcMs = u.unpackLong();
                    case K_HLC_C -> r.hlcCounter = u.unpackInt();
                    case K_CORR -> {
                        long[] v = uuid(u, k);
                        r.corrHi = v[0];
                        r.corrLo = v[1];
                    }
                    case K_CAUSE -> {
                        long[] v = uuid(u, k);
                        r.causeHi = v[0];
                        r.causeLo = v[1];
                        r.hasCause = true;
                    }
                    case K_FLAGS -> r.flags = u.unpackInt();
                    case K_PREV -> {
                        fixedBinary(u, k, r.prevHash);
                        seen |= 64;
                    }
                    case K_HASH -> {
                        fixedBinary(u, k, r.hash);
                        seen |= 128;
                    }
                    case K_IDEM -> r.idempotencyKey = u.unpackString();
                    case K_IDEM_FP -> {
                        long[] v = uuid(u, k);
                        r.fingerprintHi = v[0];
                        r.fingerprintLo = v[1];
                    }
                    case K_BATCH_I -> r.batchIndex = u.unpackInt();
                    case K_BATCH_N -> r.batchSize = u.unpackInt();
                    case K_BYPASS -> r.bypassReason = u.unpackString();
                    case K_ATTRS -> {
                        int count = u.unpackMapHeader();
                        java.util.TreeMap<String, String> attrs = new java.util.TreeMap<>();
                        for (int a = 0; a < count; a++) {
                            attrs.put(u.unpackString(), u.unpackString());
                        }
                        r.attributes = attrs;
                    }
                    case K_PVER -> {
                        r.payloadVersion = u.unpackInt();
                        if (r.payloadVersion < 2 || r.payloadVersion > io.batpak.engine.AppendRequest.MAX_PAYLOAD_VERSION) {
                            throw new IllegalArgumentException("payload version " + r.payloadVersion + " is out of range"
                                    + " (2.." + io.batpak.engine.AppendRequest.MAX_PAYLOAD_VERSION
                                    + "; version 1 is written as an absent key)");
                        }
                    }
                    case K_GONE -> {
                        r.goneBytes = u.unpackLong();
                        if (r.goneBytes <= 0) {
                            throw new IllegalArgumentException("a scavenged frame's original length must be positive, was "
                                    + r.goneBytes);
                        }
                    }
                    case K_PAYLOAD -> {
                        int plen = u.unpackBinaryHeader();
                        if (withPayload) {
                            r.payload = u.readPayload(plen);
                        } else {
                            skipBytes(u, plen);
                        }
                        seen |= 256;
                    }
                    default -> u.skipValue();
                }
            }
            if (seen != 511) {
                throw new IllegalArgumentException("frame body lacks required fields (mask " + Integer.toBinaryString(seen) + ")");
            }
            if (u.hasNext()) {
                throw new IllegalArgumentException("frame body has trailing bytes after the event map");
            }
            if (r.batchSize < 1 || r.batchIndex < 0 || r.batchIndex >= r.batchSize) {
                throw new IllegalArgumentException("batch position " + r.batchIndex + "/" + r.batchSize + " is invalid");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("frame body does not decode: " + e, e);
        }
    }

    private static void skipBytes(MessageUnpacker u, int n) throws IOException {
        byte[] sink = new byte[Math.min(n, 8192)];
        int left = n;
        while (left > 0) {
            int step = Math.min(left, sink.length);
            u.readPayload(sink, 0, step);
            left -= step;
        }
    }

    private static long[] uuid(MessageUnpacker u, String k) throws IOException {
        int l = u.unpackBinaryHeader();
        if (l != 16) {
            throw new IllegalArgumentException("field " + k + " must be 16 bytes, was " + l);
        }
        byte[] b = u.readPayload(16);
        return new long[] {readLong(b, 0), readLong(b, 8)};
    }

    private static void fixedBinary(MessageUnpacker u, String k, byte[] into) throws IOException {
        int l = u.unpackBinaryHeader();
        if (l != into.length) {
            throw new IllegalArgumentException("field " + k + " must be " + into.length + " bytes, was " + l);
        }
        u.readPayload(into, 0, l);
    }
}
