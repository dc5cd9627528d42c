package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Frame encoding round-trips every field, and the CRC catches every single-bit flip of the body. */
class FrameCodecProperties {

    @Provide
    Arbitrary<LogRecord> records() {
        Arbitrary<String> names = Arbitraries.strings().ofMinLength(1).ofMaxLength(40)
                .filter(s -> {
                    try {
                        Coordinate.validatePart("x", s);
                        return true;
                    } catch (StoreException e) {
                        return false;
                    }
                });
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
        Arbitrary<Long> longs = Arbitraries.longs();
        Arbitrary<String> keys = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(255).injectNull(0.5);
        Arbitrary<int[]> batch = Arbitraries.integers().between(1, 50)
                .flatMap(n -> Arbitraries.integers().between(0, n - 1).map(i -> new int[] {i, n}));
        return Combinators.combine(names, names, payloads, longs, Arbitraries.integers().between(0, 0xFFFF),
                keys, batch, Arbitraries.of(true, false)).as((entity, scope, payload, seed, kind, key, b, cause) -> {
                    LogRecord r = new LogRecord();
                    java.util.Random rnd = new java.util.Random(seed);
                    r.idHi = rnd.nextLong();
                    r.idLo = rnd.nextLong();
                    r.entity = entity;
                    r.scope = scope;
                    r.kind = kind;
                    r.sequence = rnd.nextInt(Integer.MAX_VALUE);
                    r.globalSequence = 1 + rnd.nextInt(Integer.MAX_VALUE);
                    r.timestampUs = rnd.nextLong();
                    r.hlcMs = rnd.nextLong() & Long.MAX_VALUE;
                    r.hlcCounter = rnd.nextInt(1 << 20);
                    r.corrHi = rnd.nextLong();
                    r.corrLo = rnd.nextLong();
                    r.hasCause = cause;
                    r.causeHi = cause ? rnd.nextLong() : 0;
                    r.causeLo = cause ? rnd.nextLong() : 0;
                    r.flags = rnd.nextInt(256);
                    rnd.nextBytes(r.prevHash);
                    rnd.nextBytes(r.hash);
                    r.payload = payload;
                    r.idempotencyKey = key;
                    r.fingerprintHi = key == null ? 0 : rnd.nextLong();
                    r.fingerprintLo = key == null ? 0 : rnd.nextLong();
                    r.batchIndex = b[1] > 1 ? b[0] : 0;
                    r.batchSize = b[1];
                    return r;
                });
    }

    private static byte[] encode(LogRecord r) {
        GrowableBuffer out = new GrowableBuffer(256);
        new FrameCodec(out).encode(r, null, null);
        return Arrays.copyOf(out.array(), out.size());
    }

    @Property(tries = 300)
    void everyFieldRoundTrips(@ForAll("records") LogRecord r) {
        byte[] frame = encode(r);
        int length = FrameCodec.readInt(frame, 0);
        assertEquals(frame.length - FrameCodec.HEADER_BYTES, length, "length field");
        assertTrue(FrameCodec.crcMatches(frame, 8, length, FrameCodec.readInt(frame, 4)), "CRC field");
        LogRecord d = new LogRecord();
        FrameCodec.decodeBody(frame, 8, length, d, true);
        assertEquals(r.idHi, d.idHi);
        assertEquals(r.idLo, d.idLo);
        assertEquals(r.entity, d.entity);
        assertEquals(r.scope, d.scope);
        assertEquals(r.kind, d.kind);
        assertEquals(r.sequence, d.sequence);
        assertEquals(r.globalSequence, d.globalSequence);
        assertEquals(r.timestampUs, d.timestampUs);
        assertEquals(r.hlcMs, d.hlcMs);
        assertEquals(r.hlcCounter, d.hlcCounter);
        assertEquals(r.corrHi, d.corrHi);
        assertEquals(r.corrLo, d.corrLo);
        assertEquals(r.hasCause, d.hasCause);
        if (r.hasCause) {
            assertEquals(r.causeHi, d.causeHi);
            assertEquals(r.causeLo, d.causeLo);
        }
        assertEquals(r.flags, d.flags);
        assertArrayEquals(r.prevHash, d.prevHash);
        assertArrayEquals(r.hash, d.hash);
        assertArrayEquals(r.payload, d.payload);
        assertEquals(r.idempotencyKey, d.idempotencyKey);
        if (r.idempotencyKey != null) {
            assertEquals(r.fingerprintHi, d.fingerprintHi);
            assertEquals(r.fingerprintLo, d.fingerprintLo);
        }
        assertEquals(r.batchSize > 1 ? r.batchIndex : 0, d.batchIndex);
        assertEquals(r.batchSize, d.batchSize);
    }

    @Property(tries = 300)
    void anySingleBitFlipInTheBodyFailsTheCrc(@ForAll("records") LogRecord r, @ForAll @IntRange(min = 0, max = 1 << 20) int where,
                                              @ForAll @IntRange(min = 0, max = 7) int bit) {
        byte[] frame = encode(r);
        int length = FrameCodec.readInt(frame, 0);
        int at = FrameCodec.HEADER_BYTES + where % length;
        frame[at] ^= (byte) (1 << bit);
        assertFalse(FrameCodec.crcMatches(frame, 8, length, FrameCodec.readInt(frame, 4)),
                "flipping bit " + bit + " of body byte " + (at - 8) + " went unnoticed by CRC32C");
    }

    @Property(tries = 200)
    void truncatedBodiesNeverDecodeSilently(@ForAll("records") LogRecord r, @ForAll @IntRange(min = 1, max = 1 << 20) int cut) {
        byte[] frame = encode(r);
        int length = FrameCodec.readInt(frame, 0);
        int shorter = cut % length;
        try {
            FrameCodec.decodeBody(frame, 8, shorter, new LogRecord(), true);
            throw new AssertionError("a body cut to " + shorter + " of " + length + " bytes decoded without error");
        } catch (IllegalArgumentException expected) {
            // FrameCodec.decodeBody reports every malformed body this way
        }
    }
}
