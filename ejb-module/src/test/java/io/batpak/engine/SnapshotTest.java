package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EventStore.snapshot: a consistent, openable copy taken while appends go on. */
class SnapshotTest {
    private static final EventKind KIND = EventKind.of(0xF, 3);

    @TempDir
    Path dir;
    @TempDir
    Path out;
    private final List<EventStore> open = new ArrayList<>();

    private EventStore open(StoreConfig c) {
        EventStore s = EventStore.open(c);
        open.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        open.forEach(EventStore::close);
    }

    private static byte[] payload(int thread, int n) {
        return ("t" + thread + "-n" + n + "-" + "x".repeat(n % 50)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aSnapshotTakenDuringAppendsHoldsExactlyAPrefixOfTheLog() throws Exception {
        EventStore s = open(StoreConfig.defaults(dir).withSegmentMaxBytes(8192));
        int threads = 4;
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers.add(pool.submit(() -> {
                int n = 0;
                while (!stop.get() || n < 200) {
                    if (n % 7 == 0) {
                        s.appendBatch(List.of(new AppendRequest(new Coordinate("w" + thread, "s"), KIND, payload(thread, n)),
                                new AppendRequest(new Coordinate("b" + thread, "s"), KIND, payload(thread, n + 1))));
                        n += 2;
                    } else {
                        s.append(new Coordinate("w" + thread, "s"), KIND, payload(thread, n++));
                    }
                }
                return n;
            }));
        }
        List<SnapshotInfo> infos = new ArrayList<>();
        List<Long> before = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            while (s.globalSequence() < 150L * (k + 1)) {
                Thread.onSpinWait();
            }
            before.add(s.globalSequence());
            infos.add(s.snapshot(out.resolve("snap-" + k)));
        }
        stop.set(true);
        for (Future<Integer> f : writers) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(infos.get(2).segments() > 1, "fixture: the snapshots span several segments");
        for (int k = 0; k < infos.size(); k++) {
            SnapshotInfo info = infos.get(k);
            assertTrue(info.globalSequence() >= before.get(k),
                    "snapshot " + k + " must hold every event committed before it was asked for");
            assertTrue(info.globalSequence() < s.globalSequence(), "fixture: appends went on after snapshot " + k);
            EventStore copy = open(StoreConfig.defaults(info.directory()));
            assertEquals(info.globalSequence(), copy.globalSequence(),
                    "snapshot " + k + " opens with exactly the events up to its reported global sequence");
            List<StoredEvent> copied = copy.read(Region.all().withLimit(Integer.MAX_VALUE));
            List<StoredEvent> original = s.read(Region.all().withLimit((int) info.globalSequence()));
            assertEquals(original.size(), copied.size());
            for (int i = 0; i < copied.size(); i++) {
                StoredEvent a = original.get(i);
                StoredEvent b = copied.get(i);
                assertEquals(a.eventId(), b.eventId(), "snapshot " + k + " event " + (i + 1) + " is another event");
                assertArrayEquals(a.hash(), b.hash(), "snapshot " + k + " event " + (i + 1) + " differs");
                assertArrayEquals(a.payload(), b.payload());
            }
            for (int t = 0; t < threads; t++) {
                assertTrue(copy.verify(EntityQuery.of("w" + t)).valid(), "snapshot " + k + ": chain of w" + t + " verifies");
                assertTrue(copy.verify(EntityQuery.of("b" + t)).valid(), "snapshot " + k + ": chain of b" + t + " verifies");
            }
            copy.append(new Coordinate("after-snapshot", "s"), KIND, new byte[] {1});
            assertEquals(info.globalSequence() + 1, copy.globalSequence(), "a snapshot is a working store");
        }
    }

    @Test
    void aSnapshotOfAnEmptyStoreOpensEmpty() {
        EventStore s = open(StoreConfig.defaults(dir));
        SnapshotInfo info = s.snapshot(out.resolve("empty"));
        assertEquals(0, info.globalSequence());
        assertEquals(0, open(StoreConfig.defaults(info.directory())).globalSequence());
    }

    @Test
    void theTargetMustBeNewOrEmptyAndOutsideTheStore() throws Exception {
        EventStore s = open(StoreConfig.defaults(dir));
        s.append(new Coordinate("e", "s"), KIND, new byte[] {1});
        Path busy = Files.createDirectories(out.resolve("busy"));
        Files.writeString(busy.resolve("other.txt"), "not mine");
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class, () -> s.snapshot(busy)).code(),
                "a non-empty target is refused");
        assertEquals("not mine", Files.readString(busy.resolve("other.txt")), "a refused target is left alone");
        assertEquals(ErrorCode.INVALID_REQUEST,
                assertThrows(StoreException.class, () -> s.snapshot(dir.resolve("inside"))).code(),
                "a target inside the data directory is refused");
        Path empty = Files.createDirectories(out.resolve("empty-dir"));
        assertEquals(1, s.snapshot(empty).globalSequence(), "an existing empty directory is accepted");
        s.close();
        assertEquals(ErrorCode.UNAVAILABLE,
                assertThrows(StoreException.class, () -> s.snapshot(out.resolve("late"))).code());
    }
}
