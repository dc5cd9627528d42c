package io.batpak.engine;

import io.batpak.engine.gate.GateSet;
import io.batpak.engine.gate.Receipt;
import io.batpak.engine.gate.ClientAppends;
import io.batpak.engine.index.Lookups;
import io.batpak.engine.index.Retention;
import io.batpak.engine.retention.RetentionBook;
import io.batpak.engine.retention.Scavenger;
import io.batpak.engine.index.EntityState;
import io.batpak.engine.index.GrantedReads;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.log.AppendSubmitter;
import io.batpak.engine.log.DataDirLock;
import io.batpak.engine.log.IndexedReads;
import io.batpak.engine.log.LogWriter;
import io.batpak.engine.log.Maintenance;
import io.batpak.engine.log.SegmentReader;
import io.batpak.engine.log.LogOpener;
import io.batpak.engine.log.WriterCommand;
import io.batpak.engine.projection.Transition;
import io.batpak.engine.subscription.FilteredScan;
import io.batpak.engine.subscription.RecentEvents;
import io.batpak.engine.subscription.SubscriptionHub;
import io.batpak.engine.upcast.Upcaster;
import io.batpak.engine.upcast.Upcasters;
import io.batpak.engine.util.Completions;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

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
 * <p>Upcasting: every event this store hands out — {@link #get}, {@link #query}, {@link #read},
 * {@link #readEntity}, {@link #ancestors}, {@link #cursor} and {@link #subscribe} (and so
 * projections and streams, which read through them) — is first brought to its kind's current
 * payload version by the installed {@link Upcasters}, here and in the subscription scan and
 * nowhere else. The stored bytes and hashes never change: {@link #verify},
 * {@link #readEntityStored} and {@link #cursorStored} (what audit exports read) see them as stored.
 *
 * <p>Retention: events past a scope's {@link RetentionRule} or an entity's {@link #truncate} are
 * left out by the index itself, so no read, query, condition, cursor, subscription (and so no
 * projection or stream) sees them from the moment the call that hid them returns; sequences and
 * global sequences are never reused, and {@link #verify} checks a chain from its first kept event.
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
    /** How long close waits for the writer's last checkpoint and file closes after it answered. */
    private static final long CLOSE_WAIT_MS = 60_000;
    private final DataDirLock lock;
    private final SubscriptionHub hub;
    private final Maintenance maintenance;
    private final IndexedReads reads;
    private final AppendSubmitter submitter;
    private final Lookups lookups;
    private final RetentionBook retention;
    private final Scavenger scavenger;
    /** Replaced whole by {@link #installUpcasters}; read by every reading thread. */
    private volatile Upcasters upcasters = Upcasters.NONE;
    private volatile boolean closed;

    private EventStore(StoreConfig config, StoreIndex index, SegmentReader reader, LogWriter writer, DataDirLock lock) {
        this.config = config;
        this.index = index;
        this.reader = reader;
        this.writer = writer;
        this.lock = lock;
        this.reads = new IndexedReads(config.dataDir(), index, reader);
        this.lookups = new Lookups(index);
        this.submitter = new AppendSubmitter(config, writer);
        RecentEvents recent = new RecentEvents(reads::read);
        this.hub = new SubscriptionHub(new FilteredScan(index, recent, this::current), recent);
        writer.attachHub(hub);
        this.maintenance = new Maintenance(config, index, reader, writer);
        Retention hidden = new Retention(index, i -> reads.read(i).hlc().wallMs(), config.wallClockMs(),
                ClientAppends::isReservedEntity);
        this.retention = new RetentionBook(index, hidden, reads::read, this::append);
        retention.rebuild();
        index.attachRetention(hidden);
        this.scavenger = new Scavenger(retention, index, maintenance);
    }

    /**
     * Opens (creating if needed) the store in {@code config.dataDir()}: loads the checkpoint if one
     * is valid, scans the log after it, truncates a torn tail, and starts the writer. Fails with a
     * {@link CorruptLogException} naming file and offset if committed data is damaged.
     */
    public static EventStore open(StoreConfig config) {
        LogOpener.Opened log = LogOpener.open(config);
        try {
            return new EventStore(config, log.index(), log.reader(), log.writer(), log.lock());
        } catch (RuntimeException e) {
            log.lock().release();
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
        return Completions.await(appendAsync(request)).get(0);
    }

    /**
     * Appends every event or none. Each may carry its own expected sequence and idempotency key; a
     * batch with keys is idempotent as a whole: repeating it returns the original receipts, and a
     * batch that repeats some used keys but not all is {@code IDEMPOTENCY_KEY_REUSED}.
     */
    public List<AppendReceipt> appendBatch(List<AppendRequest> requests) {
        return Completions.await(appendBatchAsync(requests));
    }

    /** Like {@link #append(AppendRequest)}, answered through a future completed on the writer thread. */
    public CompletableFuture<List<AppendReceipt>> appendAsync(AppendRequest request) {
        return submit(List.of(request), false, null, null);
    }

    /** Like {@link #appendBatch(List)}, answered through a future completed on the writer thread. */
    public CompletableFuture<List<AppendReceipt>> appendBatchAsync(List<AppendRequest> requests) {
        return appendBatchAsync(requests, null);
    }

    /**
     * Appends every event or none, and none if {@code condition} fails: an event matching it was
     * committed after its position ({@link ConditionFailedException}). The condition is checked by
     * the writer against every event before this append, atomically with it. A keyed batch that
     * repeats a committed one answers its original receipts without checking the condition again.
     */
    public List<AppendReceipt> appendBatch(List<AppendRequest> requests, AppendCondition condition) {
        return Completions.await(appendBatchAsync(requests, condition));
    }

    /** Like {@link #appendBatch(List, AppendCondition)}, answered through a future completed on the writer thread. */
    public CompletableFuture<List<AppendReceipt>> appendBatchAsync(List<AppendRequest> requests, AppendCondition condition) {
        if (requests.isEmpty() || requests.size() > MAX_BATCH_EVENTS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "a batch holds 1.." + MAX_BATCH_EVENTS + " events, this one " + requests.size());
        }
        return submit(List.copyOf(requests), true, null, condition);
    }

    /**
     * Appends the requests a {@link GateSet} approved (or bypassed): one request as a single append
     * (its idempotency key applies), several as one atomic batch. Consumes the receipt on this first
     * call, whatever the outcome; a second use fails with {@link ErrorCode#RECEIPT_CONSUMED}. A bypass
     * reason is stored with every event. A closed store refuses before consuming the receipt.
     */
    public List<AppendReceipt> append(Receipt receipt) {
        return Completions.await(appendAsync(receipt));
    }

    /** Like {@link #append(Receipt)}, answered through a future completed on the writer thread. */
    public CompletableFuture<List<AppendReceipt>> appendAsync(Receipt receipt) {
        return appendAsync(receipt, null);
    }

    /** Like {@link #appendAsync(Receipt)}, and nothing is stored if {@code condition} (null: none) fails. */
    public CompletableFuture<List<AppendReceipt>> appendAsync(Receipt receipt, AppendCondition condition) {
        if (receipt == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a receipt is required");
        }
        ensureOpen();
        List<AppendRequest> items = receipt.consume();
        return submit(items, items.size() > 1, receipt.bypassReason().orElse(null), condition);
    }

    private CompletableFuture<List<AppendReceipt>> submit(List<AppendRequest> items, boolean atomic, String bypassReason,
                                                          AppendCondition condition) {
        ensureOpen();
        return submitter.submit(items, atomic, bypassReason, condition);
    }

    // ---- upcasters ----

    /**
     * Installs these upcasters, replacing those installed before: from now on every read, query,
     * cursor and subscription poll delivers events at their kind's current version. Fails with
     * {@link ErrorCode#INVALID_UPCASTERS} (installing nothing) unless, per kind, the steps go from
     * version 1 up without a gap or a duplicate ({@link Upcasters#of}).
     */
    public Upcasters installUpcasters(Collection<? extends Upcaster> steps) {
        Upcasters set = Upcasters.of(steps);
        upcasters = set;
        return set;
    }

    /** The installed upcasters ({@link Upcasters#NONE} until some are installed). */
    public Upcasters upcasters() {
        return upcasters;
    }

    private StoredEvent current(StoredEvent stored) {
        return upcasters.current(stored);
    }

    private List<StoredEvent> current(List<StoredEvent> stored) {
        return upcasters.current(stored);
    }

    // ---- read ----

    /**
     * The committed event with this id, if any; an event whose scope lies outside the lookup's
     * grants is absent, exactly like one that was never stored.
     */
    public Optional<StoredEvent> get(EventLookup lookup) {
        ensureOpen();
        int i = lookups.event(lookup);
        return i < 0 ? Optional.empty() : Optional.of(current(reads.read(i)));
    }

    /** Index entries matching {@code region} (and its grants), ascending by global sequence, without reading from disk. */
    public List<IndexEntry> query(Region region) {
        ensureOpen();
        int[] hits = index.query(region);
        List<IndexEntry> out = new ArrayList<>(hits.length);
        for (int i : hits) {
            out.add(index.entry(i));
        }
        return out;
    }

    /**
     * Events after global sequence {@code after} matching {@code q} (any of its items, inside its
     * grants), ascending, at most {@code limit}, with the store's global sequence at the read as
     * {@code head}: pass it as a condition's {@code after} to append only if nothing matching came
     * since.
     */
    public QueryResult query(EventQuery q, long after, int limit) {
        ensureOpen();
        if (after < 0 || limit < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "after must be 0 or more and limit at least 1, were "
                    + after + " and " + limit);
        }
        int head = index.count(); // one bound for the matches and the head, so no event falls between
        return new QueryResult(current(reads.readAll(index.query(q, after, limit, head))), head);
    }

    /** Events matching {@code region} (and its grants), ascending by global sequence, read from disk. */
    public List<StoredEvent> read(Region region) {
        ensureOpen();
        return current(reads.readAll(index.query(region)));
    }

    /**
     * The coordinates of the entities called {@code entity} that have events inside {@code grants},
     * in scope order: the same name in two scopes is two entities.
     */
    public List<Coordinate> coordinatesOf(String entity, ScopeGrants grants) {
        ensureOpen();
        return lookups.coordinatesOf(entity, grants);
    }

    /**
     * The one coordinate called {@code entity} inside {@code grants}, if any; fails with
     * {@link ErrorCode#AMBIGUOUS_ENTITY} when several scopes hold an entity of that name (name the
     * scope, i.e. use a {@link Coordinate}, then).
     */
    public Optional<Coordinate> resolve(String entity, ScopeGrants grants) {
        ensureOpen();
        return lookups.resolve(entity, grants);
    }

    /**
     * The entity's events the query selects: sequences from {@code fromSequence} (inclusive), at
     * most {@code limit}, of the kinds it accepts (the others skipped without a disk read). Events
     * past retention are skipped: the page then starts at the first kept sequence. An entity
     * outside the query's grants reads as one without events. See {@link EntityQuery}.
     */
    public List<StoredEvent> readEntity(EntityQuery query) {
        ensureOpen();
        return current(reads.readAll(lookups.entityEvents(query)));
    }

    /**
     * Like {@link #readEntity}, but the events exactly as stored: payload and payload version as
     * appended, not upcast, so their content hashes to their {@code hash} (for audit exports).
     */
    public List<StoredEvent> readEntityStored(EntityQuery query) {
        ensureOpen();
        return reads.readAll(lookups.entityEvents(query));
    }

    /** The entity's last committed sequence, or {@link AppendOptions#NO_EVENTS} if it has none (within the grants). */
    public long lastSequence(EntityQuery query) {
        if (query.coordinate() == null) {
            ensureOpen(); // resolving a name reads the index's name table, as every other read does
        }
        EntityState e = lookups.find(query);
        return e == null ? AppendOptions.NO_EVENTS : index.entityVisibleEvents(e) - 1L;
    }

    /**
     * The entity's chain walked backwards from the event: its parent first, the event itself
     * excluded, at most {@code limit}. An event outside the lookup's grants is
     * {@link ErrorCode#NOT_FOUND} like a missing one; an entity's chain lies in one scope, so its
     * ancestors are inside the grants whenever the event is.
     */
    public List<StoredEvent> ancestors(EventLookup lookup, int limit) {
        ensureOpen();
        return current(reads.readAll(lookups.ancestors(lookup, limit)));
    }

    /**
     * Recomputes the entity's hash chain from disk and reports the first sequence that fails. The
     * whole chain is checked (the query's page and kinds are ignored); an entity outside the
     * query's grants answers as a missing one (no events, valid).
     */
    public VerifyResult verify(EntityQuery query) {
        ensureOpen();
        EntityState e = lookups.find(query);
        return e == null ? new VerifyResult(query.entityName(), 0, true, -1) : reads.verify(e.coordinate, e);
    }

    /**
     * Counts and sizes, as far as {@code grants} reach: with {@link ScopeGrants#ALL} the whole
     * store; otherwise events, entities and scopes among the reachable events and the last
     * reachable global sequence, while segments, bytes and the writer figures (which describe the
     * whole log) are zero.
     */
    public StoreStats stats(ScopeGrants grants) {
        if (grants.reachesAll()) {
            return writer.stats(index);
        }
        ensureOpen();
        GrantedReads.Counts c = new GrantedReads(index).counts(grants);
        return new StoreStats(c.events(), c.entities(), c.scopes(), 0, 0, c.lastGlobalSequence(), 0, 0, 0, 0, 0);
    }

    // ---- retention ----

    /** Sets the scope's retention rule (stored bookkeeping): once this returns, events past it are left out of every read. */
    public void setRetention(String scope, RetentionRule rule) {
        ensureOpen();
        retention.setRule(scope, rule);
    }

    /** The scope's retention rule, if it has one. */
    public Optional<RetentionRule> retention(String scope) {
        ensureOpen();
        return retention.rule(scope);
    }

    /** Removes the scope's retention rule (its events are kept again, truncates aside); false if it had none. */
    public boolean removeRetention(String scope) {
        ensureOpen();
        return retention.removeRule(scope);
    }

    /**
     * Drops the entity's events below sequence {@code before} (0..its last sequence + 1) from every
     * read, stored as store bookkeeping; returns the truncate-before in force, which never goes
     * down. An entity outside the query's grants, or without events, is {@link ErrorCode#NOT_FOUND};
     * the store's own entities are {@link ErrorCode#RESERVED_ENTITY}.
     */
    public long truncate(EntityQuery query, long before) {
        ensureOpen();
        EntityState e = lookups.find(query);
        if (e == null || index.entityVisibleEvents(e) == 0) {
            throw new StoreException(ErrorCode.NOT_FOUND, "entity " + query.entityName() + " has no events");
        }
        return retention.truncate(e, before);
    }

    /** The entity's first sequence not past retention (last + 1 when all are; 0 when none is or it is unknown). */
    public long firstKeptSequence(EntityQuery query) {
        ensureOpen();
        EntityState e = lookups.find(query);
        return e == null ? 0 : index.firstKept(e, index.entityVisibleEvents(e));
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

    /** Like {@link #cursor}, delivering the events exactly as stored, not upcast (for audit exports). */
    public Cursor cursorStored(Region filter, long afterGlobalSequence) {
        ensureOpen();
        return hub.storedCursor(filter, afterGlobalSequence);
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
        Completions.await(s.future);
    }

    /** The store's accepted, durable and visible positions now ({@link Watermarks}). */
    public Watermarks watermarks() {
        ensureOpen();
        return writer.watermarks();
    }

    /**
     * Waits until every event up to global sequence {@code position} has reached {@code level}, at
     * most {@code timeoutMs}; true if it has. A wait for {@link WatermarkLevel#DURABLE} asks the
     * writer to force what it wrote, so it ends in every sync mode. Fails with {@code INTERRUPTED} if
     * the calling thread is interrupted.
     */
    public boolean awaitWatermark(long position, WatermarkLevel level, long timeoutMs) {
        ensureOpen();
        if (level == null || timeoutMs < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a watermark wait needs a level and a timeout of 0 ms or more");
        }
        try {
            return writer.awaitWatermark(position, level, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(ErrorCode.INTERRUPTED, "interrupted while waiting for " + level + " " + position, e);
        }
    }

    /** Writes an index checkpoint now, so the next open scans only what comes after it. */
    public void checkpoint() {
        ensureOpen();
        WriterCommand.Checkpoint c = new WriterCommand.Checkpoint();
        writer.submit(c);
        Completions.await(c.future);
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
     * Merges runs of adjacent sealed segments smaller than half the segment size (never past it) while
     * reads and appends go on; crash-safe (see docs/FORMAT.md "Compaction").
     */
    public CompactionResult compact() {
        return compact(config.segmentMaxBytes() / 2);
    }

    /** Like {@link #compact()}, merging sealed segments smaller than {@code smallSegmentBytes}. */
    public CompactionResult compact(long smallSegmentBytes) {
        ensureOpen();
        return maintenance.compact(smallSegmentBytes);
    }

    /**
     * Starts a job on {@code executor} reclaiming the disk space of events past retention while appends
     * and reads go on (crash-safe; docs/FORMAT.md "Scavenging"); answers its status (while one runs, that one's).
     */
    public ScavengeStatus scavenge(Executor executor) {
        ensureOpen();
        return scavenger.start(executor);
    }

    /** The newest scavenge's progress ({@link ScavengeStatus#NONE} before the first). */
    public ScavengeStatus scavengeStatus() {
        return scavenger.status();
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
                    Completions.await(c.future);
                } catch (StoreException e) {
                    LOG.log(Level.WARNING, "writer was already stopped at close: {0}", e.getMessage());
                }
            }
            // The Close command is answered inside the loop; its files and checkpoints end after it.
            if (!writer.awaitStopped(CLOSE_WAIT_MS)) {
                LOG.log(Level.WARNING, "the writer had not stopped {0} ms after close", CLOSE_WAIT_MS);
            }
        } finally {
            hub.close();
            reader.close();
            lock.release();
        }
    }
}
