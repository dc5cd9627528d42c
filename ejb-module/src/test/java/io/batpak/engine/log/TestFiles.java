package io.batpak.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** File surgery for the crash, concurrency and model tests: copy, cut and damage data directories. */
public final class TestFiles {
    private TestFiles() {
    }

    /** Copies a data directory (segments, checkpoint) without the LOCK file, like a backup or a crashed disk image. */
    public static void copyDataDir(Path from, Path to) throws IOException {
        for (Path p : listing(from)) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(target);
            } else if (!p.getFileName().toString().equals("LOCK")) {
                try {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                } catch (java.nio.file.NoSuchFileException renamedMeanwhile) {
                    // a background checkpoint's temporary renamed while copying: not part of the image
                }
            }
        }
    }

    /** Every path under {@code dir}, listed again if a file vanished during the walk (a checkpoint's rename). */
    static List<Path> listing(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> paths = Files.walk(dir)) {
                return paths.toList();
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    /** Every segment file's bytes, by segment id. */
    static Map<Long, byte[]> snapshotSegments(Path dataDir) throws IOException {
        Map<Long, byte[]> out = new TreeMap<>();
        for (long id : SegmentFiles.list(dataDir)) {
            out.put(id, Files.readAllBytes(SegmentFiles.path(dataDir, id)));
        }
        return out;
    }

    /**
     * Puts a data directory back to a snapshot: rewrites every segment, removes segments created
     * since, and writes {@code checkpoint} as index.ckpt (deletes it if null).
     */
    static void restore(Path dataDir, Map<Long, byte[]> segments, byte[] checkpoint) throws IOException {
        for (long id : SegmentFiles.list(dataDir)) {
            if (!segments.containsKey(id)) {
                Files.delete(SegmentFiles.path(dataDir, id));
            }
        }
        for (Map.Entry<Long, byte[]> e : segments.entrySet()) {
            Files.write(SegmentFiles.path(dataDir, e.getKey()), e.getValue());
        }
        Path ckpt = CheckpointFile.path(dataDir);
        if (checkpoint == null) {
            Files.deleteIfExists(ckpt);
        } else {
            Files.write(ckpt, checkpoint);
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    /** XORs the byte at {@code offset} with {@code mask}. */
    public static void xor(Path file, long offset, int mask) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            if (ch.read(b, offset) != 1) {
                throw new IOException("no byte at " + offset + " in " + file);
            }
            b.put(0, (byte) (b.get(0) ^ mask)).rewind();
            ch.write(b, offset);
        }
    }

    /** One frame as laid out in a segment file. */
    record Frame(long start, long end, int bodyLength) {
        long bodyStart() {
            return start + FrameCodec.HEADER_BYTES;
        }
    }

    /**
     * The frames of a segment, parsed from the file independently of the engine's recovery code:
     * the 32-byte header, then [u32 length][u32 CRC32C][body] until the end of the file.
     */
    public static List<Frame> frames(Path segment) throws IOException {
        byte[] all = Files.readAllBytes(segment);
        List<Frame> out = new ArrayList<>();
        int pos = SegmentHeader.SIZE;
        while (pos + FrameCodec.HEADER_BYTES <= all.length) {
            int length = FrameCodec.readInt(all, pos);
            if (length <= 0 || pos + FrameCodec.HEADER_BYTES + (long) length > all.length) {
                throw new IOException(segment + ": frame at " + pos + " has length " + length
                        + " which does not fit the " + all.length + "-byte file");
            }
            out.add(new Frame(pos, pos + FrameCodec.HEADER_BYTES + length, length));
            pos += FrameCodec.HEADER_BYTES + length;
        }
        if (pos != all.length) {
            throw new IOException(segment + ": " + (all.length - pos) + " stray bytes after the last frame");
        }
        return out;
    }

    /** Decodes the frame body (payload included) at a parsed position. */
    static LogRecord decode(Path segment, Frame f) throws IOException {
        byte[] all = Files.readAllBytes(segment);
        LogRecord r = new LogRecord();
        FrameCodec.decodeBody(all, (int) f.bodyStart(), f.bodyLength(), r, true);
        return r;
    }
}
