package io.batpak.engine.log;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.io.IOException;
import java.nio.file.Files;
import io.batpak.engine.util.CheckedFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Names and lists segment files under {@code {data-dir}/segments}. Stateless, thread-safe. */
public final class SegmentFiles {
    static final String SUFFIX = ".fbat";

    private SegmentFiles() {
    }

    public static Path dir(Path dataDir) {
        return dataDir.resolve("segments");
    }

    public static Path path(Path dataDir, long segmentId) {
        return dir(dataDir).resolve(String.format("%06d%s", segmentId, SUFFIX));
    }

    /** Segment ids present on disk, ascending. */
    public static List<Long> list(Path dataDir) {
        Path dir = dir(dataDir);
        List<Long> ids = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX) && n.length() > SUFFIX.length())
                    .forEach(n -> {
                        String digits = n.substring(0, n.length() - SUFFIX.length());
                        if (digits.chars().allMatch(Character::isDigit)) {
                            ids.add(Long.parseLong(digits));
                        }
                    });
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot list " + dir + ": " + e.getMessage(), e);
        }
        ids.sort(null);
        return ids;
    }

    /** Forces a directory's entries (new or renamed files) to disk, where the platform allows it. */
    public static void syncDirectory(Path dir) {
        CheckedFiles.syncDirectory(dir);
    }
}
