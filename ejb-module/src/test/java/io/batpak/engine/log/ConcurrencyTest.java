package io.batpak.engine.log;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventStore;
import io.batpak.engine.IndexEntry;
import io.batpak.engine.Region;
import io.batpak.engine.SequenceMismatchException;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import io.batpak.engine.VerifyResult;
import io.batpak.engine.index.StoreIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 16 appender threads (single appends, compare-and-swap appends retried on
 * {@link SequenceMismatchException}, small atomic batches, some of them conditional) over 50
 * entities, with reader threads running query / read / readEntity / get the whole time. Checks what
 * the single writer's group commit promises under contention: every acknowledged append is stored
 * exactly once with the global and entity sequence its receipt names, sequences have no gaps,
 * chains verify, readers never see half of an atomic batch nor an event change, and all of it
 * survives close and reopen.
 */
class ConcurrencyTest {
    private static final EventKind SINGLE = EventKind.of(0x1, 1);
    private static final EventKind CAS = EventKind.of(0x2, 1);
    private static final int BATCH_CATEGORY = 0xB;
    private static final int THREADS = 16;
    private static final int EVENTS_PER_THREAD = 2000;
    private static final int ENTITIES = 50;
    private static final int READERS = 4;

    @TempDir
    Path dir;

    /** Batch events carry their batch size and index in the kind, so an index-only query can check batch integrity. */
    private static EventKind batchKind(int size, int index) {
        return EventKind.of(BATCH_CATEGORY, size << 4 | index);
    }

    private static String entity(int i) {
        return "ent-" + i;
    }

    /** One acknowledged event as its writer saw it. */
    private record Written(AppendReceipt receipt, byte[] payload, long batch) {
    }

    @Test
    void pipelinedFsyncKeepsEveryInvariantUnderContention() throws Exception {
        // Small segments and few open reader files: rotations and channel evictions happen under the readers.
        run(StoreConfig.defaults(dir.resolve("every-commit")).withSegmentMaxBytes(256 * 1024).withReaderOpenFiles(3)
                .withCheckpointIntervalEvents(5000).withWriterQueueCapacity(256));
    }

    @Test
    void unsyncedGroupCommitKeepsEveryInvariantUnderContention() throws Exception {
        // A tiny queue: appenders block on back-pressure while readers run.
        run(StoreConfig.defaults(dir.resolve("never")).withSyncMode(SyncMode.NEVER).withSegmentMaxBytes(128 * 1024)
                .withReaderOpenFiles(2).withCheckpointIntervalEvents(3000).withWriterQueueCapacity(8));
    }

