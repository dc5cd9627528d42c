package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The fixed 32-byte header at the start of every segment file. Big-endian:
 * <pre>
 * offset  size  field
 *      0     4  magic "FBAT"
 *      4     2  format version ({@value #FORMAT_VERSION}; {@value #SCAVENGED_VERSION} once scavenging rewrote
 *               it, as it may hold scavenged frames; 1 before entities were keyed by entity@scope)
 *      6     2  flags (0; reserved)
 *      8     8  segment id (the number in the file name)
 *     16     8  created, Unix microseconds
 *     24     4  reserved (0)
 *     28     4  CRC32C of bytes 0..27
 * </pre>
 * A reader refuses any version other than the two it writes, naming them; version 1 (the same bytes,
 * but entities keyed by name alone) is refused with {@link ErrorCode#FORMAT_UPGRADE_REQUIRED} and the
 * command that upgrades it ({@link FormatUpgrade}). Frames start at byte 32.
 * Immutable.
 */
public record SegmentHeader(int version, int flags, long segmentId, long createdUs) {
    static final byte[] MAGIC = {'F', 'B', 'A', 'T'};
    static final int FORMAT_VERSION = 2;
    /**
     * A segment rewritten by the scavenger: its frames may include scavenged frames (no payload,
     * key {@code gone}), which a build that only knows version 2 would serve as empty events, so
     * such a build must refuse the file.
     */
    static final int SCAVENGED_VERSION = 3;
    /** Written before entities were keyed by coordinate; {@link FormatUpgrade} lifts it to 2. */
    static final int KEYED_BY_NAME_VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    static final int FLAGS_OFFSET = VERSION_OFFSET + 2;
    static final int SEGMENT_ID_OFFSET = FLAGS_OFFSET + 2;
    static final int CREATED_OFFSET = SEGMENT_ID_OFFSET + 8;
    static final int RESERVED_OFFSET = CREATED_OFFSET + 8;
    static final int CRC_OFFSET = RESERVED_OFFSET + 4;
    public static final int SIZE = CRC_OFFSET + 4;
    /** Segment offsets are packed into 40 bits in the index. */
    public static final long MAX_SEGMENT_BYTES = 1L << 40;
    /** Segment ids are packed into 23 bits in the index. */
    static final long MAX_SEGMENT_ID = (1L << 23) - 1;

    static SegmentHeader create(long segmentId, long createdUs) {
        return new SegmentHeader(FORMAT_VERSION, 0, segmentId, createdUs);
    }

    /** The same segment marked as rewritten by the scavenger. */
    SegmentHeader scavenged() {
        return new SegmentHeader(SCAVENGED_VERSION, flags, segmentId, createdUs);
    }

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC).putShort((short) version).putShort((short) flags).putLong(segmentId).putLong(createdUs).putInt(0);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_OFFSET);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** Decodes and validates a header; {@code file} only names the file in errors. */
    static SegmentHeader decode(ByteBuffer b, Path file) {
        if (b.remaining() < SIZE) {
            throw new CorruptLogException(file, 0, "segment header has " + b.remaining() + " bytes, needs " + SIZE);
        }
        byte[] raw = new byte[SIZE];
        b.get(raw);
        for (int i = 0; i < 4; i++) {
            if (raw[i] != MAGIC[i]) {
                throw new CorruptLogException(file, 0, "bad segment magic (expected FBAT)");
            }
        }
        ByteBuffer h = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(raw, 0, CRC_OFFSET);
        int stored = h.getInt(CRC_OFFSET);
        if (stored != (int) crc.getValue()) {
            throw new CorruptLogException(file, 0, "segment header checksum mismatch");
        }
        int version = Short.toUnsignedInt(h.getShort(VERSION_OFFSET));
        if (version == KEYED_BY_NAME_VERSION) {
            throw new StoreException(ErrorCode.FORMAT_UPGRADE_REQUIRED, file + " is segment format version 1, where an"
                    + " entity was keyed by its name alone; this build reads and writes version " + FORMAT_VERSION
                    + " (entities keyed by entity@scope). Stop the server and run: java -cp 'WEB-INF/lib/*'"
                    + " io.batpak.engine.log.FormatUpgrade <data-dir> (docs/FORMAT.md, \"Upgrading from version 1\")");
        }
        if (version != FORMAT_VERSION && version != SCAVENGED_VERSION) {
            throw new CorruptLogException(file, VERSION_OFFSET, "segment format version " + version
                    + " is not readable by this build, which reads and writes versions " + FORMAT_VERSION + " and "
                    + SCAVENGED_VERSION);
        }
        return new SegmentHeader(version, Short.toUnsignedInt(h.getShort(FLAGS_OFFSET)),
                h.getLong(SEGMENT_ID_OFFSET), h.getLong(CREATED_OFFSET));
    }
}
