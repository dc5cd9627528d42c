package io.batpak.engine;

import io.batpak.engine.gate.GateSet;
import io.batpak.engine.gate.Receipt;
import io.batpak.engine.index.EntityState;
import io.batpak.engine.index.GrantedReads;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.log.CheckpointFile;
import io.batpak.engine.log.DataDirLock;
import io.batpak.engine.log.EventHasher;
import io.batpak.engine.log.LogRecord;
import io.batpak.engine.log.LogRecovery;
import io.batpak.engine.log.LogWriter;
import io.batpak.engine.log.Maintenance;
import io.batpak.engine.log.RequestFingerprint;
import io.batpak.engine.log.SegmentFiles;
import io.batpak.engine.log.SegmentReader;
import io.batpak.engine.log.WriterCommand;
import io.batpak.engine.projection.Transition;
import io.batpak.engine.subscription.FilteredScan;
import io.batpak.engine.subscription.RecentEvents;
import io.batpak.engine.subscription.SubscriptionHub;
import io.batpak.engine.util.Completions;
import io.batpak.engine.util.HybridClock;
import io.batpak.engine.util.UuidV7;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;

/**
 * A coordinate-addressed, append-only event log on local disk: the engine's public entry point.
 *
 * <p>Guarantees: an append that returns a receipt is durable under the configured
 * {@link SyncMode} (by default fsynced before the receipt is returned) and is never altered
 * afterwards; each entity's events carry gap-free sequences 0, 1, 2, … linked by a BLAKE3 hash
 * chain; global sequences 1, 2, 3, … have no gaps among committed events; an atomic batch commits
 * every event or none; readers never see a partial batch. Failures are {@link StoreException}s with
 * a stable {@link ErrorCode}.
 *
 * <p>Threading: every method is thread-safe. Appends from any number of threads are funnelled to
 * one writer thread and committed in groups; reads go to the in-memory index and positional file
 * reads and never wait for the writer. {@link #close()} drains queued appends, fsyncs and writes a
 * checkpoint.
 */
public final class EventStore implements AutoCloseable {
    private static final Logger LOG = System.getLogger(EventStore.class.getName());
    /** Largest number of events in one atomic batch. */
    public static final int MAX_BATCH_EVENTS = 100_000;

    private final StoreConfig config;
    private final StoreIndex index;
    private final SegmentReader reader;
    private final LogWriter writer;
    private final DataDirLock lock;
    private final SubscriptionHub hub;
    private final Maintenance maintenance;
    private volatile boolean closed;

    private EventStore(StoreConfig config, StoreIndex index, SegmentReader reader, LogWriter writer, DataDirLock lock) {
        this.config = config;
        this.index = index;
        this.reader = reader;
        this.writer = writer;
        this.lock = lock;
        RecentEvents recent = new RecentEvents(this::read);
        this.hub = new SubscriptionHub(new FilteredScan(index, recent), recent);
        writer.attachHub(hub);
        this.maintenance = new Maintenance(config, index, reader, writer);
    }

