package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.GrowableBuffer;
import io.batpak.engine.util.Hex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Pins format version 2 (version 1 headers are refused with the upgrade command): the encoder must produce the golden bytes, and the example in
 * docs/FORMAT.md must decode to the golden sample. If this fails after a change to FrameCodec,
 * SegmentHeader or EventHasher, the on-disk format changed: bump the format version instead.
 */
public class FormatGoldenTest {

    private static byte[] golden(String name) throws IOException {
        try (InputStream in = FormatGoldenTest.class.getResourceAsStream("/golden/" + name)) {
            assertNotNull(in, "golden file /golden/" + name + " is missing from src/test/resources");
            return Hex.decode(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
    }

    private static byte[] encodeSample() {
        LogRecord r = GoldenSample.record();
        new EventHasher().hash(r, null, null, r.hash);
        GrowableBuffer b = new GrowableBuffer(64);
        new FrameCodec(b).encode(r, null, null);
        return Arrays.copyOf(b.array(), b.size());
    }

    @Test
    void encoderProducesTheGoldenFrame() throws IOException {
        assertEquals(Hex.encode(golden("frame-v1.hex")), Hex.encode(encodeSample()),
                "frame bytes changed: the on-disk format v1 is broken (FrameCodec.encode)");
    }

    /**
     * The optional {@code pver} key (payload version, added with the format still at version 2):
     * the sample at version 3 pins the key's encoding and its place in the chain hash, while the
     * sample without it is still {@code frame-v1.hex} (the test above).
     */
    @Test
    void aPayloadVersionIsAGoldenOptionalKey() throws IOException {
        LogRecord r = GoldenSample.record();
        r.payloadVersion = 3;
        new EventHasher().hash(r, null, null, r.hash);
        assertArrayEquals(golden("hash-pver3.hex"), r.hash, "chain hash of a versioned event changed (EventHasher.hash)");
        GrowableBuffer b = new GrowableBuffer(64);
        new FrameCodec(b).encode(r, null, null);
        byte[] frame = Arrays.copyOf(b.array(), b.size());
        assertEquals(Hex.encode(golden("frame-pver3.hex")), Hex.encode(frame),
                "frame bytes of a versioned event changed (FrameCodec.encode, key pver)");
        LogRecord d = new LogRecord();
        FrameCodec.decodeBody(frame, FrameCodec.HEADER_BYTES, frame.length - FrameCodec.HEADER_BYTES, d, true);
        assertEquals(3, d.payloadVersion, "the golden versioned frame decodes to version 3");
        assertTrue(new EventHasher().verify(d), "the golden versioned frame verifies");
    }

    /**
     * A scavenged frame (docs/FORMAT.md "Scavenging"): the golden sample emptied as the scavenger
     * does, standing in for the golden frame; it keeps the chain links and sequences, drops the
     * payload and correlation, and carries {@code gone}. Its segment's header is version 3.
     */
    @Test
    void aScavengedFrameAndItsHeaderAreGolden() throws IOException {
        byte[] whole = encodeSample();
        LogRecord r = new LogRecord();
        FrameCodec.decodeBody(whole, FrameCodec.HEADER_BYTES, whole.length - FrameCodec.HEADER_BYTES, r, false);
        r.scavenge(whole.length);
        GrowableBuffer b = new GrowableBuffer(64);
        new FrameCodec(b).encode(r, null, null);
        byte[] frame = Arrays.copyOf(b.array(), b.size());
        assertEquals(Hex.encode(golden("frame-scavenged.hex")), Hex.encode(frame),
                "scavenged frame bytes changed (FrameCodec.encode with goneBytes, LogRecord.scavenge)");
        LogRecord d = new LogRecord();
        FrameCodec.decodeBody(frame, FrameCodec.HEADER_BYTES, frame.length - FrameCodec.HEADER_BYTES, d, true);
        LogRecord sample = GoldenSample.record();
        new EventHasher().hash(sample, null, null, sample.hash);
        assertTrue(d.scavenged(), "the golden scavenged frame decodes as scavenged");
        assertEquals(whole.length, d.goneBytes, "gone holds the replaced frame's length");
        assertArrayEquals(sample.hash, d.hash, "a scavenged frame keeps the event's chain hash");
        assertArrayEquals(sample.prevHash, d.prevHash, "a scavenged frame keeps the link to its parent");
        assertEquals(sample.globalSequence, d.globalSequence);
        assertEquals(0, d.payload.length, "a scavenged frame has no payload");
        ByteBuffer h = SegmentHeader.create(1, 1_763_800_000_000_000L).scavenged().encode();
        byte[] header = new byte[h.remaining()];
        h.get(header);
        assertEquals(Hex.encode(golden("segment-header-v3.hex")), Hex.encode(header), "scavenged segment header changed");
        assertEquals(3, SegmentHeader.decode(ByteBuffer.wrap(header), Path.of("golden")).version());
    }

    @Test
    void chainHashIsTheGoldenHash() throws IOException {
        LogRecord r = GoldenSample.record();
        new EventHasher().hash(r, null, null, r.hash);
        assertArrayEquals(golden("hash-v1.hex"), r.hash, "chain hash input changed (EventHasher.hash)");
    }

    @Test
    void segmentHeaderIsGolden() throws IOException {
        ByteBuffer b = SegmentHeader.create(1, 1_763_800_000_000_000L).encode();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        assertArrayEquals(golden("segment-header-v2.hex"), bytes, "segment header layout changed (SegmentHeader.encode)");
        SegmentHeader h = SegmentHeader.decode(ByteBuffer.wrap(bytes), Path.of("golden"));
        assertEquals(1, h.segmentId());
        assertEquals(2, h.version());
    }

    @Test
    void versionOneHeaderAsksForTheOfflineUpgrade() throws IOException {
        byte[] v1 = golden("segment-header-v1.hex");
        StoreException e = assertThrows(StoreException.class,
                () -> SegmentHeader.decode(ByteBuffer.wrap(v1), Path.of("000001.fbat")));
        assertEquals(ErrorCode.FORMAT_UPGRADE_REQUIRED, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("io.batpak.engine.log.FormatUpgrade"), "the error must say what to run: "
                + e.getMessage());
    }

    @Test
    void exampleInFormatDocumentDecodesToTheSample() throws IOException {
        Path doc = Path.of("..", "docs", "FORMAT.md");
        assertTrue(Files.exists(doc), "docs/FORMAT.md not found from " + Path.of("").toAbsolutePath());
        String text = Files.readString(doc);
        Matcher m = Pattern.compile("```hex\\s+([0-9a-f]+)\\s+```").matcher(text);
        assertTrue(m.find(), "docs/FORMAT.md lost its ```hex example frame block");
        byte[] frame = Hex.decode(m.group(1));
        int length = FrameCodec.readInt(frame, 0);
        assertEquals(frame.length - FrameCodec.HEADER_BYTES, length, "example frame length field");
        assertTrue(FrameCodec.crcMatches(frame, 8, length, FrameCodec.readInt(frame, 4)), "example frame CRC");
        LogRecord r = new LogRecord();
        FrameCodec.decodeBody(frame, 8, length, r, true);
        LogRecord s = GoldenSample.record();
        assertEquals(s.entity, r.entity);
        assertEquals(s.scope, r.scope);
        assertEquals(s.kind, r.kind);
        assertEquals(s.idHi, r.idHi);
        assertEquals(s.idLo, r.idLo);
        assertEquals(s.globalSequence, r.globalSequence);
        assertEquals(s.timestampUs, r.timestampUs);
        assertArrayEquals(s.payload, r.payload);
        assertTrue(new EventHasher().verify(r), "example frame's hash does not verify");
        Matcher h = Pattern.compile("chain hash is `([0-9a-f]{64})`").matcher(text);
        assertTrue(h.find(), "docs/FORMAT.md lost the example's chain hash");
        assertEquals(h.group(1), Hex.encode(r.hash));
    }

    @Test
    void otherVersionIsRefusedNamingBothVersions() {
        ByteBuffer b = SegmentHeader.create(1, 0).encode();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        bytes[5] = 4;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, 28);
        ByteBuffer.wrap(bytes).putInt(28, (int) crc.getValue());
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> SegmentHeader.decode(ByteBuffer.wrap(bytes), Path.of("000001.fbat")));
        assertTrue(e.getMessage().contains("version 4") && e.getMessage().contains("versions 2 and 3"), e.getMessage());
    }
}
