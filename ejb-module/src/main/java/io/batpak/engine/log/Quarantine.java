package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.QuarantineReport;
import io.batpak.engine.StoreException;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.HybridClock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's way out when {@link EventStore#open} refuses a damaged log with a
 * {@link CorruptLogException}: sets the damage aside in {@code {data-dir}/quarantine/} so the store
 * opens with the longest undamaged prefix of the log. Global and per-entity sequences are gap-free
 * and hash-chained, so nothing after the first damage can be kept: the damaged segment is copied
 * whole into the quarantine and cut at the damaged frame, every later segment is moved there, and
 * the checkpoint (a cache) is moved too. Nothing is deleted; the report says what was lost.
 *
 * <p>Run it only while the store is closed (it takes the data directory's lock):
 * {@code java -cp 'WEB-INF/lib/*' io.batpak.engine.log.Quarantine [--dry-run] <data-dir>} (the engine
 * jar and msgpack-core on the class path). Stateless and single-threaded.
 */
public final class Quarantine {
    /** Subdirectory of the data directory that receives the set-aside files. */
    public static final String DIR = "quarantine";

    private Quarantine() {
    }

    /**
     * Scans the log and, if it is damaged, quarantines the damage (unless {@code dryRun}). A torn
     * tail of the last segment is not damage: it is cut as on every open, also in a dry run.
     *
     * @throws StoreException {@link ErrorCode#UNAVAILABLE} if the store is open or a file cannot be moved
     */
    public static QuarantineReport run(Path dataDir, boolean dryRun) {
        DataDirLock lock = DataDirLock.acquire(dataDir);
        try {
            Scan first = scan(dataDir);
            CorruptLogException damage = first.damage();
            if (damage == null) {
                return new QuarantineReport(null, List.of(), first.events(), 0, 0, dryRun);
            }
            long damagedId = segmentIdOf(dataDir, damage);
            long cut = damage.offset() < SegmentHeader.SIZE ? 0 : damage.offset();
            LostFrames lost = new LostFrames();
            List<Path> affected = new ArrayList<>();
            for (long id : SegmentFiles.list(dataDir)) {
                if (id >= damagedId) {
                    Path file = SegmentFiles.path(dataDir, id);
                    lost.count(Files.readAllBytes(file), id == damagedId ? (int) Math.max(cut, SegmentHeader.SIZE) : SegmentHeader.SIZE);
                    affected.add(file);
                }
            }
            List<Path> moved = new ArrayList<>();
            if (!dryRun) {
                Path target = dataDir.resolve(DIR);
                Files.createDirectories(target);
                for (Path file : affected) {
                    boolean keepPrefix = file.equals(damage.file()) && cut > 0;
                    Path to = freeName(target, file.getFileName().toString());
                    if (keepPrefix) {
                        Files.copy(file, to);
                        cut(file, cut);
                    } else {
                        Files.move(file, to);
                    }
                    moved.add(to);
                }
                Path checkpoint = CheckpointFile.path(dataDir);
                if (Files.exists(checkpoint)) {
                    Path to = freeName(target, checkpoint.getFileName().toString());
                    Files.move(checkpoint, to);
                    moved.add(to);
                }
                SegmentFiles.syncDirectory(SegmentFiles.dir(dataDir));
                SegmentFiles.syncDirectory(target);
                SegmentFiles.syncDirectory(dataDir);
                Scan after = scan(dataDir);
                if (after.damage() != null) {
                    throw new StoreException(ErrorCode.CORRUPT_DATA, "still damaged after the quarantine: "
                            + after.damage().getMessage(), after.damage());
                }
                return new QuarantineReport(damage.getMessage(), moved, after.events(), lost.readable, lost.damagedRegions,
                        false);
            }
            affected.forEach(f -> moved.add(dataDir.resolve(DIR).resolve(f.getFileName())));
            if (Files.exists(CheckpointFile.path(dataDir))) {
                moved.add(dataDir.resolve(DIR).resolve(CheckpointFile.NAME));
            }
            return new QuarantineReport(damage.getMessage(), moved, first.events(), lost.readable, lost.damagedRegions, true);
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "quarantine of " + dataDir + " failed: " + e.getMessage(), e);
        } finally {
            lock.release();
        }
    }

    /** Command line: {@code [--dry-run] <data-dir>}; exit 0 when the store can open afterwards, 1 on failure, 2 on bad usage. */
    public static void main(String[] args) {
        boolean dryRun = args.length == 2 && args[0].equals("--dry-run");
        if (args.length != 1 && !dryRun) {
            System.err.println("usage: java -cp 'WEB-INF/lib/*' io.batpak.engine.log.Quarantine [--dry-run] <data-dir>"
                    + " (the batpak-ejb and msgpack-core jars on the class path)");
            System.exit(2);
        }
        try {
            System.out.println(run(Path.of(args[args.length - 1]), dryRun).describe());
        } catch (StoreException e) {
            System.err.println("quarantine failed (" + e.code().code() + "): " + e.getMessage());
            System.exit(1);
        }
    }

    /** What a full recovery scan found: the first damage (null if none) and the events accepted before it. */
    private record Scan(CorruptLogException damage, long events) {
    }

    /** Full recovery scan, ignoring the checkpoint. It cuts a torn tail, as every open does. */
    private static Scan scan(Path dataDir) {
        StoreIndex index = new StoreIndex();
        try {
            new LogRecovery(dataDir, index, new HybridClock(System::currentTimeMillis)).scan(0, 0);
            return new Scan(null, index.stagedCount());
        } catch (CorruptLogException e) {
            return new Scan(e, index.stagedCount());
        }
    }

    private static void cut(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
            ch.force(true);
        }
    }

    private static long segmentIdOf(Path dataDir, CorruptLogException damage) {
        Path file = damage.file();
        for (long id : SegmentFiles.list(dataDir)) {
            if (SegmentFiles.path(dataDir, id).equals(file)) {
                return id;
            }
        }
        throw new StoreException(ErrorCode.CORRUPT_DATA, "the damage is not in a segment file, so there is nothing to"
                + " quarantine: " + damage.getMessage(), damage);
    }

    private static Path freeName(Path dir, String name) {
        Path p = dir.resolve(name);
        for (int n = 1; Files.exists(p); n++) {
            p = dir.resolve(name + "." + n);
        }
        return p;
    }

    /** Counts what quarantined bytes still hold: CRC-valid frames, and the damaged stretches between them. */
    private static final class LostFrames {
        long readable;
        long damagedRegions;
        private final LogRecord probe = new LogRecord();

        void count(byte[] bytes, int from) {
            boolean inDamage = false;
            int pos = from;
            while (pos + FrameCodec.HEADER_BYTES <= bytes.length) {
                if (FrameReader.check(bytes, pos, bytes.length - pos, probe, false) == null) {
                    readable++;
                    inDamage = false;
                    pos += FrameCodec.HEADER_BYTES + FrameCodec.readInt(bytes, pos);
                } else {
                    if (!inDamage) {
                        damagedRegions++;
                        inDamage = true;
                    }
                    pos++;
                }
            }
            if (pos < bytes.length && !inDamage) {
                damagedRegions++;
            }
        }
    }
}