    /**
     * Opens (creating if needed) the store in {@code config.dataDir()}: loads the checkpoint if one
     * is valid, scans the log after it, truncates a torn tail, and starts the writer. Fails with a
     * {@link CorruptLogException} naming file and offset if committed data is damaged.
     */
    public static EventStore open(StoreConfig config) {
        Path dir = config.dataDir();
        try {
            Files.createDirectories(SegmentFiles.dir(dir));
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
        DataDirLock lock = DataDirLock.acquire(dir);
        try {
            long t0 = System.nanoTime();
            StoreIndex index = new StoreIndex();
            HybridClock clock = new HybridClock(config.wallClockMs());
            CheckpointFile.Covered covered = CheckpointFile.load(dir, index, clock);
            LogRecovery.End end;
            if (covered != null) {
                try {
                    end = new LogRecovery(dir, index, clock).scan(covered.segmentId(), covered.offset());
                } catch (CorruptLogException e) {
                    LOG.log(Level.WARNING, "log after the checkpoint does not continue it ({0}); rebuilding from the"
                            + " beginning", e.getMessage());
                    index = new StoreIndex();
                    clock = new HybridClock(config.wallClockMs());
                    end = new LogRecovery(dir, index, clock).scan(0, 0);
                }
            } else {
                // A checkpoint that failed a check may have filled part of the index (and the clock)
                // before failing: rebuild from fresh ones, as CheckpointFile.load requires.
                index = new StoreIndex();
                clock = new HybridClock(config.wallClockMs());
                end = new LogRecovery(dir, index, clock).scan(0, 0);
            }
            LOG.log(Level.INFO, "opened {0}: {1} events in {2} segments in {3} ms (checkpoint {4})", dir, index.count(),
                    end.segments(), (System.nanoTime() - t0) / 1_000_000, covered == null ? "none" : "used");
            SegmentReader reader = new SegmentReader(dir, config.readerOpenFiles());
            LogWriter writer;
            try {
                writer = new LogWriter(config, index, clock, end);
            } catch (IOException e) {
                reader.close();
                throw new StoreException(ErrorCode.UNAVAILABLE, "cannot open the log for writing: " + e.getMessage(), e);
            }
            writer.attachReader(reader);
            Executor executor = config.writerExecutor();
            if (executor == null) {
                Thread sync = new Thread(writer.syncStage(), "batpak-sync");
                sync.setDaemon(true);
                sync.start();
                Thread t = new Thread(writer, "batpak-writer");
                t.setDaemon(false);
                t.start();
            } else {
                executor.execute(writer.syncStage());
                executor.execute(writer);
            }
            return new EventStore(config, index, reader, writer, lock);
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }

    // ---- append ----

    /** Appends one event as a root cause, self-correlated. */
    public AppendReceipt append(Coordinate coordinate, EventKind kind, byte[] payload) {
        return append(new AppendRequest(coordinate, kind, payload));
    }

    /** Appends one event caused by another: {@code correlationId} groups the workflow, {@code causationId} is the direct cause. */
    public AppendReceipt appendReaction(Coordinate coordinate, EventKind kind, byte[] payload, UUID correlationId,
                                        UUID causationId) {
        return append(new AppendRequest(coordinate, kind, payload,
                AppendOptions.NONE.withCorrelation(correlationId, causationId)));
    }

    /** Appends a state machine move: its edge's kind and its payload, conditional if it expects a sequence. */
    public AppendReceipt apply(Coordinate coordinate, Transition<?, ?> transition) {
        return append(transition.toRequest(coordinate));
    }

    /** Appends one event with its options (CAS, idempotency key, links). */
    public AppendReceipt append(AppendRequest request) {
        return await(appendAsync(request)).get(0);
    }

    /**
     * Appends every event or none. Each may carry its own expected sequence and idempotency key; a
     * batch with keys is idempotent as a whole: repeating it returns the original receipts, and a
     * batch that repeats some used keys but not all is {@code IDEMPOTENCY_KEY_REUSED}.
     */
    public List<AppendReceipt> appendBatch(List<AppendRequest> requests) {
        return await(appendBatchAsync(requests));
    }

    /** Like {@link #append(AppendRequest)}, answered through a future completed on the writer thread. */
    public CompletableFuture<List<AppendReceipt>> appendAsync(AppendRequest request) {
        return submit(List.of(request), false);
    }

    /** Like {@link #appendBatch(List)}, answered through a future completed on the writer thread. */
    public CompletableFuture<List<AppendReceipt>> appendBatchAsync(List<AppendRequest> requests) {
        if (requests.isEmpty() || requests.size() > MAX_BATCH_EVENTS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "a batch holds 1.." + MAX_BATCH_EVENTS + " events, this one " + requests.size());
        }
        return submit(List.copyOf(requests), true);
    }

    /**
     * Appends the requests a {@link GateSet} approved (or bypassed): one request as a single append
     * (its idempotency key applies), several as one atomic batch. Consumes the receipt on this first
     * call, whatever the outcome; a second use fails with {@link ErrorCode#RECEIPT_CONSUMED}. A bypass
     * reason is stored with every event. A closed store refuses before consuming the receipt.
     */
    public List<AppendReceipt> append(Receipt receipt) {
        return await(appendAsync(receipt));
    }

    /** Like {@link #append(Receipt)}, answered through a future completed on the writer thread. */
    public CompletableFuture<List<AppendReceipt>> appendAsync(Receipt receipt) {
        if (receipt == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a receipt is required");
        }
        ensureOpen();
        List<AppendRequest> items = receipt.consume();
        return submit(items, items.size() > 1, receipt.bypassReason().orElse(null));
    }

    private CompletableFuture<List<AppendReceipt>> submit(List<AppendRequest> items, boolean atomic) {
        return submit(items, atomic, null);
    }

    private CompletableFuture<List<AppendReceipt>> submit(List<AppendRequest> items, boolean atomic, String bypassReason) {
        ensureOpen();
        int n = items.size();
        long[] hi = new long[n];
        long[] lo = new long[n];
        long[] ts = new long[n];
        byte[][] digests = new byte[n][];
        long nowMs = config.wallClockMs().getAsLong();
        for (int i = 0; i < n; i++) {
            AppendRequest r = items.get(i);
            if (r.kind().isReserved()) {
                throw new StoreException(ErrorCode.RESERVED_KIND, "kind " + r.kind() + " is in category 0x"
                        + Integer.toHexString(r.kind().category()).toUpperCase() + ", which is reserved to the store");
            }
            if (r.payloadUnsafe().length > config.maxPayloadBytes()) {
                throw new StoreException(ErrorCode.PAYLOAD_TOO_LARGE, "payload of " + r.payloadUnsafe().length
                        + " bytes exceeds the limit of " + config.maxPayloadBytes());
            }
            UUID id = UuidV7.at(nowMs);
            hi[i] = id.getMostSignificantBits();
            lo[i] = id.getLeastSignificantBits();
            ts[i] = nowMs * 1000;
            digests[i] = EventHasher.payloadDigest(r.payloadUnsafe());
        }
        long[] fingerprint = fingerprints(items);
        WriterCommand.Append cmd = new WriterCommand.Append(items, atomic, hi, lo, ts, fingerprint, digests,
                bypassReason);
        writer.submit(cmd);
        return cmd.future;
    }

    /**
     * Two longs per item: the fingerprint of each keyed item (zeros for the others). Two items with
     * the same key in one scope are refused: one batch cannot repeat itself.
     */
    private static long[] fingerprints(List<AppendRequest> items) {
        long[] out = new long[2 * items.size()];
        java.util.Set<String> keys = null;
        for (int i = 0; i < items.size(); i++) {
            AppendRequest r = items.get(i);
            String key = r.options().idempotencyKey();
            if (key == null) {
                continue;
            }
            if (items.size() > 1) {
                keys = keys == null ? new java.util.HashSet<>() : keys;
                if (!keys.add(StoreIndex.scopedKey(r.coordinate().scope(), key))) {
                    throw new StoreException(ErrorCode.INVALID_REQUEST, "idempotency key '" + key
                            + "' is used twice in one batch");
                }
            }
            long[] f = RequestFingerprint.of(r);
            out[2 * i] = f[0];
            out[2 * i + 1] = f[1];
        }
        return out;
    }

    public static <T> T await(Future<T> f) {
        return Completions.await(f);
    }

    // ---- read ----

    /** The committed event with this id, if any. */
    public Optional<StoredEvent> get(UUID eventId) {
        ensureOpen();
        int i = index.find(eventId.getMostSignificantBits(), eventId.getLeastSignificantBits());
        return i < 0 ? Optional.empty() : Optional.of(read(i));
    }

    /** Index entries matching {@code region}, ascending by global sequence, without reading from disk. */
    public List<IndexEntry> query(Region region) {
        ensureOpen();
        int[] hits = index.query(region);
        List<IndexEntry> out = new ArrayList<>(hits.length);
        for (int i : hits) {
            out.add(index.entry(i));
        }
        return out;
    }

    /** Events matching {@code region}, ascending by global sequence, read from disk. */
    public List<StoredEvent> read(Region region) {
        ensureOpen();
        return readAll(index.query(region));
    }

    /**
     * The coordinates of the entities called {@code entity} that have events inside {@code grants},
     * in scope order: the same name in two scopes is two entities.
     */
    public List<Coordinate> coordinatesOf(String entity, ScopeGrants grants) {
        ensureOpen();
        List<Coordinate> out = new ArrayList<>(1);
        for (EntityState e : index.entitiesNamed(entity)) {
            if (index.entityVisibleEvents(e) > 0 && grants.reaches(e.coordinate.scope())) {
                out.add(e.coordinate);
            }
        }
        return out;
    }

    /**
     * The one coordinate called {@code entity} inside {@code grants}, if any; fails with
     * {@link ErrorCode#AMBIGUOUS_ENTITY} when several scopes hold an entity of that name (name the
     * scope, i.e. use a {@link Coordinate}, then).
     */
    public Optional<Coordinate> resolve(String entity, ScopeGrants grants) {
        List<Coordinate> found = coordinatesOf(entity, grants);
        if (found.size() > 1) {
            throw new StoreException(ErrorCode.AMBIGUOUS_ENTITY, "entity '" + entity + "' exists in " + found.size()
                    + " scopes; name the scope");
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** An entity's events from {@code fromSequence} (inclusive), at most {@code limit}. */
    public List<StoredEvent> readEntity(Coordinate entity, long fromSequence, int limit) {
        ensureOpen();
        checkPage(fromSequence, limit);
        EntityState e = index.entity(entity);
        return e == null ? List.of() : readAll(index.entityEvents(e, fromSequence, limit));
    }

    /**
     * As {@link #readEntity(Coordinate, long, int)} for the one entity of that name ({@link #resolve}
     * over every scope: {@code AMBIGUOUS_ENTITY} if several scopes hold one).
     */
    public List<StoredEvent> readEntity(String entity, long fromSequence, int limit) {
        return readEntity(entity, fromSequence, limit, ScopeGrants.ALL);
    }

    /**
     * As {@link #readEntity(String, long, int)}, resolving the name within {@code grants} only: an
     * entity outside them reads as one without events.
     */
    public List<StoredEvent> readEntity(String entity, long fromSequence, int limit, ScopeGrants grants) {
        checkPage(fromSequence, limit);
        Optional<Coordinate> c = resolve(entity, grants);
        return c.isEmpty() ? List.of() : readEntity(c.get(), fromSequence, limit);
    }

    private static void checkPage(long fromSequence, int limit) {
        if (fromSequence < 0 || limit < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "from must be >= 0 and limit >= 1");
        }
    }

    /**
     * An entity's events with sequences {@code fromSequence .. fromSequence + count - 1} (as many of
     * them as are published) whose kind {@code wanted} accepts; the others are skipped without a
     * disk read. For projections, which read only the kinds they fold.
     */
    public List<StoredEvent> readEntity(Coordinate entity, long fromSequence, int count, IntPredicate wanted) {
        ensureOpen();
        EntityState e = index.entity(entity);
        if (e == null) {
            return List.of();
        }
        int[] events = index.entityEvents(e, fromSequence, count);
        List<StoredEvent> out = new ArrayList<>(events.length);
        for (int i : events) {
            if (wanted.test(index.kind(i))) {
                out.add(read(i));
            }
        }
        return out;
    }

    /** The entity's last committed sequence, or {@link AppendOptions#NO_EVENTS} if it has none. */
    public long lastSequence(Coordinate entity) {
        EntityState e = index.entity(entity);
        return e == null ? AppendOptions.NO_EVENTS : index.entityVisibleEvents(e) - 1L;
    }

    /** As {@link #lastSequence(Coordinate)} for the one entity of that name ({@code AMBIGUOUS_ENTITY} if several). */
    public long lastSequence(String entity) {
        return resolve(entity, ScopeGrants.ALL).map(this::lastSequence).orElse(AppendOptions.NO_EVENTS);
    }

    /** The entity's chain walked backwards from {@code eventId}: its parent first, the event itself excluded. */
    public List<StoredEvent> ancestors(UUID eventId, int limit) {
        return ancestors(eventId, limit, ScopeGrants.ALL);
    }

    /** Recomputes the entity's hash chain from disk and reports the first sequence that fails. */
    public VerifyResult verify(Coordinate entity) {
        ensureOpen();
        EntityState e = index.entity(entity);
        if (e == null) {
            return new VerifyResult(entity.entity(), 0, true, -1);
        }
        int n = index.entityVisibleEvents(e);
        int[] events = index.entityEvents(e, 0, Math.max(n, 1));
        EventHasher hasher = new EventHasher();
        byte[] prev = new byte[32];
        for (int k = 0; k < events.length; k++) {
            LogRecord r;
            try {
                r = readRecord(events[k]);
            } catch (StoreException ex) {
                return new VerifyResult(entity.entity(), k + 1L, false, k);
            }
            if (r.sequence != k || !entity.entity().equals(r.entity) || !entity.scope().equals(r.scope)
                    || !Arrays.equals(prev, r.prevHash) || !hasher.verify(r)) {
                return new VerifyResult(entity.entity(), k + 1L, false, k);
            }
            prev = r.hash.clone();
        }
        return new VerifyResult(entity.entity(), events.length, true, -1);
    }

    /** As {@link #verify(Coordinate)} for the one entity of that name ({@code AMBIGUOUS_ENTITY} if several). */
    public VerifyResult verify(String entity) {
        return verify(entity, ScopeGrants.ALL);
    }

    /**
     * As {@link #verify(String)}, resolving the name within {@code grants}: an entity outside them
     * answers as a missing one (no events, valid). An entity lies in one scope, so what is verified
     * is wholly inside the grants.
     */
    public VerifyResult verify(String entity, ScopeGrants grants) {
        Optional<Coordinate> c = resolve(entity, grants);
        return c.isEmpty() ? new VerifyResult(entity, 0, true, -1) : verify(c.get());
    }

    // ---- reads within a caller's grants ----

    /**
     * As {@link #get(UUID)}, but an event whose scope lies outside {@code grants} is absent, exactly
     * like one that was never stored.
     */
    public Optional<StoredEvent> get(UUID eventId, ScopeGrants grants) {
        ensureOpen();
        int i = index.find(eventId.getMostSignificantBits(), eventId.getLeastSignificantBits());
        return i < 0 || !index.reaches(grants, i) ? Optional.empty() : Optional.of(read(i));
    }

    /**
     * As {@link #ancestors(UUID, int)}, within {@code grants}: an event outside them is
     * {@link ErrorCode#NOT_FOUND} like a missing one. An entity's chain lies in one scope, so its
     * ancestors are inside the grants whenever the event is.
     */
    public List<StoredEvent> ancestors(UUID eventId, int limit, ScopeGrants grants) {
        ensureOpen();
        int i = index.find(eventId.getMostSignificantBits(), eventId.getLeastSignificantBits());
        if (i < 0 || !index.reaches(grants, i)) {
            throw new StoreException(ErrorCode.NOT_FOUND, "event " + eventId + " is not stored");
        }
        EntityState e = index.entityById(index.entityId(i));
        int seq = index.sequence(i);
        int from = Math.max(0, seq - limit);
        int[] chain = index.entityEvents(e, from, seq - from);
        List<StoredEvent> out = new ArrayList<>(chain.length);
        for (int k = chain.length - 1; k >= 0; k--) {
            out.add(read(chain[k]));
        }
        return out;
    }

    /**
     * As {@link #stats()}, counting only what {@code grants} reach: events, entities and scopes
     * among the reachable events, and the last reachable global sequence. Segments, bytes and the
     * writer figures describe the whole log, so they are zero unless the grants reach every scope.
     */
    public StoreStats stats(ScopeGrants grants) {
        ensureOpen();
        if (grants.reachesAll()) {
            return stats();
        }
        GrantedReads.Counts c = new GrantedReads(index).counts(grants);
        return new StoreStats(c.events(), c.entities(), c.scopes(), 0, 0, c.lastGlobalSequence(), 0, 0, 0, 0, 0);
    }

    private List<StoredEvent> readAll(int[] indexes) {
        List<StoredEvent> out = new ArrayList<>(indexes.length);
        for (int i : indexes) {
            out.add(read(i));
        }
        return out;
    }

    private StoredEvent read(int i) {
        return readRecord(i).toStoredEvent();
    }

    /**
     * Reads event {@code i}'s frame. Compaction may move the event while we read: then the old file
     * can be gone or replaced, so a failed read whose index position changed meanwhile is retried at
     * the new position. A frame is accepted only if it holds the expected event id, and a CRC-valid
     * frame with that id is that event, whichever file copy it came from.
     */
    private LogRecord readRecord(int i) {
        long pos = index.position(i);
        for (int attempt = 0; ; attempt++) {
            StoreException failure;
            try {
                LogRecord r = reader.read(StoreIndex.segmentOf(pos), StoreIndex.offsetOf(pos), true);
                if (r.idHi == index.idHi(i) && r.idLo == index.idLo(i)) {
                    return r;
                }
                failure = new CorruptLogException(SegmentFiles.path(config.dataDir(), StoreIndex.segmentOf(pos)),
                        StoreIndex.offsetOf(pos), "frame holds another event than the index points to");
            } catch (StoreException e) {
                failure = e;
            }
            long now = index.position(i);
            if (now == pos || attempt >= 8) {
                throw failure;
            }
            pos = now;
        }
    }

    // ---- cursors and subscriptions ----

    /**
     * A pull cursor over the events matching {@code filter} (entity prefix, scope, kind, category,
     * sequence range; the filter's own after and limit are ignored) with a global sequence above
     * {@code afterGlobalSequence}. See {@link Cursor} for its guarantees.
     */
    public Cursor cursor(Region filter, long afterGlobalSequence) {
        ensureOpen();
        return hub.cursor(filter, afterGlobalSequence);
    }

    /**
     * A catch-up subscription: replays the events matching {@code filter} after
     * {@code afterGlobalSequence} from the log, then delivers new ones as they are published, with
     * no gap and no repeat. {@code bufferCapacity} is how far (in events) it may lag behind the head
     * and still be served from memory before it reads from the log. See {@link Subscription}.
     */
    public Subscription subscribe(Region filter, long afterGlobalSequence, int bufferCapacity) {
        ensureOpen();
        return hub.subscribe(filter, afterGlobalSequence, bufferCapacity);
    }

    /** A subscription to events published from now on: {@code subscribe(filter, globalSequence(), bufferCapacity)}. */
    public Subscription subscribeLive(Region filter, int bufferCapacity) {
        return subscribe(filter, globalSequence(), bufferCapacity);
    }

    /** Number of open subscriptions. */
    public int subscriptionCount() {
        return hub.size();
    }

    // ---- lifecycle and diagnostics ----

    /** The highest committed global sequence (0 when empty). */
    public long globalSequence() {
        return index.count();
    }

    public StoreStats stats() {
        return writer.stats(index);
    }

    /** The configuration this store was opened with. */
    public StoreConfig config() {
        return config;
    }

    /** Whether the writer accepts appends (false once closed or after an I/O failure). */
    public boolean isWritable() {
        return !closed && !writer.isTerminated() && writer.failure() == null;
    }

    /** The failure that stopped the writer, if any. */
    public Optional<Throwable> writerFailure() {
        return Optional.ofNullable(writer.failure());
    }

    /** Forces everything committed so far to disk, whatever the sync mode. */
    public void sync() {
        ensureOpen();
        WriterCommand.Sync s = new WriterCommand.Sync();
        writer.submit(s);
        await(s.future);
    }

    /** Writes an index checkpoint now, so the next open scans only what comes after it. */
    public void checkpoint() {
        ensureOpen();
        WriterCommand.Checkpoint c = new WriterCommand.Checkpoint();
        writer.submit(c);
        await(c.future);
    }

    /**
     * Writes a consistent copy of the store to {@code targetDir} (new or empty, outside this store's
     * directory) while appends go on: the copy holds exactly the events committed before the call
     * reached the writer — events 1..{@link SnapshotInfo#globalSequence()} — and opens with
     * {@link #open}. It holds segments only (no checkpoint), so its first open scans it. Waits for
     * a running {@link #compact()} to finish.
     */
    public SnapshotInfo snapshot(java.nio.file.Path targetDir) {
        ensureOpen();
        return maintenance.snapshot(targetDir);
    }

    /**
     * Merges runs of adjacent sealed segments smaller than half the configured segment size into
     * one segment each (never the segment being appended to, never past the segment size). Reads and
     * appends go on meanwhile; crash-safe (see docs/FORMAT.md "Compaction").
     */
    public CompactionResult compact() {
        return compact(config.segmentMaxBytes() / 2);
    }

    /** Like {@link #compact()}, merging sealed segments smaller than {@code smallSegmentBytes}. */
    public CompactionResult compact(long smallSegmentBytes) {
        ensureOpen();
        return maintenance.compact(smallSegmentBytes);
    }

    /** Counts, sizes, queue depth, fsync latency and maintenance counters, for operators. */
    public StoreDiagnostics diagnostics() {
        return maintenance.diagnostics(isWritable(), subscriptionCount());
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
        }
    }

    /** Drains queued appends, fsyncs, writes a checkpoint and releases files. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (!writer.isTerminated()) {
                WriterCommand.Close c = new WriterCommand.Close();
                try {
                    writer.submit(c);
                    await(c.future);
                } catch (StoreException e) {
                    LOG.log(Level.WARNING, "writer was already stopped at close: {0}", e.getMessage());
                }
            }
        } finally {
            hub.close();
            reader.close();
            lock.release();
        }
    }
}
