package io.batpak.engine.log;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventStore;
import io.batpak.engine.util.GrowableBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * FrameCodec over random records: every field round-trips (unicode entities and scopes up to the
 * 1024-byte limit, payloads of 0..4096 bytes, optional cause and idempotency key, batch positions),
 * the frame header carries the body's length and CRC32C, every single flipped bit anywhere in a
 * frame is caught by the length/CRC checks the readers apply, frames encoded back to back by one
 * codec are the same as frames encoded alone, unknown fields are skipped, and the optional payload
 * version key round-trips while a frame without it (every frame written before it existed) reads
 * as version 1.
 */
class FrameCodecProperties {

    /** A record's fields, immutable so jqwik can shrink it; {@link #toRecord()} builds the codec's mutable form. */
    record Spec(String entity, String scope, byte[] payload, Numbers numbers, long[] ids, byte[] hashes,
                String idempotencyKey, int[] batch) {
        LogRecord toRecord() {
            LogRecord r = new LogRecord();
            r.idHi = ids[0];
            r.idLo = ids[1];
            r.corrHi = ids[2];
            r.corrLo = ids[3];
            r.hasCause = numbers.hasCause();
            r.causeHi = numbers.hasCause() ? ids[4] : 0;
            r.causeLo = numbers.hasCause() ? ids[5] : 0;
            r.entity = entity;
            r.scope = scope;
            r.kind = numbers.kind();
            r.sequence = numbers.sequence();
            r.globalSequence = numbers.globalSequence();
            r.timestampUs = numbers.timestampUs();
            r.hlcMs = numbers.hlcMs();
            r.hlcCounter = numbers.hlcCounter();
            r.flags = numbers.flags();
            System.arraycopy(hashes, 0, r.prevHash, 0, 32);
            System.arraycopy(hashes, 32, r.hash, 0, 32);
            r.payload = payload;
            r.idempotencyKey = idempotencyKey;
            r.fingerprintHi = idempotencyKey == null ? 0 : ids[6];
            r.fingerprintLo = idempotencyKey == null ? 0 : ids[7];
            r.batchIndex = batch[0];
            r.batchSize = batch[1];
            return r;
        }

        @Override
        public String toString() {
            return "Spec[entity=" + entity.length() + " chars/" + entity.getBytes(StandardCharsets.UTF_8).length
                    + " B, scope=" + scope.getBytes(StandardCharsets.UTF_8).length + " B, payload=" + payload.length
                    + " B, " + numbers + ", idem=" + (idempotencyKey == null ? "none" : idempotencyKey.length() + " chars")
                    + ", batch=" + batch[0] + "/" + batch[1] + "]";
        }
    }

    record Numbers(int kind, long sequence, long globalSequence, long timestampUs, long hlcMs, int hlcCounter, int flags,
                   boolean hasCause) {
    }

    // ---- generators ----

    /** Code points of one UTF-8 width, none of them control characters or surrogates. */
    private static Arbitrary<Integer> codePoints(int utf8Bytes) {
        return switch (utf8Bytes) {
            case 1 -> Arbitraries.integers().between(0x20, 0x7E);
            case 2 -> Arbitraries.integers().between(0xA0, 0x7FF);
            case 3 -> Arbitraries.oneOf(Arbitraries.integers().between(0x800, 0xD7FF),
                    Arbitraries.integers().between(0xE000, 0xFFFF));
            default -> Arbitraries.integers().between(0x10000, 0x10FFFF);
        };
    }

    private static Arbitrary<Integer> anyCodePoint() {
        return Arbitraries.frequencyOf(Tuple.of(5, codePoints(1)), Tuple.of(2, codePoints(2)), Tuple.of(2, codePoints(3)),
                Tuple.of(1, codePoints(4)));
    }

    private static String string(List<Integer> cps) {
        StringBuilder b = new StringBuilder();
        cps.forEach(b::appendCodePoint);
        return b.toString();
    }

