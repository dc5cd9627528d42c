package io.batpak.engine.log;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers over many more segments than the reader keeps open: every read must succeed, because a
 * channel evicted while another reader uses it closes only when that read ends. (CI once met
 * "segment 34 keeps closing under reads" when eviction closed channels in use.)
 */
class SegmentReaderTest {
    private static final int EVENTS = 3000;
    private static final int READERS = 8;

    @Test
    void evictionNeverFailsAConcurrentRead(@TempDir Path dir) throws Exception {
        StoreConfig config = StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER).withSegmentMaxBytes(16 * 1024)
                .withReaderOpenFiles(1);
        try (EventStore s = EventStore.open(config)) {
            for (int i = 0; i < EVENTS; i++) {
                s.append(new Coordinate("e" + (i % 7), "t"), EventKind.of(0x1, 1), payload(i));
            }
        }
        long segments;
        try (Stream<Path> files = Files.list(SegmentFiles.dir(dir))) {
            segments = files.count();
        }
        assertTrue(segments > 20, "the test needs many segments per open channel, got " + segments);
        try (EventStore s = EventStore.open(config)) {
            ExecutorService pool = Executors.newFixedThreadPool(READERS);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> readers = new ArrayList<>();
                for (int r = 0; r < READERS; r++) {
                    readers.add(pool.submit(() -> {
                        start.await();
                        for (int round = 0; round < 3; round++) {
                            List<StoredEvent> all = s.read(Region.all().withLimit(EVENTS));
                            assertEquals(EVENTS, all.size(), "a concurrent full read lost events");
                            for (int i = 0; i < EVENTS; i++) {
                                assertArrayEquals(payload(i), all.get(i).payload(), "event " + i + " read wrongly");
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : readers) {
                    f.get(120, TimeUnit.SECONDS); // rethrows a reader's StoreException or assertion
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static byte[] payload(int i) {
        return ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }
}
