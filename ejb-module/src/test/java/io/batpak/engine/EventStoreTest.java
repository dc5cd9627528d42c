package io.batpak.engine;

import io.batpak.engine.log.CheckpointFile;
import io.batpak.engine.log.SegmentFiles;
import io.batpak.engine.log.SegmentHeader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per rule of the engine's public contract (see EventStore's javadoc). */
class EventStoreTest {
    private static final EventKind MOVED = EventKind.of(0xF, 1);
    private static final EventKind HIT = EventKind.of(0xF, 2);

    @TempDir
    Path dir;
    @TempDir
    Path spare;
    private final List<EventStore> open = new ArrayList<>();

    private EventStore open(StoreConfig c) {
        EventStore s = EventStore.open(c);
        open.add(s);
        return s;
    }

    private EventStore open() {
        return open(StoreConfig.defaults(dir));
    }

    private EventStore reopen(EventStore s) {
        s.close();
        return open(s.config());
    }

    @AfterEach
    void closeAll() {
        open.forEach(EventStore::close);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Coordinate at(String entity) {
        return new Coordinate(entity, "scope-a");
    }

    @Test
    void coordinatesRejectEmptyLongAndControlCharacters() {
        assertEquals(ErrorCode.INVALID_COORDINATE, assertThrows(StoreException.class, () -> new Coordinate("", "s")).code());
        assertEquals(ErrorCode.INVALID_COORDINATE, assertThrows(StoreException.class, () -> new Coordinate("e", "")).code());
        assertThrows(StoreException.class, () -> new Coordinate("a\nb", "s"));
        assertThrows(StoreException.class, () -> new Coordinate("e", "s\u0000"));
        assertThrows(StoreException.class, () -> new Coordinate("x".repeat(1025), "s"));
        assertThrows(StoreException.class, () -> new Coordinate("é".repeat(513), "s"), "1026 UTF-8 bytes");
        assertEquals("é".repeat(512), new Coordinate("é".repeat(512), "s").entity(), "exactly 1024 UTF-8 bytes is allowed");
        assertThrows(StoreException.class, () -> new Coordinate("\uD800x", "s"), "unpaired surrogate");
    }

    @Test
    void kindsHaveCategoriesAndReservedOnesAreRefused() {
        EventStore s = open();
        assertEquals(0xF, MOVED.category());
        assertEquals(1, MOVED.type());
        assertThrows(StoreException.class, () -> new EventKind(0x10000));
        for (int reserved : new int[] {0x0001, 0xD004}) {
            StoreException e = assertThrows(StoreException.class, () -> s.append(at("e"), new EventKind(reserved), bytes("x")));
            assertEquals(ErrorCode.RESERVED_KIND, e.code());
        }
        assertEquals(0, s.globalSequence(), "a refused append stored nothing");
    }

    @Test
    void appendsGetGapFreeSequencesAndChainedHashes() {
        EventStore s = open();
        AppendReceipt a = s.append(at("e1"), MOVED, bytes("a"));
        AppendReceipt b = s.append(at("e2"), MOVED, bytes("b"));
        AppendReceipt c = s.append(at("e1"), HIT, bytes("c"));
        assertEquals(List.of(0L, 0L, 1L), List.of(a.sequence(), b.sequence(), c.sequence()));
        assertEquals(List.of(1L, 2L, 3L), List.of(a.globalSequence(), b.globalSequence(), c.globalSequence()));
        StoredEvent first = s.get(EventLookup.of(a.eventId())).orElseThrow();
        StoredEvent third = s.get(EventLookup.of(c.eventId())).orElseThrow();
        assertArrayEquals(new byte[32], first.prevHash(), "sequence 0 links to the zero hash");
        assertArrayEquals(first.hash(), third.prevHash(), "sequence 1 links to sequence 0");
        assertArrayEquals(c.hash(), third.hash());
        assertEquals(7, UUID.fromString(a.eventId().toString()).version(), "event ids are UUIDv7");
        assertEquals(a.eventId(), first.correlationId(), "a root event is self-correlated");
        assertNull(first.causationId());
        assertArrayEquals(bytes("c"), third.payload());
        assertTrue(s.verify(EntityQuery.of("e1")).valid());
    }

    @Test
    void reactionsCarryCorrelationAndCausation() {
        EventStore s = open();
        AppendReceipt cause = s.append(at("order-1"), MOVED, bytes("created"));
        UUID corr = UUID.randomUUID();
        AppendReceipt effect = s.appendReaction(at("invoice-1"), HIT, bytes("issued"), corr, cause.eventId());
        StoredEvent e = s.get(EventLookup.of(effect.eventId())).orElseThrow();
        assertEquals(corr, e.correlationId());
        assertEquals(cause.eventId(), e.causationId());
    }

    @Test
    void compareAndSwapChecksTheLastSequence() {
        EventStore s = open();
        AppendOptions none = AppendOptions.NONE.withExpectedSequence(AppendOptions.NO_EVENTS);
        s.append(new AppendRequest(at("e"), MOVED, bytes("0"), none));
        SequenceMismatchException again = assertThrows(SequenceMismatchException.class,
                () -> s.append(new AppendRequest(at("e"), MOVED, bytes("0"), none)));
        assertEquals(-1, again.expected());
        assertEquals(0, again.actual());
        s.append(new AppendRequest(at("e"), MOVED, bytes("1"), AppendOptions.NONE.withExpectedSequence(0)));
        SequenceMismatchException stale = assertThrows(SequenceMismatchException.class,
                () -> s.append(new AppendRequest(at("e"), MOVED, bytes("x"), AppendOptions.NONE.withExpectedSequence(0))));
        assertEquals(1, stale.actual());
        assertEquals(ErrorCode.SEQUENCE_MISMATCH, stale.code());
        assertEquals(1, s.lastSequence(EntityQuery.of("e")));
        assertEquals(-1, s.lastSequence(EntityQuery.of("nobody")));
        assertEquals(2, s.globalSequence(), "failed CAS appends stored nothing");
    }

    @Test
    void idempotentRepeatReturnsTheOriginalReceiptAlsoAfterRestart() {
        EventStore s = open();
        AppendRequest req = new AppendRequest(at("e"), MOVED, bytes("pay"), AppendOptions.NONE.withIdempotencyKey("k-1"));
        AppendReceipt first = s.append(req);
        AppendReceipt repeat = s.append(req);
        assertFalse(first.replayed());
        assertTrue(repeat.replayed());
        assertEquals(first.eventId(), repeat.eventId());
        assertArrayEquals(first.hash(), repeat.hash());
        assertEquals(1, s.globalSequence(), "a repeat appends nothing");
        StoreException reused = assertThrows(StoreException.class, () -> s.append(
                new AppendRequest(at("e"), MOVED, bytes("other"), AppendOptions.NONE.withIdempotencyKey("k-1"))));
        assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, reused.code());

        EventStore after = reopen(s);
        AppendReceipt replayed = after.append(req);
        assertTrue(replayed.replayed(), "idempotency survives a restart (checkpoint path)");
        assertEquals(first.globalSequence(), replayed.globalSequence());
        after.close();
        assertTrue(Files.exists(CheckpointFile.path(dir)));
        try {
            Files.delete(CheckpointFile.path(dir));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        EventStore rebuilt = open();
        assertTrue(rebuilt.append(req).replayed(), "idempotency survives a restart (full scan path)");
        assertEquals(1, rebuilt.globalSequence());
    }

    @Test
    void atomicBatchCommitsAllOrNothing() {
        EventStore s = open();
        s.append(at("a"), MOVED, bytes("a0"));
        List<AppendRequest> batch = List.of(
                new AppendRequest(at("a"), MOVED, bytes("a1"), AppendOptions.NONE.withExpectedSequence(0)),
                new AppendRequest(at("b"), MOVED, bytes("b0"), AppendOptions.NONE.withExpectedSequence(-1)),
                new AppendRequest(at("a"), HIT, bytes("a2")));
        List<AppendReceipt> r = s.appendBatch(batch);
        assertEquals(List.of(1L, 0L, 2L), r.stream().map(AppendReceipt::sequence).toList(),
                "events of one entity in a batch take consecutive sequences");
        assertEquals(List.of(2L, 3L, 4L), r.stream().map(AppendReceipt::globalSequence).toList());

        List<AppendRequest> failing = List.of(
                new AppendRequest(at("c"), MOVED, bytes("c0")),
                new AppendRequest(at("a"), MOVED, bytes("stale"), AppendOptions.NONE.withExpectedSequence(0)));
        assertThrows(SequenceMismatchException.class, () -> s.appendBatch(failing));
        assertEquals(4, s.globalSequence(), "a failed batch stores nothing");
        assertEquals(-1, s.lastSequence(EntityQuery.of("c")), "the batch's first event was not stored either");
        assertEquals(5, s.append(at("c"), MOVED, bytes("c0")).globalSequence(), "no gap after a failed batch");
        assertThrows(StoreException.class, () -> s.appendBatch(List.of()));
    }

    @Test
    void payloadLimitIsEnforced() {
        EventStore s = open(StoreConfig.defaults(dir).withMaxPayloadBytes(100));
        StoreException e = assertThrows(StoreException.class, () -> s.append(at("e"), MOVED, new byte[101]));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        s.append(at("e"), MOVED, new byte[100]);
        assertEquals(1, s.globalSequence());
    }

    @Test
    void queriesFilterByRegionInGlobalOrder() {
        EventStore s = open();
        s.append(new Coordinate("player:alice", "room:1"), MOVED, bytes("1"));
        s.append(new Coordinate("player:bob", "room:2"), MOVED, bytes("2"));
        s.append(new Coordinate("npc:orc", "room:1"), HIT, bytes("3"));
        s.append(new Coordinate("player:alice", "room:2"), new EventKind(0x1001), bytes("4"));
        s.append(new Coordinate("player:alice", "room:1"), HIT, bytes("5"));
        assertEquals(List.of(1L, 2L, 4L, 5L), gseqs(s.query(Region.all().withEntityPrefix("player:"))));
        assertEquals(List.of(1L, 3L, 5L), gseqs(s.query(Region.all().withScope("room:1"))));
        assertEquals(List.of(3L, 5L), gseqs(s.query(Region.all().withKind(HIT.value()))));
        assertEquals(List.of(1L, 2L, 3L, 5L), gseqs(s.query(Region.all().withCategory(0xF))));
        assertEquals(List.of(4L), gseqs(s.query(Region.all().withCategory(0x1))));
        assertEquals(List.of(4L, 5L), gseqs(s.query(Region.all().withAfter(3))));
        assertEquals(List.of(1L, 2L), gseqs(s.query(Region.all().withLimit(2))));
        // player:alice in room:1 and in room:2 are two entities: only the room:1 one has a sequence 1.
        assertEquals(List.of(5L), gseqs(s.query(Region.all().withEntityPrefix("player:alice").withSequenceRange(1, 2))));
        assertEquals(List.of(5L), gseqs(s.query(Region.all().withScope("room:1").withEntityPrefix("player:").withKind(HIT.value()))));
        assertEquals(List.of(), gseqs(s.query(Region.all().withScope("room:9"))));
        assertEquals(List.of("1", "3", "5"), s.read(Region.all().withScope("room:1")).stream()
                .map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList());
        assertThrows(StoreException.class, () -> Region.all().withLimit(0));
        assertThrows(StoreException.class, () -> Region.all().withCategory(16));
    }

    private static List<Long> gseqs(List<IndexEntry> entries) {
        return entries.stream().map(IndexEntry::globalSequence).toList();
    }

    @Test
    void entityReadsAncestorsAndVerify() {
        EventStore s = open();
        List<AppendReceipt> r = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            r.add(s.append(at("e"), MOVED, bytes("p" + i)));
            s.append(at("other"), MOVED, bytes("o" + i));
        }
        List<StoredEvent> page = s.readEntity(EntityQuery.of("e").withFrom(3).withLimit(4));
        assertEquals(List.of(3L, 4L, 5L, 6L), page.stream().map(StoredEvent::sequence).toList());
        assertEquals(List.of(), s.readEntity(EntityQuery.of("e").withFrom(10).withLimit(5)));
        assertEquals(List.of(), s.readEntity(EntityQuery.of("missing").withLimit(5)));
        List<StoredEvent> anc = s.ancestors(EventLookup.of(r.get(5).eventId()), 3);
        assertEquals(List.of(4L, 3L, 2L), anc.stream().map(StoredEvent::sequence).toList(), "parent first");
        assertEquals(List.of(), s.ancestors(EventLookup.of(r.get(0).eventId()), 3));
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class,
                () -> s.ancestors(EventLookup.of(UUID.randomUUID()), 3)).code());
        VerifyResult v = s.verify(EntityQuery.of("e"));
        assertEquals(new VerifyResult("e", 10, true, -1), v);
        assertTrue(s.get(EventLookup.of(UUID.randomUUID())).isEmpty());
    }

    @Test
    void segmentsRotateAndEverythingSurvivesReopen() {
        EventStore s = open(StoreConfig.defaults(dir).withSegmentMaxBytes(4096));
        List<AppendReceipt> r = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            r.add(s.append(at("e" + i % 7), MOVED, new byte[100]));
        }
        assertTrue(s.stats(ScopeGrants.ALL).segments() > 3, "200 events of ~300 bytes must span several 4 KiB segments");
        EventStore again = reopen(s);
        assertEquals(200, again.globalSequence());
        for (AppendReceipt a : r) {
            assertEquals(a.sequence(), again.get(EventLookup.of(a.eventId())).orElseThrow().sequence());
        }
        for (int i = 0; i < 7; i++) {
            assertTrue(again.verify(EntityQuery.of("e" + i)).valid(), "chain of e" + i);
        }
        assertEquals(201, again.append(at("e0"), MOVED, bytes("next")).globalSequence());
    }

    @Test
    void syncModesAllCommitAndCloseDrainsTheQueue() throws Exception {
        for (SyncMode mode : SyncMode.values()) {
            Path d = Files.createDirectory(dir.resolve(mode.name()));
            EventStore s = EventStore.open(StoreConfig.defaults(d).withSyncMode(mode).withSyncIntervalMs(5));
            List<java.util.concurrent.CompletableFuture<List<AppendReceipt>>> pending = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                pending.add(s.appendAsync(new AppendRequest(at("e"), MOVED, bytes("x" + i))));
            }
            s.close();
            for (var f : pending) {
                assertTrue(f.isDone() && !f.isCompletedExceptionally(), mode + ": close must drain queued appends");
            }
            try (EventStore again = EventStore.open(StoreConfig.defaults(d))) {
                assertEquals(500, again.globalSequence(), mode + ": every acknowledged event is on disk after close");
            }
        }
        assertEquals(SyncMode.INTERVAL, SyncMode.parse("interval"));
        assertThrows(StoreException.class, () -> SyncMode.parse("sometimes"));
    }

    @Test
    void closedStoreRefusesWorkAndTheDirectoryIsLocked() {
        EventStore s = open();
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(StoreException.class, () -> EventStore.open(StoreConfig.defaults(dir))).code(),
                "a second store on the same directory is refused");
        s.close();
        s.close();
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(StoreException.class, () -> s.append(at("e"), MOVED, bytes("x"))).code());
        assertFalse(s.isWritable());
    }

    @Test
    void writerRunsOnTheGivenExecutor() throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            EventStore s = open(StoreConfig.defaults(dir).withWriterExecutor(ex));
            s.append(at("e"), MOVED, bytes("x"));
            s.close();
            ex.shutdown();
            assertTrue(ex.awaitTermination(5, TimeUnit.SECONDS), "the writer and sync loops end when the store closes");
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void statsCountEventsEntitiesAndFsyncs() {
        EventStore s = open();
        s.append(new Coordinate("a", "s1"), MOVED, bytes("1"));
        s.append(new Coordinate("b", "s2"), MOVED, bytes("2"));
        s.sync();
        StoreStats st = s.stats(ScopeGrants.ALL);
        assertEquals(2, st.events());
        assertEquals(2, st.entities());
        assertEquals(2, st.scopes());
        assertEquals(1, st.segments());
        assertTrue(st.fsyncs() >= 3, "two commits and one sync() each fsync: " + st);
        assertTrue(st.bytes() > SegmentHeader.SIZE);
    }

    @Test
    void checkpointLetsReopenSkipTheCoveredLog() throws Exception {
        EventStore s = open();
        for (int i = 0; i < 50; i++) {
            s.append(at("e" + i % 3), MOVED, bytes("x" + i));
        }
        s.checkpoint();
        for (int i = 0; i < 10; i++) {
            s.append(at("e" + i % 3), HIT, bytes("y" + i));
        }
        s.sync();
        // Copy the directory while open: the checkpoint covers 50 events, the log holds 60.
        Path copy = spare.resolve("copy");
        copyTree(dir, copy);
        Files.deleteIfExists(copy.resolve("LOCK"));
        try (EventStore c = EventStore.open(StoreConfig.defaults(copy))) {
            assertEquals(60, c.globalSequence());
            for (int i = 0; i < 3; i++) {
                assertTrue(c.verify(EntityQuery.of("e" + i)).valid());
            }
            assertEquals(61, c.append(at("e0"), MOVED, bytes("z")).globalSequence());
        }
    }

    @Test
    void checkpointBeyondTheEndOfTheLogIsDiscarded() throws Exception {
        EventStore s = open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        for (int i = 0; i < 20; i++) {
            s.append(at("e"), MOVED, bytes("x" + i));
        }
        s.close();
        // Simulate a power loss that kept the checkpoint but not the log's last bytes.
        Path seg = SegmentFiles.path(dir, 1);
        long size = Files.size(seg);
        try (var ch = java.nio.channels.FileChannel.open(seg, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size - 10);
        }
        EventStore again = open();
        assertEquals(19, again.globalSequence(), "the index is rebuilt from the log, not trusted from the checkpoint");
        assertTrue(again.verify(EntityQuery.of("e")).valid());
        assertEquals(20, again.append(at("e"), MOVED, bytes("next")).globalSequence());
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
