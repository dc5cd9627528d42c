package io.batpak.engine.log;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written before entities were keyed by coordinate (segment format 1) must not
 * open silently wrong: the open refuses it with the upgrade command, and {@link FormatUpgrade}
 * lifts it to format 2 when every entity name lived in one scope, or refuses and changes nothing
 * when a name was used in several. Old data is made by writing a log and setting its headers back
 * to version 1, which is exactly what a version 1 build wrote (the frames did not change).
 */
class FormatUpgradeTest {
    @TempDir
    Path dir;

    private void write(List<Coordinate> coordinates) {
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSegmentMaxBytes(4096))) {
            for (int i = 0; i < 60; i++) {
                s.append(coordinates.get(i % coordinates.size()), EventKind.of(1, 1),
                        ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void setHeadersToVersion1() throws IOException {
        List<Long> ids = SegmentFiles.list(dir);
        assertTrue(ids.size() > 1, "the test wants several segments, got " + ids);
        for (long id : ids) {
            try (FileChannel ch = FileChannel.open(SegmentFiles.path(dir, id), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(SegmentHeader.SIZE);
                SegmentReader.readFully(ch, b, 0);
                b.putShort(SegmentHeader.VERSION_OFFSET, (short) 1);
                CRC32C crc = new CRC32C();
                crc.update(b.array(), 0, SegmentHeader.CRC_OFFSET);
                b.putInt(SegmentHeader.CRC_OFFSET, (int) crc.getValue());
                ch.write(ByteBuffer.wrap(b.array()), 0);
            }
        }
    }

    @Test
    void versionOneDataIsRefusedThenUpgradedWithEveryEventIntact() throws IOException {
        Coordinate a = new Coordinate("order:1", "shop");
        Coordinate b = new Coordinate("order:2", "shop");
        write(List.of(a, b));
        setHeadersToVersion1();

        StoreException refused = assertThrows(StoreException.class, () -> EventStore.open(StoreConfig.defaults(dir)));
        assertEquals(ErrorCode.FORMAT_UPGRADE_REQUIRED, refused.code(), "open of format 1 data: " + refused.getMessage());

        FormatUpgrade.Report dry = FormatUpgrade.run(dir, true);
        assertTrue(dry.conflicts().isEmpty(), dry.describe());
        assertEquals(0, dry.upgraded(), "a dry run changes nothing");
        assertThrows(StoreException.class, () -> EventStore.open(StoreConfig.defaults(dir)), "still format 1");

        FormatUpgrade.Report r = FormatUpgrade.run(dir, false);
        assertEquals(SegmentFiles.list(dir).size(), r.upgraded(), r.describe());
        assertEquals(60, r.events(), r.describe());
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            assertEquals(30, s.readEntity(EntityQuery.of(a).withLimit(100)).size());
            assertEquals(30, s.readEntity(EntityQuery.of(b).withLimit(100)).size());
            assertTrue(s.verify(EntityQuery.of(a)).valid() && s.verify(EntityQuery.of(b)).valid(), "chains verify after the upgrade");
            assertEquals("{\"i\":59}", new String(s.readEntity(EntityQuery.of(b).withFrom(29).withLimit(1)).get(0).payload(), StandardCharsets.UTF_8));
        }
        assertEquals(0, FormatUpgrade.run(dir, false).upgraded(), "a second run finds nothing to do");
    }

    @Test
    void aNameUsedInTwoScopesIsRefusedAndNothingChanges() throws IOException {
        write(List.of(new Coordinate("invoice-42", "payments"), new Coordinate("invoice-42", "evil"),
                new Coordinate("other", "payments")));
        setHeadersToVersion1();
        byte[] before = Files.readAllBytes(SegmentFiles.path(dir, SegmentFiles.list(dir).get(0)));

        FormatUpgrade.Report r = FormatUpgrade.run(dir, false);
        assertEquals(List.of("invoice-42"), List.copyOf(r.conflicts().keySet()), r.describe());
        assertTrue(r.describe().contains("[evil, payments]"), r.describe());
        assertEquals(0, r.upgraded());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(SegmentFiles.path(dir, SegmentFiles.list(dir).get(0)))),
                "a refused upgrade leaves the segments as they were");
        assertThrows(StoreException.class, () -> EventStore.open(StoreConfig.defaults(dir)));
    }
}