    private void run(StoreConfig config) throws Exception {
        List<Written> written = new ArrayList<>();
        AtomicLong casRetries = new AtomicLong();
        AtomicLong readerLoops = new AtomicLong();
        AtomicLong batchesChecked = new AtomicLong();
        long committed;
        long t0 = System.nanoTime();
        try (EventStore s = EventStore.open(config)) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + READERS);
            try {
                CountDownLatch start = new CountDownLatch(1);
                AtomicBoolean writing = new AtomicBoolean(true);
                List<Future<List<Written>>> writers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    final int thread = t;
                    writers.add(pool.submit(() -> {
                        start.await();
                        return write(s, thread, casRetries);
                    }));
                }
                List<Future<?>> readers = new ArrayList<>();
                for (int k = 0; k < READERS; k++) {
                    readers.add(pool.submit(() -> {
                        start.await();
                        read(s, writing, readerLoops, batchesChecked);
                        return null;
                    }));
                }
                start.countDown();
                try {
                    for (Future<List<Written>> w : writers) {
                        written.addAll(w.get(300, TimeUnit.SECONDS));
                    }
                } finally {
                    writing.set(false);
                }
                for (Future<?> r : readers) {
                    r.get(60, TimeUnit.SECONDS); // rethrows a reader's assertion
                }
            } finally {
                pool.shutdownNow();
            }
            committed = s.globalSequence();
            assertEquals(written.size(), committed, "globalSequence() must equal the number of acknowledged appends:"
                    + " an event was lost or stored twice — see LogWriter.commitGroup");
            checkAgainstReceipts(s, written, "while open");
        }
        long tWrite = System.nanoTime();
        try (EventStore again = EventStore.open(config.withSyncMode(SyncMode.NEVER))) {
            assertEquals(committed, again.globalSequence(), "close + reopen must keep every event — see CheckpointFile / LogRecovery");
            checkAgainstReceipts(again, written, "after close + reopen");
        }
        assertTrue(readerLoops.get() >= READERS * 5L, "readers ran only " + readerLoops.get() + " rounds while the"
                + " writers ran: the test did not exercise concurrent reads");
        assertTrue(batchesChecked.get() > 0, "readers never checked a batch while the writers ran");
        System.out.printf("ConcurrencyTest %s: %d events, %d CAS retries, %d reader rounds, %d batches checked by"
                        + " readers, %d ms writing, %d ms reopen+check%n", config.syncMode(), committed, casRetries.get(),
                readerLoops.get(), batchesChecked.get(), (tWrite - t0) / 1_000_000, (System.nanoTime() - tWrite) / 1_000_000);
    }

    /** One appender: a random mix of single, CAS (retried until it wins) and batch appends. */
    /** An entity lives in one scope: its name picks it, so single, CAS and batch writers share its chain. */
    private static String scopeOf(String entity) {
        return "s" + Math.floorMod(entity.hashCode(), 4);
    }

    private static List<Written> write(EventStore s, int thread, AtomicLong casRetries) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        List<Written> out = new ArrayList<>();
        for (int op = 0; out.size() < EVENTS_PER_THREAD; op++) {
            int choice = r.nextInt(8);
            String e = entity(r.nextInt(ENTITIES));
            if (choice < 4) {
                byte[] p = payload("single " + thread + ":" + op, r.nextInt(200));
                out.add(new Written(s.append(new Coordinate(e, scopeOf(e)), SINGLE, p), p, 0));
            } else if (choice < 6) {
                byte[] p = payload("cas " + thread + ":" + op, r.nextInt(100));
                while (true) {
                    long last = s.lastSequence(EntityQuery.of(e));
                    try {
                        AppendReceipt a = s.append(new AppendRequest(new Coordinate(e, scopeOf(e)), CAS, p,
                                AppendOptions.NONE.withExpectedSequence(last)));
                        assertEquals(last + 1, a.sequence(), "a CAS append expecting " + last + " on " + e
                                + " committed at another sequence — see LogWriter.validate");
                        out.add(new Written(a, p, 0));
                        break;
                    } catch (SequenceMismatchException lost) {
                        assertTrue(lost.actual() > last, "a CAS loser on " + e + " expected " + last + " but was told the"
                                + " entity is at " + lost.actual() + ", which is not newer — see LogWriter.validate");
                        casRetries.incrementAndGet();
                    }
                }
            } else {
                int size = 2 + r.nextInt(2);
                long batchId = (long) (thread + 1) << 32 | op;
                byte[] marker = payload("batch " + batchId, 8);
                boolean conditional = choice == 7;
                while (true) {
                    List<AppendRequest> reqs = new ArrayList<>();
                    long expectedFirst = -2;
                    for (int i = 0; i < size; i++) {
                        // Entities may repeat within a batch: they then get consecutive sequences.
                        String be = i == 0 ? e : entity(r.nextInt(ENTITIES));
                        AppendOptions o = AppendOptions.NONE;
                        if (i == 0 && conditional) {
                            expectedFirst = s.lastSequence(EntityQuery.of(be));
                            o = o.withExpectedSequence(expectedFirst);
                        }
                        reqs.add(new AppendRequest(new Coordinate(be, scopeOf(be)), batchKind(size, i), marker, o));
                    }
                    try {
                        List<AppendReceipt> receipts = s.appendBatch(reqs);
                        for (int i = 0; i < size; i++) {
                            assertEquals(receipts.get(0).globalSequence() + i, receipts.get(i).globalSequence(),
                                    "atomic batch " + batchId + " got non-consecutive global sequences — see LogWriter.stage");
                            out.add(new Written(receipts.get(i), marker, batchId));
                        }
                        if (conditional) {
                            assertEquals(expectedFirst + 1, receipts.get(0).sequence(), "conditional batch " + batchId);
                        }
                        break;
                    } catch (SequenceMismatchException lost) {
                        casRetries.incrementAndGet();
                    }
                }
            }
        }
        return out;
    }

    private static byte[] payload(String tag, int extra) {
        byte[] t = tag.getBytes(StandardCharsets.UTF_8);
        byte[] p = Arrays.copyOf(t, t.length + extra);
        for (int i = t.length; i < p.length; i++) {
            p[i] = (byte) (i * 7 + extra);
        }
        return p;
    }

    /**
     * One reader: until the writers finish, checks that what is visible is a gap-free prefix holding
     * only whole batches, that batch members read back with one shared marker, that entity reads are
     * consecutive and chained, and that events seen before read back unchanged.
     */
    private static void read(EventStore s, AtomicBoolean writing, AtomicLong loops, AtomicLong batchesChecked) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Map<UUID, byte[]> seenHashes = new HashMap<>();
        List<UUID> seenIds = new ArrayList<>();
        long previousTop = 0;
        while (writing.get()) {
            long top = s.globalSequence();
            assertTrue(top >= previousTop, "globalSequence() went back from " + previousTop + " to " + top);
            previousTop = top;
            long after = Math.max(0, top - 100);
            int limit = 100_000;
            List<IndexEntry> page = s.query(Region.all().withAfter(after).withLimit(limit));
            assertTrue(page.size() >= top - after, "query after " + after + " returned " + page.size() + " entries but"
                    + " globalSequence() was already " + top + " — see StoreIndex.query / publishUpTo");
            for (int i = 0; i < page.size(); i++) {
                assertEquals(after + i + 1, page.get(i).globalSequence(), "a query page has a global sequence gap or"
                        + " disorder at index " + i + " — see StoreIndex.query");
            }
            long visibleEnd = after + page.size();
            List<long[]> batchesInPage = new ArrayList<>();
            for (IndexEntry e : page) {
                if (e.kind().category() != BATCH_CATEGORY) {
                    continue;
                }
                int size = e.kind().type() >> 4;
                int index = e.kind().type() & 0xF;
                long first = e.globalSequence() - index;
                long lastOfBatch = first + size - 1;
                assertTrue(lastOfBatch <= visibleEnd, "a reader saw member " + index + " of an atomic batch of " + size
                        + " at gseq " + e.globalSequence() + " but the visible log ends at " + visibleEnd + ": a partial"
                        + " batch was published — see LogWriter.commitGroup / StoreIndex.publishUpTo");
                if (index == 0 && first > after) {
                    for (int k = 1; k < size; k++) {
                        IndexEntry m = page.get((int) (first + k - after - 1));
                        assertEquals(batchKind(size, k), m.kind(), "gseq " + m.globalSequence() + " should be member " + k
                                + " of the batch starting at gseq " + first + " — see LogWriter.stage (batches are contiguous)");
                    }
                    batchesInPage.add(new long[] {first, size});
                }
            }
            if (!batchesInPage.isEmpty()) {
                long[] b = batchesInPage.get(r.nextInt(batchesInPage.size()));
                List<StoredEvent> members = s.read(Region.all().withAfter(b[0] - 1).withLimit((int) b[1]));
                assertEquals(b[1], members.size(), "reading the batch at gseq " + b[0] + " by global range");
                for (StoredEvent m : members) {
                    assertArrayEquals(members.get(0).payload(), m.payload(), "members of the batch at gseq " + b[0]
                            + " carry different markers: the batch is not what was appended");
                    StoredEvent again = s.get(EventLookup.of(m.eventId())).orElseThrow(() -> new AssertionError("get() cannot find batch"
                            + " member " + m.eventId() + " that read() returned — see StoreIndex.find"));
                    assertEquals(m.globalSequence(), again.globalSequence(), "get() and read() disagree on " + m.eventId());
                }
                batchesChecked.incrementAndGet();
            }
            String e = entity(r.nextInt(ENTITIES));
            long last = s.lastSequence(EntityQuery.of(e));
            if (last >= 0) {
                long from = Math.max(0, last - 20);
                List<StoredEvent> chain = s.readEntity(EntityQuery.of(e).withFrom(from).withLimit(50));
                assertTrue(chain.size() >= last - from + 1, "readEntity(" + e + ", " + from + ") returned " + chain.size()
                        + " events but lastSequence was already " + last);
                for (int i = 0; i < chain.size(); i++) {
                    StoredEvent ev = chain.get(i);
                    assertEquals(e, ev.entity(), "readEntity(" + e + ") returned another entity's event");
                    assertEquals(from + i, ev.sequence(), "readEntity(" + e + ") skipped or repeated a sequence");
                    if (i > 0) {
                        assertArrayEquals(chain.get(i - 1).hash(), ev.prevHash(), "event " + e + "#" + ev.sequence()
                                + " does not link to its predecessor — see LogWriter.encode (chain head per group)");
                    }
                    if (seenHashes.putIfAbsent(ev.eventId(), ev.hash()) == null) {
                        seenIds.add(ev.eventId());
                    }
                }
            }
            for (int k = 0; k < 5 && !seenIds.isEmpty(); k++) {
                UUID id = seenIds.get(r.nextInt(seenIds.size()));
                StoredEvent ev = s.get(EventLookup.of(id)).orElseThrow(() -> new AssertionError("event " + id + " was readable before"
                        + " and is gone now — see StoreIndex.find"));
                assertArrayEquals(seenHashes.get(id), ev.hash(), "event " + id + " changed between two reads");
            }
            loops.incrementAndGet();
        }
    }

    /** Every receipt's event is stored exactly once, where and as the receipt says; sequences and chains hold. */
    private static void checkAgainstReceipts(EventStore s, List<Written> written, String when) {
        int n = written.size();
        Written[] byGseq = new Written[n + 1];
        Map<String, List<Long>> seqs = new HashMap<>();
        Map<Long, List<Written>> batches = new HashMap<>();
        for (Written w : written) {
            long g = w.receipt().globalSequence();
            assertTrue(g >= 1 && g <= n, when + ": receipt with global sequence " + g + " outside 1.." + n);
            assertTrue(byGseq[(int) g] == null, when + ": global sequence " + g + " was handed out twice — see"
                    + " LogWriter.encode");
            byGseq[(int) g] = w;
            seqs.computeIfAbsent(w.receipt().coordinate().entity(), k -> new ArrayList<>()).add(w.receipt().sequence());
            if (w.batch() != 0) {
                batches.computeIfAbsent(w.batch(), k -> new ArrayList<>()).add(w);
            }
        }
        List<IndexEntry> all = s.query(Region.all().withLimit(n + 1));
        assertEquals(n, all.size(), when + ": query(all) returned another number of events than were acknowledged");
        for (int i = 0; i < n; i++) {
            IndexEntry e = all.get(i);
            Written w = byGseq[i + 1];
            assertEquals(i + 1L, e.globalSequence(), when + ": global sequences are not 1..N without gaps");
            assertEquals(w.receipt().eventId(), e.eventId(), when + ": gseq " + (i + 1) + " holds another event than"
                    + " its receipt named — see StoreIndex.add");
            assertEquals(w.receipt().sequence(), e.sequence(), when + ": entity sequence of gseq " + (i + 1));
            assertEquals(w.receipt().coordinate(), e.coordinate(), when + ": coordinate of gseq " + (i + 1));
            StoredEvent ev = s.get(EventLookup.of(w.receipt().eventId())).orElseThrow(() -> new AssertionError(when + ": get() cannot"
                    + " find acknowledged event gseq " + w.receipt().globalSequence()));
            assertArrayEquals(w.payload(), ev.payload(), when + ": payload of gseq " + (i + 1));
            assertArrayEquals(w.receipt().hash(), ev.hash(), when + ": hash of gseq " + (i + 1));
        }
        assertEquals(ENTITIES, seqs.size(), when + ": fixture should touch every entity");
        for (Map.Entry<String, List<Long>> en : seqs.entrySet()) {
            List<Long> got = en.getValue().stream().sorted().toList();
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i, got.get(i), when + ": entity " + en.getKey() + " has sequences " + got.subList(0,
                        Math.min(got.size(), i + 2)) + "… — a gap or a duplicate — see LogWriter.encode / validate");
            }
            assertEquals(got.size() - 1L, s.lastSequence(EntityQuery.of(en.getKey())), when + ": lastSequence(" + en.getKey() + ")");
            VerifyResult v = s.verify(EntityQuery.of(en.getKey()));
            assertTrue(v.valid(), when + ": verify(" + en.getKey() + ") fails at sequence " + v.firstInvalidSequence()
                    + " — see LogWriter.encode (prevHash of the group's overlay)");
            assertEquals(got.size(), v.events(), when + ": verify(" + en.getKey() + ") checked the wrong number of events");
            assertEquals(got.size(), s.readEntity(EntityQuery.of(en.getKey()).withLimit(Integer.MAX_VALUE)).size(), when + ": readEntity(" + en.getKey() + ")");
        }
        for (Map.Entry<Long, List<Written>> b : batches.entrySet()) {
            List<Long> g = b.getValue().stream().map(w -> w.receipt().globalSequence()).sorted().toList();
            assertEquals(g.get(0) + g.size() - 1, g.get(g.size() - 1), when + ": batch " + b.getKey()
                    + " is not contiguous in the log: " + g);
        }
    }
}