    /** Valid coordinate parts: short, long, and exactly at the {@value Coordinate#MAX_UTF8_BYTES}-byte limit. */
    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> shortOnes = anyCodePoint().list().ofMinSize(1).ofMaxSize(24).map(FrameCodecProperties::string);
        Arbitrary<String> longOnes = anyCodePoint().list().ofMinSize(100).ofMaxSize(500).map(FrameCodecProperties::string)
                .filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= Coordinate.MAX_UTF8_BYTES);
        Arbitrary<String> atLimit = Arbitraries.integers().between(1, 4).flatMap(w -> codePoints(w)
                .list().ofSize(Coordinate.MAX_UTF8_BYTES / w)
                .map(cps -> string(cps) + "x".repeat(Coordinate.MAX_UTF8_BYTES % w)));
        return Arbitraries.frequencyOf(Tuple.of(6, shortOnes), Tuple.of(2, longOnes), Tuple.of(1, atLimit));
    }

    @Provide
    Arbitrary<Spec> specs() {
        Arbitrary<Numbers> numbers = Combinators.combine(
                Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.longs(),
                Arbitraries.longs(),
                Arbitraries.integers(),
                Arbitraries.integers(),
                Arbitraries.of(true, false)).as(Numbers::new);
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(4096);
        Arbitrary<long[]> ids = Arbitraries.longs().array(long[].class).ofSize(8);
        Arbitrary<byte[]> hashes = Arbitraries.bytes().array(byte[].class).ofSize(64);
        Arbitrary<String> keys = anyCodePoint().list().ofMinSize(1).ofMaxSize(200).map(FrameCodecProperties::string)
                .filter(k -> k.length() <= AppendOptions.MAX_IDEMPOTENCY_KEY_CHARS).injectNull(0.5);
        Arbitrary<int[]> batch = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(new int[] {0, 1})),
                Tuple.of(2, Arbitraries.integers().between(2, EventStore.MAX_BATCH_EVENTS)
                        .flatMap(n -> Arbitraries.integers().between(0, n - 1).map(i -> new int[] {i, n}))));
        return Combinators.combine(names(), names(), payloads, numbers, ids, hashes, keys, batch).as(Spec::new);
    }

    private static byte[] encode(LogRecord r) {
        GrowableBuffer out = new GrowableBuffer(64);
        int start = new FrameCodec(out).encode(r, null, null);
        assertEquals(0, start, "the first frame starts at buffer offset 0");
        return Arrays.copyOf(out.array(), out.size());
    }

    private static LogRecord decode(byte[] frame, boolean withPayload) {
        LogRecord d = new LogRecord();
        FrameCodec.decodeBody(frame, FrameCodec.HEADER_BYTES, frame.length - FrameCodec.HEADER_BYTES, d, withPayload);
        return d;
    }

    private static void assertSameFields(LogRecord r, LogRecord d, boolean withPayload, String how) {
        String m = how + ": field lost or altered by FrameCodec.encode/decodeBody: ";
        assertEquals(r.idHi, d.idHi, m + "id");
        assertEquals(r.idLo, d.idLo, m + "id");
        assertEquals(r.entity, d.entity, m + "entity");
        assertEquals(r.scope, d.scope, m + "scope");
        assertEquals(r.kind, d.kind, m + "kind");
        assertEquals(r.sequence, d.sequence, m + "seq");
        assertEquals(r.globalSequence, d.globalSequence, m + "gseq");
        assertEquals(r.timestampUs, d.timestampUs, m + "ts_us");
        assertEquals(r.hlcMs, d.hlcMs, m + "hlc_ms");
        assertEquals(r.hlcCounter, d.hlcCounter, m + "hlc_c");
        assertEquals(r.corrHi, d.corrHi, m + "corr");
        assertEquals(r.corrLo, d.corrLo, m + "corr");
        assertEquals(r.hasCause, d.hasCause, m + "cause present");
        if (r.hasCause) {
            assertEquals(r.causeHi, d.causeHi, m + "cause");
            assertEquals(r.causeLo, d.causeLo, m + "cause");
        }
        assertEquals(r.flags, d.flags, m + "flags");
        assertArrayEquals(r.prevHash, d.prevHash, m + "prev");
        assertArrayEquals(r.hash, d.hash, m + "hash");
        if (withPayload) {
            assertArrayEquals(r.payload, d.payload, m + "payload");
        } else {
            assertNull(d.payload, m + "payload must be skipped when withPayload is false");
        }
        assertEquals(r.idempotencyKey, d.idempotencyKey, m + "idem");
        if (r.idempotencyKey != null) {
            assertEquals(r.fingerprintHi, d.fingerprintHi, m + "idem_fp");
            assertEquals(r.fingerprintLo, d.fingerprintLo, m + "idem_fp");
        }
        assertEquals(r.batchIndex, d.batchIndex, m + "batch_i");
        assertEquals(r.batchSize, d.batchSize, m + "batch_n");
    }

    // ---- properties ----

    @Property(tries = 400)
    void everyFieldRoundTripsAndTheHeaderHoldsLengthAndCrc(@ForAll("specs") Spec spec) {
        LogRecord r = spec.toRecord();
        Coordinate.validatePart("entity", r.entity); // the generator stays within the coordinate rules
        Coordinate.validatePart("scope", r.scope);
        byte[] frame = encode(r);
        int length = FrameCodec.readInt(frame, 0);
        assertEquals(frame.length - FrameCodec.HEADER_BYTES, length, "frame header length field ≠ body length — see FrameCodec.encode");
        CRC32C crc = new CRC32C();
        crc.update(frame, FrameCodec.HEADER_BYTES, length);
        assertEquals((int) crc.getValue(), FrameCodec.readInt(frame, 4), "frame header CRC ≠ CRC32C of the body — see FrameCodec.encode");
        assertTrue(FrameCodec.crcMatches(frame, FrameCodec.HEADER_BYTES, length, FrameCodec.readInt(frame, 4)),
                "FrameCodec.crcMatches rejects an intact frame");
        assertSameFields(r, decode(frame, true), true, "decode with payload");
        assertSameFields(r, decode(frame, false), false, "decode without payload");
    }

    @Property(tries = 100)
    void everySingleBitFlipAnywhereInAFrameIsCaught(@ForAll("specs") Spec spec) {
        byte[] frame = encode(spec.toRecord());
        int bodyLength = frame.length - FrameCodec.HEADER_BYTES;
        for (int at = 0; at < frame.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                frame[at] ^= (byte) (1 << bit);
                // What SegmentReader and LogRecovery check before they trust a body.
                int length = FrameCodec.readInt(frame, 0);
                boolean accepted = length > 0 && length <= FrameCodec.MAX_BODY_BYTES
                        && FrameCodec.HEADER_BYTES + (long) length <= frame.length
                        && FrameCodec.crcMatches(frame, FrameCodec.HEADER_BYTES, length, FrameCodec.readInt(frame, 4));
                frame[at] ^= (byte) (1 << bit);
                if (accepted) {
                    String part = at < 4 ? "length field" : at < 8 ? "CRC field" : "body byte " + (at - 8) + " of " + bodyLength;
                    throw new AssertionError("flipping bit " + bit + " of frame byte " + at + " (" + part + ") went"
                            + " unnoticed by the length/CRC32C checks — see FrameCodec.crcMatches");
                }
            }
        }
    }

    @Property(tries = 100)
    void framesEncodedBackToBackByOneCodecEqualFramesEncodedAlone(@ForAll @Size(min = 2, max = 6) List<@From("specs") Spec> specs) {
        GrowableBuffer out = new GrowableBuffer(16);
        FrameCodec codec = new FrameCodec(out);
        List<Integer> starts = new ArrayList<>();
        for (Spec s : specs) {
            LogRecord r = s.toRecord();
            // The writer passes pre-encoded entity bytes; that must not change the frame.
            starts.add(codec.encode(r, r.entity.getBytes(StandardCharsets.UTF_8), r.scope.getBytes(StandardCharsets.UTF_8)));
        }
        starts.add(out.size());
        for (int i = 0; i < specs.size(); i++) {
            byte[] alone = encode(specs.get(i).toRecord());
            byte[] inStream = Arrays.copyOfRange(out.array(), starts.get(i), starts.get(i + 1));
            assertArrayEquals(alone, inStream, "frame " + i + " of " + specs.size() + " encoded after others by the same"
                    + " codec differs from the same record encoded alone — see FrameCodec.encode (packer state)");
            assertSameFields(specs.get(i).toRecord(), decode(inStream, true), true, "frame " + i + " of a stream");
        }
    }

    @Property(tries = 200)
    void truncatedBodiesNeverDecodeSilently(@ForAll("specs") Spec spec, @ForAll @IntRange(min = 0, max = 1 << 20) int cut) {
        byte[] frame = encode(spec.toRecord());
        int length = frame.length - FrameCodec.HEADER_BYTES;
        int shorter = cut % length;
        try {
            FrameCodec.decodeBody(frame, FrameCodec.HEADER_BYTES, shorter, new LogRecord(), true);
            throw new AssertionError("a body cut to " + shorter + " of " + length + " bytes decoded without error —"
                    + " see FrameCodec.decodeBody");
        } catch (IllegalArgumentException expected) {
            // FrameCodec.decodeBody reports every malformed body this way
        }
    }

    @Property(tries = 100)
    void unknownFieldsAreSkipped(@ForAll("specs") Spec spec, @ForAll("names") String key) throws IOException {
        LogRecord r = spec.toRecord();
        byte[] frame = encode(r);
        byte[] body = Arrays.copyOfRange(frame, FrameCodec.HEADER_BYTES, frame.length);
        // Re-pack the map header with one more entry and append an unknown key with a nested value.
        int fields;
        int headerBytes;
        int b0 = body[0] & 0xFF;
        if ((b0 & 0xF0) == 0x80) {
            fields = b0 & 0x0F;
            headerBytes = 1;
        } else {
            assertEquals(0xDE, b0, "the body must start with a map header");
            fields = (body[1] & 0xFF) << 8 | body[2] & 0xFF;
            headerBytes = 3;
        }
        ByteArrayOutputStream grown = new ByteArrayOutputStream();
        try (MessagePacker p = MessagePack.newDefaultPacker(grown)) {
            p.packMapHeader(fields + 1);
            p.flush();
            grown.write(body, headerBytes, body.length - headerBytes);
            p.packString("x-future-" + key);
            p.packArrayHeader(2);
            p.packBinaryHeader(3);
            p.writePayload(new byte[] {1, 2, 3});
            p.packMapHeader(1);
            p.packString("k");
            p.packLong(-5);
        }
        byte[] b = grown.toByteArray();
        LogRecord d = new LogRecord();
        FrameCodec.decodeBody(b, 0, b.length, d, true);
        assertSameFields(r, d, true, "a body with an unknown field");
    }

    @Property(tries = 50)
    void aDecodedBodyIsRejectedIfItIsNotAnEventMap(@ForAll("specs") Spec spec, @ForAll @IntRange(min = 0, max = 18) int drop) throws IOException {
        // Re-encode the event map without one of its required fields: decoding must name the problem, never invent a value.
        LogRecord r = spec.toRecord();
        String[] required = {FrameCodec.K_ID, FrameCodec.K_ENTITY, FrameCodec.K_SCOPE, FrameCodec.K_KIND, FrameCodec.K_SEQ,
                FrameCodec.K_GSEQ, FrameCodec.K_PREV, FrameCodec.K_HASH, FrameCodec.K_PAYLOAD};
        String missing = required[drop % required.length];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MessagePacker p = MessagePack.newDefaultPacker(out)) {
            p.packMapHeader(required.length - 1);
            for (String k : required) {
                if (k.equals(missing)) {
                    continue;
                }
                p.packString(k);
                switch (k) {
                    case FrameCodec.K_ID -> p.packBinaryHeader(16).writePayload(new byte[16]);
                    case FrameCodec.K_ENTITY, FrameCodec.K_SCOPE -> p.packString(r.entity);
                    case FrameCodec.K_KIND, FrameCodec.K_SEQ, FrameCodec.K_GSEQ -> p.packLong(1);
                    case FrameCodec.K_PREV, FrameCodec.K_HASH -> p.packBinaryHeader(32).writePayload(r.hash);
                    default -> p.packBinaryHeader(r.payload.length).writePayload(r.payload);
                }
            }
        }
        byte[] b = out.toByteArray();
        try {
            FrameCodec.decodeBody(b, 0, b.length, new LogRecord(), true);
            throw new AssertionError("a body without '" + missing + "' decoded — see FrameCodec.decodeBody (required fields)");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("required"), "the error names the problem: " + expected.getMessage());
        }
    }

    @Property(tries = 300)
    void payloadVersionRoundTripsAndAFrameWithoutTheKeyReadsAsVersionOne(
            @ForAll("specs") Spec spec, @ForAll @IntRange(min = 1, max = 65_535) int version) {
        LogRecord plain = spec.toRecord();
        byte[] withoutKey = encode(plain);
        LogRecord versioned = spec.toRecord();
        versioned.payloadVersion = version;
        byte[] frame = encode(versioned);
        LogRecord reused = new LogRecord(); // one record decoded twice: the version must not leak from one frame to the next
        FrameCodec.decodeBody(frame, FrameCodec.HEADER_BYTES, frame.length - FrameCodec.HEADER_BYTES, reused, true);
        assertEquals(version, reused.payloadVersion, "payload version lost by FrameCodec.encode/decodeBody");
        assertSameFields(versioned, reused, true, "a frame with payload version " + version);
        FrameCodec.decodeBody(withoutKey, FrameCodec.HEADER_BYTES, withoutKey.length - FrameCodec.HEADER_BYTES, reused, true);
        assertEquals(1, reused.payloadVersion, "a frame without the pver key must read as version 1 (FrameCodec.decodeBody)");
        assertSameFields(plain, reused, true, "the same event without a version");
        byte[] keyBytes = FrameCodec.K_PVER.getBytes(StandardCharsets.UTF_8);
        if (version == 1) {
            assertArrayEquals(withoutKey, frame, "version 1 must be written as an absent key, byte for byte the old frame");
        } else {
            assertTrue(indexOf(frame, keyBytes) >= 0, "a frame at version " + version + " carries the pver key");
            assertTrue(frame.length > withoutKey.length, "the key adds bytes only to versioned frames");
        }
        // The chain hash covers the version exactly when the frame carries it.
        EventHasher hasher = new EventHasher();
        byte[] h1 = new byte[32];
        byte[] hv = new byte[32];
        hasher.hash(plain, null, null, h1);
        hasher.hash(versioned, null, null, hv);
        assertEquals(version == 1, Arrays.equals(h1, hv), "the hash must change with the version, and only then");
    }

    @Property(tries = 50)
    void anExplicitVersionOneKeyIsRefused(@ForAll("specs") Spec spec, @ForAll @IntRange(min = -3, max = 1) int bad)
            throws IOException {
        // The writer never writes pver <= 1 (1 is the absent key); such a frame is not one of ours.
        LogRecord r = spec.toRecord();
        byte[] frame = encode(r);
        byte[] body = Arrays.copyOfRange(frame, FrameCodec.HEADER_BYTES, frame.length);
        int b0 = body[0] & 0xFF;
        int fields = (b0 & 0xF0) == 0x80 ? b0 & 0x0F : (body[1] & 0xFF) << 8 | body[2] & 0xFF;
        int headerBytes = (b0 & 0xF0) == 0x80 ? 1 : 3;
        ByteArrayOutputStream grown = new ByteArrayOutputStream();
        try (MessagePacker p = MessagePack.newDefaultPacker(grown)) {
            p.packMapHeader(fields + 1);
            p.packString(FrameCodec.K_PVER);
            p.packInt(bad);
            p.flush();
            grown.write(body, headerBytes, body.length - headerBytes);
        }
        byte[] b = grown.toByteArray();
        try {
            FrameCodec.decodeBody(b, 0, b.length, new LogRecord(), true);
            throw new AssertionError("a frame with pver " + bad + " decoded — see FrameCodec.decodeBody (K_PVER)");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("payload version"), "the error names the field: " + expected.getMessage());
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
