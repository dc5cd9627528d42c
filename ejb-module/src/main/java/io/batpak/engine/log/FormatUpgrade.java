package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * The offline upgrade of a data directory from segment format version 1 to 2, run with the store
 * stopped: {@code java -cp 'WEB-INF/lib/*' io.batpak.engine.log.FormatUpgrade [--dry-run] <data-dir>}.
 *
 * <p>Version 1 keyed an entity by its name alone; version 2 keys it by {@code entity@scope}. The
 * frames are the same bytes, so a log in which every entity name was used in one scope only means
 * exactly the same under version 2: the upgrade then rewrites each segment header's version (and its
 * CRC) in place and forces it, and removes the old checkpoint (it is rebuilt at the next open). A log
 * in which one name was used in several scopes holds one hash chain and one sequence across those
 * scopes, which version 2 cannot represent without rewriting stored events: the upgrade refuses,
 * changes nothing, and names each such entity with its scopes. Rerunning after a crash is safe: headers
 * already at version 2 are left alone. Exit codes: 0 upgraded (or nothing to do), 1 failed, 2 usage,
 * 3 refused (an entity name in several scopes).
 */
public final class FormatUpgrade {
    /** What an upgrade found and did. */
    public record Report(int segments, int upgraded, long events, Map<String, TreeSet<String>> conflicts) {
        /** One line for the operator. */
        public String describe() {
            if (!conflicts.isEmpty()) {
                StringBuilder b = new StringBuilder("refused: " + conflicts.size()
                        + " entity names were used in several scopes, which format 2 keeps apart; nothing changed:");
                conflicts.entrySet().stream().limit(20).forEach(e -> b.append("\n  ").append(e.getKey())
                        .append(" in ").append(e.getValue()));
                return b.toString();
            }
            return "upgraded " + upgraded + " of " + segments + " segments (" + events + " events) to format version "
                    + SegmentHeader.FORMAT_VERSION;
        }
    }

    private FormatUpgrade() {
    }

    public static void main(String[] args) {
        boolean dryRun = args.length == 2 && args[0].equals("--dry-run");
        if (args.length != 1 && !dryRun) {
            System.err.println("usage: java -cp 'WEB-INF/lib/*' io.batpak.engine.log.FormatUpgrade [--dry-run] <data-dir>");
            System.exit(2);
        }
        try {
            Report r = run(Path.of(args[args.length - 1]), dryRun);
            System.out.println(r.describe());
            System.exit(r.conflicts().isEmpty() ? 0 : 3);
        } catch (StoreException e) {
            System.err.println("format upgrade failed (" + e.code().code() + "): " + e.getMessage());
            System.exit(1);
        }
    }

    /** Upgrades {@code dataDir} (or only checks it, with {@code dryRun}); the store must not be open. */
    public static Report run(Path dataDir, boolean dryRun) {
        DataDirLock lock = DataDirLock.acquire(dataDir);
        try {
            Map<String, String> scopeOf = new HashMap<>();
            Map<String, TreeSet<String>> conflicts = new TreeMap<>();
            List<Long> old = new ArrayList<>();
            List<Long> ids = SegmentFiles.list(dataDir);
            long events = 0;
            for (long id : ids) {
                Path file = SegmentFiles.path(dataDir, id);
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    int version = headerVersion(ch, file);
                    if (version == SegmentHeader.KEYED_BY_NAME_VERSION) {
                        old.add(id);
                    }
                    events += scanNames(ch, file, scopeOf, conflicts);
                } catch (IOException e) {
                    throw new StoreException(ErrorCode.UNAVAILABLE, "cannot read " + file + ": " + e.getMessage(), e);
                }
            }
            if (!conflicts.isEmpty() || dryRun) {
                return new Report(ids.size(), 0, events, conflicts);
            }
            for (long id : old) {
                rewriteHeader(SegmentFiles.path(dataDir, id));
            }
            if (!old.isEmpty()) {
                Files.deleteIfExists(CheckpointFile.path(dataDir));
                SegmentFiles.syncDirectory(dataDir);
            }
            return new Report(ids.size(), old.size(), events, conflicts);
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "upgrade of " + dataDir + " failed: " + e.getMessage(), e);
        } finally {
            lock.release();
        }
    }

    /** The header's version after checking magic and CRC; only 1 and the current one are accepted. */
    private static int headerVersion(FileChannel ch, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SegmentHeader.SIZE).order(ByteOrder.BIG_ENDIAN);
        if (SegmentReader.readFully(ch, b, 0) < SegmentHeader.SIZE) {
            throw new CorruptLogException(file, 0, "segment header is cut short");
        }
        byte[] raw = b.array();
        CRC32C crc = new CRC32C();
        crc.update(raw, 0, SegmentHeader.CRC_OFFSET);
        for (int i = 0; i < 4; i++) {
            if (raw[i] != SegmentHeader.MAGIC[i]) {
                throw new CorruptLogException(file, 0, "bad segment magic (expected FBAT)");
            }
        }
        if (b.getInt(SegmentHeader.CRC_OFFSET) != (int) crc.getValue()) {
            throw new CorruptLogException(file, 0, "segment header checksum mismatch");
        }
        int version = Short.toUnsignedInt(b.getShort(SegmentHeader.VERSION_OFFSET));
        if (version != SegmentHeader.KEYED_BY_NAME_VERSION && version != SegmentHeader.FORMAT_VERSION
                && version != SegmentHeader.SCAVENGED_VERSION) {
            throw new CorruptLogException(file, SegmentHeader.VERSION_OFFSET, "segment format version " + version
                    + " is neither 1, " + SegmentHeader.FORMAT_VERSION + " nor " + SegmentHeader.SCAVENGED_VERSION);
        }
        return version;
    }

    /**
     * Records each frame's entity name and scope until the first frame that does not check (a torn
     * tail, which the next open cuts as usual); returns the frames read.
     */
    private static long scanNames(FileChannel ch, Path file, Map<String, String> scopeOf,
                                  Map<String, TreeSet<String>> conflicts) throws IOException {
        long size = ch.size();
        FrameReader frames = new FrameReader(new SegmentScanner(ch, size));
        LogRecord r = new LogRecord();
        long pos = SegmentHeader.SIZE;
        long n = 0;
        while (pos < size && frames.read(pos, r, false) == null) {
            String first = scopeOf.putIfAbsent(r.entity, r.scope);
            if (first != null && !first.equals(r.scope)) {
                TreeSet<String> scopes = conflicts.computeIfAbsent(r.entity, k -> new TreeSet<>());
                scopes.add(first);
                scopes.add(r.scope);
            }
            pos = frames.end();
            n++;
        }
        return n;
    }

    private static void rewriteHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(SegmentHeader.SIZE).order(ByteOrder.BIG_ENDIAN);
            SegmentReader.readFully(ch, b, 0);
            b.putShort(SegmentHeader.VERSION_OFFSET, (short) SegmentHeader.FORMAT_VERSION);
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, SegmentHeader.CRC_OFFSET);
            b.putInt(SegmentHeader.CRC_OFFSET, (int) crc.getValue());
            b.clear();
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            ch.force(true);
        }
    }
}
