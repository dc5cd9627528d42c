package io.batpak.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The single thread that owns the log. It takes commands from a bounded queue (callers block when
 * it is full), and commits them in groups: everything queued is validated (CAS, idempotency),
 * sequenced, hash-chained, encoded and written, the segment is forced once, then the index is
 * updated and published and every caller of the group is answered. An atomic batch is validated
 * as a whole and written contiguously in one segment, so it commits or fails as a unit.
 *
 * <p>With {@link SyncMode#EVERY_COMMIT} the fsync is pipelined: the writer thread writes a group,
 * stages it in the index (invisible to readers) and hands it to the sync stage, a second loop that
 * forces the segment, then publishes the group and answers its callers, while the writer already
 * prepares the next group. Groups are forced, published and answered strictly in order, so no
 * caller is answered and no reader sees an event before it is durable.
 *
 * <p>A failed write (a full disk, ENOSPC) rejects only its group: the active segment is cut back
 * to where the group began, the group's callers get {@link ErrorCode#UNAVAILABLE}, and the writer
 * goes on, so appends succeed again once space returns. A failed fsync is different: Linux may
 * drop the dirty pages and clear the error, so a retried fsync can report success for data that
 * never reached the disk. After a failed fsync (or a write failure that cannot be cut back
 * cleanly) the writer therefore stops accepting appends (every later append fails with
 * {@link ErrorCode#UNAVAILABLE}) until the store is reopened and recovery re-reads what is really
 * on disk. All fields are confined to the writer thread except the queue, the
 * statistics and the failure/termination flags.
 */
final class LogWriter implements Runnable {
    private static final Logger LOG = System.getLogger(LogWriter.class.getName());
    private static final int MAX_GROUP_COMMANDS = 4096;
    private static final int FLUSH_THRESHOLD_BYTES = 8 << 20;

    private final StoreConfig config;
    private final Path dataDir;
    private final StoreIndex index;
    private final HybridClock clock;
    private final BlockingQueue<WriterCommand> queue;
    private final EventHasher hasher = new EventHasher();
    private final GrowableBuffer buffer = new GrowableBuffer(1 << 20);
    private final FrameCodec codec = new FrameCodec(buffer);
    private final LogRecord record = new LogRecord();
    private ActiveSegment segment;
    private int segments;
    private long sealedBytes;

    /** Per-group view of entities touched by staged events: next sequence and chain head. */
    private final Map<Coordinate, PendingEntity> overlay = new HashMap<>();
    /** Idempotency keys staged in this group, by {@link StoreIndex#scopedKey}. */
    private final Map<String, Staged> pendingKeys = new HashMap<>();
    private final List<Staged> staged = new ArrayList<>();
    private final List<Completion> completions = new ArrayList<>();
    private int flushedUpTo;
    private long groupStartSegmentId;
    private long groupStartSize;
    /** A write of this group failed; the rest of the group is rejected and the group cut back. */
    private IOException groupWriteFailure;
    private long eventsSinceCheckpoint;
    private long lastForceNanos = System.nanoTime();
    private boolean dirty;

    /** Written groups waiting for their fsync (EVERY_COMMIT only), and the stage that forces them. */
    private final BlockingQueue<SyncBatch> syncQueue = new ArrayBlockingQueue<>(256);
    private final Object syncProgress = new Object();
    private long groupsHandedOff;
    private long groupsSynced;
    private static final SyncBatch STOP = new SyncBatch(null, -1, List.of(), List.of());

    /** True while the writer is turning a drained group into bytes; the sync stage waits for it briefly. */
    private volatile boolean writerBusy;
    private static final long COALESCE_NANOS = 200_000;

    private volatile Throwable failure;
    private volatile boolean terminated;
    private volatile long groupCommits;
    private volatile long fsyncs;
    private volatile long fsyncNanosTotal;
    private volatile long fsyncNanosMax;
    private volatile long bytesOnDisk;
    private volatile int segmentCount;
    private final LatencyHistogram fsyncLatency = new LatencyHistogram();

    /** A written group waiting for its fsync: where it ends in the index and whom to answer after. */
    private record SyncBatch(ActiveSegment segment, int indexCount, List<Completion> completions,
                             List<WriterCommand.Sync> syncs) {
    }

    /** A caller to answer once the group is durable. */
    private record Completion(CompletableFuture<List<AppendReceipt>> future, List<AppendReceipt> receipts) {
    }

    private static final class PendingEntity {
        final Coordinate coordinate;
        /** The index's entry for this entity; null until its first event is applied. */
        EntityState state;
        final byte[] nameUtf8;
        long nextSequence;
        final byte[] lastHash = new byte[32];

        PendingEntity(Coordinate coordinate, EntityState state) {
            this.coordinate = coordinate;
            this.state = state;
            this.nameUtf8 = state != null ? state.nameUtf8
                    : coordinate.entity().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** One event encoded in this group, waiting for the group's write and fsync. */
    private static final class Staged {
        long idHi;
        long idLo;
        PendingEntity entity;
        String scope;
        int kind;
        int bufferOffset;
        long position;
        byte[] hash;
        String idempotencyKey;
        long fingerprintHi;
        long fingerprintLo;
        AppendReceipt receipt;
        /** The event as subscribers see it, built only while any subscription is open. */
        StoredEvent event;
    }

    LogWriter(StoreConfig config, StoreIndex index, HybridClock clock, LogRecovery.End end) throws IOException {
        this.config = config;
        this.dataDir = config.dataDir();
        this.index = index;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(config.writerQueueCapacity());
        this.segments = end.segments();
        if (end.segmentId() == 0 || end.length() == 0) {
            long id = end.segmentId() == 0 ? 1 : end.segmentId();
            this.segment = ActiveSegment.create(dataDir, id, config.wallClockMs().getAsLong() * 1000);
            if (end.segmentId() == 0) {
                segments = 1;
            }
        } else {
            this.segment = ActiveSegment.reopen(dataDir, end.segmentId(), end.length());
        }
        this.sealedBytes = end.bytes() - end.length();
        publishSizes();
    }

    // ---- caller side ----

    /** Queues a command, blocking while the queue is full; fails fast once the writer stopped. */
    void submit(WriterCommand command) {
        try {
            while (true) {
                checkAccepting();
                if (queue.offer(command, 50, TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(ErrorCode.INTERRUPTED, "interrupted while waiting for space in the writer queue", e);
        }
        if (terminated) {
            failQueued(new StoreException(ErrorCode.UNAVAILABLE, "store is closed"));
        }
    }

    private void checkAccepting() {
        if (terminated) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
        }
    }

    int queueDepth() {
        return queue.size();
    }

    Throwable failure() {
        return failure;
    }

    boolean isTerminated() {
        return terminated;
    }

    StoreStats stats(StoreIndex idx) {
        return new StoreStats(idx.count(), idx.entityCount(), idx.scopeCount(), segmentCount, bytesOnDisk, idx.count(),
                queue.size(), groupCommits, fsyncs, fsyncNanosTotal, fsyncNanosMax);
    }

    // ---- writer thread ----

    @Override
    public void run() {
        // Pooled (managed) threads get their name back when the loop ends.
        String previousName = Thread.currentThread().getName();
        Thread.currentThread().setName("batpak-writer");
        List<WriterCommand> group = new ArrayList<>();
        boolean closing = false;
        try {
            while (!closing) {
                WriterCommand first = nextCommand();
                if (first == null) {
                    syncIfIntervalElapsed();
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP_COMMANDS - 1);
                writerBusy = true;
                try {
                    closing = processGroup(group);
                } finally {
                    writerBusy = false;
                }
                group.clear();
            }
        } catch (Throwable t) {
            // A bug or an Error: stop taking writes rather than guess at the log's state.
            LOG.log(Level.ERROR, "writer thread stopped unexpectedly", t);
            markFailed(t);
            for (WriterCommand c : group) {
                c.fail(unavailable());
            }
        } finally {
            terminated = true;
            failQueued(new StoreException(ErrorCode.UNAVAILABLE, "store is closed"));
            stopSyncStage();
            try {
                segment.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing segment " + segment.file() + " failed", e);
            }
            Thread.currentThread().setName(previousName);
        }
    }

    private void stopSyncStage() {
        groupsHandedOff++;
        try {
            syncQueue.put(STOP);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        awaitSyncStage();
    }

    private WriterCommand nextCommand() throws InterruptedException {
        if (config.syncMode() == SyncMode.INTERVAL && dirty) {
            return queue.poll(config.syncIntervalMs(), TimeUnit.MILLISECONDS);
        }
        return queue.take();
    }

    private void syncIfIntervalElapsed() {
        if (dirty && failure == null) {
            try {
                force();
            } catch (IOException e) {
                markFailed(e);
            }
        }
    }

    private void failQueued(Throwable t) {
        WriterCommand c;
        while ((c = queue.poll()) != null) {
            c.fail(t);
        }
    }

    private StoreException unavailable() {
        Throwable f = failure;
        return new StoreException(ErrorCode.UNAVAILABLE, "the writer stopped after a failure and accepts no writes until"
                + " the store is reopened: " + f, f);
    }

    private void markFailed(Throwable t) {
        if (failure == null) {
            failure = t;
            LOG.log(Level.ERROR, "writer failed; the store is read-only until reopened", t);
        }
    }

    /** Commits one group; returns true if it held a close command. */
    private boolean processGroup(List<WriterCommand> group) {
        boolean closing = false;
        boolean checkpointWanted = false;
        List<WriterCommand.Sync> syncs = new ArrayList<>();
        List<WriterCommand> after = new ArrayList<>();
        beginGroup();
        for (WriterCommand c : group) {
            if (closing || failure != null && !(c instanceof WriterCommand.Close)) {
                c.fail(closing ? new StoreException(ErrorCode.UNAVAILABLE, "store is closed") : unavailable());
                continue;
            }
            if (c instanceof WriterCommand.Append a) {
                stage(a);
            } else if (c instanceof WriterCommand.Sync sync) {
                syncs.add(sync);
            } else if (c instanceof WriterCommand.Checkpoint) {
                checkpointWanted = true;
                after.add(c);
            } else if (c instanceof WriterCommand.Task<?>) {
                after.add(c);
            } else if (c instanceof WriterCommand.Close) {
                closing = true;
                checkpointWanted = true;
                after.add(c);
            }
        }
        commitGroup(syncs, closing);
        boolean ok = failure == null;
        if (ok && (checkpointWanted || config.checkpointIntervalEvents() > 0
                && eventsSinceCheckpoint >= config.checkpointIntervalEvents())) {
            awaitSyncStage();
            ok = failure == null && writeCheckpoint();
        }
        if (closing) {
            awaitSyncStage();
        }
        for (WriterCommand c : after) {
            if (c instanceof WriterCommand.Close k) {
                // Closing succeeds even after a failure: what was acknowledged is on disk.
                k.future.complete(null);
            } else if (!ok) {
                c.fail(unavailable());
            } else if (c instanceof WriterCommand.Checkpoint k) {
                k.future.complete(null);
            } else if (c instanceof WriterCommand.Task<?> t) {
                runTask(t);
            }
        }
        return closing;
    }

    // ---- maintenance tasks (writer thread) ----

    /** Makes everything written durable and published, then runs the task. */
    private void runTask(WriterCommand.Task<?> t) {
        awaitSyncStage();
        try {
            if (dirty && failure == null) {
                force();
            }
        } catch (IOException e) {
            markFailed(e);
        }
        if (failure != null) {
            t.fail(unavailable());
            return;
        }
        t.run(this);
    }

    /** Id of the segment being appended to; every lower id is sealed (writer thread). */
    long activeSegmentId() {
        return segment.id;
    }

    /** Durable length of the active segment when called from a task (writer thread). */
    long activeSegmentSize() {
        return segment.size();
    }

    /** Records that compaction replaced {@code removed + 1} segment files by one, saving {@code bytes}. */
    void segmentsMerged(int removed, long bytes) {
        segments -= removed;
        sealedBytes -= bytes;
        publishSizes();
    }

    /** Writes a checkpoint now (writer thread); false if the writer failed doing so. */
    boolean checkpointNow() {
        return writeCheckpoint();
    }

    /** Fsync latency of every force so far. */
    LatencyHistogram fsyncLatency() {
        return fsyncLatency;
    }

    int queueCapacity() {
        return queue.size() + queue.remainingCapacity();
    }

    private void beginGroup() {
        buffer.reset();
        flushedUpTo = 0;
        staged.clear();
        overlay.clear();
        pendingKeys.clear();
        completions.clear();
        groupStartSegmentId = segment.id;
        groupStartSize = segment.size();
        groupWriteFailure = null;
    }

    private void stage(WriterCommand.Append a) {
        if (groupWriteFailure != null) {
            a.future.completeExceptionally(writeFailed(groupWriteFailure));
            return;
        }
        int stagedBefore = staged.size();
        int bufferBefore = buffer.size();
        Map<Coordinate, long[]> undo = new HashMap<>();
        try {
            List<AppendReceipt> replays = validate(a);
            if (replays != null) {
                completions.add(new Completion(a.future, replays));
                return;
            }
            List<AppendReceipt> receipts = new ArrayList<>(a.items.size());
            for (int i = 0; i < a.items.size(); i++) {
                receipts.add(encode(a, i, undo));
            }
            completions.add(new Completion(a.future, receipts));
        } catch (StoreException e) {
            rollback(stagedBefore, bufferBefore, undo);
            a.future.completeExceptionally(e);
            return;
        }
        try {
            rotateIfNeeded(bufferBefore);
            if (buffer.size() - flushedUpTo > FLUSH_THRESHOLD_BYTES) {
                flush(buffer.size());
            }
        } catch (IOException e) {
            // Possibly a full disk: commitGroup cuts the group back and rejects it (or fails the writer).
            groupWriteFailure = e;
        } catch (UncheckedIOException e) {
            groupWriteFailure = e.getCause();
        } catch (RuntimeException e) {
            // Bytes may be on disk in an unknown state: stop writing (commitGroup fails the group).
            markFailed(e);
        }
    }

    /** Checks CAS conditions and idempotency; returns replayed receipts if this is an idempotent repeat. */
    private List<AppendReceipt> validate(WriterCommand.Append a) {
        Map<Coordinate, Long> seen = a.items.size() > 1 ? new HashMap<>() : null;
        for (int i = 0; i < a.items.size(); i++) {
            AppendRequest item = a.items.get(i);
            Coordinate entity = item.coordinate();
            long last;
            Long inBatch = seen == null ? null : seen.get(entity);
            if (inBatch != null) {
                last = inBatch;
            } else {
                last = nextSequence(entity) - 1;
            }
            Long expected = item.options().expectedSequence();
            if (expected != null && expected != last) {
                throw new SequenceMismatchException(entity.toString(), expected, last);
            }
            if (seen != null) {
                seen.put(entity, last + 1);
            }
        }
        return replayOf(a);
    }

    /**
     * The original receipts if {@code a} repeats a committed (or staged) keyed append, null if its
     * keys are new. A batch is idempotent as a whole: either every item carries a key already used
     * with the same request (a repeat), or no item's key was used before; anything between is
     * {@code IDEMPOTENCY_KEY_REUSED}. Keys are looked up within each item's scope.
     */
    private List<AppendReceipt> replayOf(WriterCommand.Append a) {
        int n = a.items.size();
        List<AppendReceipt> replays = null;
        int known = 0;
        int keyed = 0;
        for (int i = 0; i < n; i++) {
            AppendRequest item = a.items.get(i);
            String key = item.options().idempotencyKey();
            if (key == null) {
                continue;
            }
            keyed++;
            String scoped = StoreIndex.scopedKey(item.coordinate().scope(), key);
            AppendReceipt original = null;
            Staged pending = pendingKeys.get(scoped);
            if (pending != null) {
                checkFingerprint(key, pending.fingerprintHi, pending.fingerprintLo, a, i);
                original = pending.receipt;
            } else {
                IdempotencyRecord done = index.idempotency(scoped);
                if (done != null) {
                    checkFingerprint(key, done.fingerprintHi(), done.fingerprintLo(), a, i);
                    original = receiptOf(done.eventIndex());
                }
            }
            if (original != null) {
                if (replays == null) {
                    replays = new ArrayList<>(n);
                }
                replays.add(original.asReplay());
                known++;
            }
        }
        if (known == 0) {
            return null;
        }
        if (known != n) {
            throw new StoreException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "this batch repeats " + known + " of its "
                    + keyed + " idempotency keys but not all of its " + n + " events: a keyed batch is repeated"
                    + " whole or not at all");
        }
        return replays;
    }

    private static void checkFingerprint(String key, long hi, long lo, WriterCommand.Append a, int item) {
        if (hi != a.fingerprint[2 * item] || lo != a.fingerprint[2 * item + 1]) {
            throw new StoreException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "idempotency key '" + key + "' was already used for a different request");
        }
    }

    private AppendReceipt receiptOf(int eventIndex) {
        // The hash is not kept in memory: read it back (a replay is rare and off the hot path).
        long pos = index.position(eventIndex);
        LogRecord r = reader.read(StoreIndex.segmentOf(pos), StoreIndex.offsetOf(pos), false);
        return new AppendReceipt(new UUID(r.idHi, r.idLo), new Coordinate(r.entity, r.scope), r.sequence,
                r.globalSequence, r.hash, false);
    }

    private SegmentReader reader;

    void attachReader(SegmentReader segmentReader) {
        this.reader = segmentReader;
    }

    /** Subscriptions to wake after each published group (set once the store is open). */
    private volatile SubscriptionHub hub;

    void attachHub(SubscriptionHub subscriptionHub) {
        this.hub = subscriptionHub;
    }

    private long nextSequence(Coordinate entity) {
        PendingEntity p = overlay.get(entity);
        if (p != null) {
            return p.nextSequence;
        }
        EntityState e = index.entity(entity);
        return e == null ? 0 : e.events.size();
    }

    private PendingEntity pending(Coordinate entity) {
        PendingEntity p = overlay.get(entity);
        if (p == null) {
            EntityState e = index.entity(entity);
            p = new PendingEntity(entity, e);
            if (e != null) {
                p.nextSequence = e.events.size();
                System.arraycopy(e.lastHash, 0, p.lastHash, 0, 32);
            }
            overlay.put(entity, p);
        }
        return p;
    }

    private AppendReceipt encode(WriterCommand.Append a, int i, Map<Coordinate, long[]> undo) {
        AppendRequest item = a.items.get(i);
        Coordinate entity = item.coordinate();
        PendingEntity p = pending(entity);
        if (!undo.containsKey(entity)) {
            long[] saved = new long[5];
            saved[0] = p.nextSequence;
            for (int w = 0; w < 4; w++) {
                saved[1 + w] = FrameCodec.readLong(p.lastHash, w * 8);
            }
            undo.put(entity, saved);
        }
        LogRecord r = record;
        AppendOptions o = item.options();
        r.idHi = a.idHi[i];
        r.idLo = a.idLo[i];
        r.entity = entity.entity();
        r.scope = entity.scope();
        r.kind = item.kind().value();
        r.sequence = p.nextSequence;
        r.globalSequence = index.stagedCount() + staged.size() + 1L;
        r.timestampUs = a.timestampUs[i];
        clock.tick();
        r.hlcMs = clock.lastMs();
        r.hlcCounter = clock.lastCounter();
        UUID corr = o.correlationId();
        r.corrHi = corr == null ? r.idHi : corr.getMostSignificantBits();
        r.corrLo = corr == null ? r.idLo : corr.getLeastSignificantBits();
        UUID cause = o.causationId();
        r.hasCause = cause != null;
        if (cause != null) {
            r.causeHi = cause.getMostSignificantBits();
            r.causeLo = cause.getLeastSignificantBits();
        }
        r.flags = 0;
        r.payload = item.payloadUnsafe();
        r.idempotencyKey = o.idempotencyKey();
        r.fingerprintHi = a.fingerprint[2 * i];
        r.fingerprintLo = a.fingerprint[2 * i + 1];
        r.batchIndex = a.atomic ? i : 0;
        r.batchSize = a.atomic ? a.items.size() : 1;
        r.bypassReason = a.bypassReason;
        r.attributes = o.attributes().isEmpty() ? null : o.attributes();
        System.arraycopy(p.lastHash, 0, r.prevHash, 0, 32);
        hasher.hash(r, p.nameUtf8, null, a.payloadDigests[i], r.hash);
        int offset = codec.encode(r, p.nameUtf8, null);

        Staged s = new Staged();
        s.idHi = r.idHi;
        s.idLo = r.idLo;
        s.entity = p;
        s.scope = r.scope;
        s.kind = r.kind;
        s.bufferOffset = offset;
        s.hash = r.hash.clone();
        s.idempotencyKey = r.idempotencyKey;
        s.fingerprintHi = r.fingerprintHi;
        s.fingerprintLo = r.fingerprintLo;
        s.receipt = new AppendReceipt(new UUID(r.idHi, r.idLo), item.coordinate(), r.sequence, r.globalSequence,
                s.hash, false);
        SubscriptionHub h = hub;
        if (h != null && h.size() > 0) {
            // Built once here and shared by every subscriber, rather than decoded from the log by each.
            s.event = r.toStoredEvent();
        }
        staged.add(s);
        if (s.idempotencyKey != null) {
            pendingKeys.put(StoreIndex.scopedKey(s.scope, s.idempotencyKey), s);
        }
        p.nextSequence++;
        System.arraycopy(r.hash, 0, p.lastHash, 0, 32);
        return s.receipt;
    }

    private void rollback(int stagedBefore, int bufferBefore, Map<Coordinate, long[]> undo) {
        while (staged.size() > stagedBefore) {
            Staged s = staged.remove(staged.size() - 1);
            if (s.idempotencyKey != null) {
                pendingKeys.remove(StoreIndex.scopedKey(s.scope, s.idempotencyKey));
            }
        }
        buffer.rewindTo(bufferBefore);
        for (Map.Entry<Coordinate, long[]> u : undo.entrySet()) {
            PendingEntity p = overlay.get(u.getKey());
            long[] saved = u.getValue();
            p.nextSequence = saved[0];
            for (int w = 0; w < 4; w++) {
                long v = saved[1 + w];
                for (int b = 0; b < 8; b++) {
                    p.lastHash[w * 8 + b] = (byte) (v >>> (56 - 8 * b));
                }
            }
        }
    }

    /**
     * If the command just staged (from {@code cmdStart}) would push a non-empty segment past its
     * size limit, writes what came before it, seals the segment and moves the command into a new one,
     * so a batch never spans two segments.
     */
    private void rotateIfNeeded(int cmdStart) throws IOException {
        long projected = segment.size() + (buffer.size() - flushedUpTo);
        long beforeCmd = segment.size() + (cmdStart - flushedUpTo);
        if (projected <= config.segmentMaxBytes() || beforeCmd <= SegmentHeader.SIZE) {
            return;
        }
        flush(cmdStart);
        awaitSyncStage();
        force();
        // The next segment exists before this one is sealed: if creating it fails (a full disk), the
        // writer stays on this segment and the group can be cut back from it.
        ActiveSegment next = ActiveSegment.create(dataDir, segment.id + 1, config.wallClockMs().getAsLong() * 1000);
        long sealedSize = segment.size();
        segment.close();
        LOG.log(Level.INFO, "sealed segment {0} at {1} bytes", segment.file(), sealedSize);
        sealedBytes += sealedSize;
        segment = next;
        segments++;
        publishSizes();
    }

    /** Writes buffer bytes {@code [flushedUpTo, end)} to the active segment and fixes the positions of their events. */
    private void flush(int end) throws IOException {
        if (end <= flushedUpTo) {
            return;
        }
        long base = segment.size();
        for (int k = staged.size() - 1; k >= 0; k--) {
            Staged s = staged.get(k);
            if (s.bufferOffset < flushedUpTo) {
                break;
            }
            if (s.bufferOffset < end) {
                s.position = StoreIndex.packPosition(segment.id, base + (s.bufferOffset - flushedUpTo));
            }
        }
        segment.write(buffer.array(), flushedUpTo, end - flushedUpTo);
        flushedUpTo = end;
        dirty = true;
    }

    /**
     * Writes the group and stages it in the index, then makes it durable per the sync mode: hands it
     * to the sync stage (EVERY_COMMIT), or forces here if due and publishes and answers at once.
     */
    private void commitGroup(List<WriterCommand.Sync> syncs, boolean closing) {
        boolean forceWanted = closing || !syncs.isEmpty();
        try {
            if (failure != null) {
                throw new IOException("writer failed while staging this group", failure);
            }
            if (groupWriteFailure != null) {
                throw groupWriteFailure;
            }
            flush(buffer.size());
        } catch (IOException | RuntimeException e) {
            StoreException f = cutBackFailedGroup(e) ? writeFailed(e) : unavailable();
            staged.clear();
            for (Completion c : completions) {
                c.future().completeExceptionally(f);
            }
            syncs.forEach(sync -> sync.fail(f));
            return;
        }
        for (Staged s : staged) {
            EntityState e = s.entity.state;
            if (e == null) {
                e = index.entityOrCreate(s.entity.coordinate);
                s.entity.state = e;
            }
            int idx = index.apply(s.idHi, s.idLo, e, s.kind, s.position, s.hash, s.idempotencyKey, s.fingerprintHi,
                    s.fingerprintLo);
            if (s.event != null) {
                hub.cache(idx, s.event);
            }
        }
        eventsSinceCheckpoint += staged.size();
        groupCommits++;
        publishSizes();
        if (config.syncMode() == SyncMode.EVERY_COMMIT) {
            if (!completions.isEmpty() || forceWanted) {
                handOff(new SyncBatch(segment, index.stagedCount(), List.copyOf(completions), List.copyOf(syncs)));
            }
            return;
        }
        try {
            if (forceWanted || config.syncMode() == SyncMode.INTERVAL && dirty
                    && System.nanoTime() - lastForceNanos >= config.syncIntervalMs() * 1_000_000L) {
                force();
            }
        } catch (IOException e) {
            markFailed(e);
        }
        answer(new SyncBatch(segment, index.stagedCount(), completions, syncs));
    }

    /** Publishes a durable group and answers its callers, or fails them if the writer failed. */
    private void answer(SyncBatch b) {
        if (failure != null) {
            StoreException f = unavailable();
            b.completions().forEach(c -> c.future().completeExceptionally(f));
            b.syncs().forEach(sync -> sync.fail(f));
            return;
        }
        index.publishUpTo(b.indexCount());
        for (Completion c : b.completions()) {
            c.future().complete(c.receipts());
        }
        b.syncs().forEach(sync -> sync.future.complete(null));
        SubscriptionHub h = hub;
        if (h != null) {
            h.published();
        }
    }

    private void handOff(SyncBatch batch) {
        groupsHandedOff++;
        try {
            syncQueue.put(batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            markFailed(e);
            answer(batch);
        }
    }

    /** Waits until the sync stage has forced and answered every group handed to it (writer thread). */
    private void awaitSyncStage() {
        synchronized (syncProgress) {
            while (groupsSynced < groupsHandedOff) {
                try {
                    syncProgress.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    markFailed(e);
                    return;
                }
            }
        }
    }

    /**
     * The sync stage: forces the segment once for every group queued since its last force, then
     * publishes and answers those groups in order. Runs on its own thread until the writer stops it.
     */
    Runnable syncStage() {
        return () -> {
            List<SyncBatch> batches = new ArrayList<>();
            while (true) {
                try {
                    batches.add(syncQueue.take());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    markFailed(e);
                    return;
                }
                // Coalesce: if the writer is mid-group, its hand-off is microseconds away, and one
                // fsync for both groups beats two (bounded, so a slow group cannot delay this one long).
                long waitUntil = System.nanoTime() + COALESCE_NANOS;
                while (writerBusy && syncQueue.isEmpty() && System.nanoTime() < waitUntil) {
                    Thread.onSpinWait();
                }
                syncQueue.drainTo(batches);
                boolean stop = batches.remove(STOP);
                if (!batches.isEmpty() && failure == null) {
                    try {
                        // Rotation waits for this stage before switching segments, so all batches share one.
                        timedForce(batches.get(batches.size() - 1).segment());
                    } catch (IOException | RuntimeException e) {
                        markFailed(e);
                    }
                }
                for (SyncBatch b : batches) {
                    answer(b);
                }
                synchronized (syncProgress) {
                    groupsSynced += batches.size() + (stop ? 1 : 0);
                    syncProgress.notifyAll();
                }
                batches.clear();
                if (stop) {
                    return;
                }
            }
        };
    }

    /**
     * Cuts a group whose write failed out of the active segment. Returns true if the writer can go
     * on: the failure was a write (not an fsync, not a bug) in the segment the group began in, and
     * the cut succeeded. Otherwise the writer is marked failed.
     */
    private boolean cutBackFailedGroup(Exception e) {
        boolean recoverable = failure == null && (e instanceof IOException || e instanceof UncheckedIOException);
        if (recoverable && segment.id != groupStartSegmentId) {
            // Part of the group was sealed into the previous segment: it cannot be cut back from there.
            recoverable = false;
        }
        if (segment.id == groupStartSegmentId) {
            try {
                segment.truncateTo(groupStartSize);
                publishSizes();
            } catch (IOException t) {
                LOG.log(Level.WARNING, "could not cut the failed group from " + segment.file(), t);
                e.addSuppressed(t);
                recoverable = false;
            }
        }
        if (!recoverable) {
            markFailed(e);
            return false;
        }
        LOG.log(Level.WARNING, "writing to {0} failed ({1}); rejected the group and cut the segment back to {2} bytes",
                segment.file(), e.getMessage(), groupStartSize);
        return true;
    }

    private static StoreException writeFailed(Exception e) {
        return new StoreException(ErrorCode.UNAVAILABLE, "the write failed and nothing of it was stored (" + e.getMessage()
                + "); retry later", e);
    }

    /** Forces the active segment; a failed fsync fails the writer for good (see the class comment). */
    private void force() throws IOException {
        try {
            timedForce(segment);
        } catch (IOException e) {
            markFailed(e);
            throw e;
        }
        lastForceNanos = System.nanoTime();
        dirty = false;
    }

    /** Forces a segment and records the latency; called by the writer and by the sync stage. */
    private void timedForce(ActiveSegment target) throws IOException {
        long t0 = System.nanoTime();
        target.force();
        long took = System.nanoTime() - t0;
        fsyncLatency.record(took);
        synchronized (syncProgress) {
            fsyncs++;
            fsyncNanosTotal += took;
            if (took > fsyncNanosMax) {
                fsyncNanosMax = took;
            }
        }
    }

    private boolean writeCheckpoint() {
        try {
            // A checkpoint must never cover bytes that a power loss could still take away.
            if (dirty) {
                force();
            }
            CheckpointFile.write(dataDir, index, clock, segment.id, segment.size());
            eventsSinceCheckpoint = 0;
            return true;
        } catch (IOException | RuntimeException e) {
            if (dirty) {
                // The force itself failed: the log's state is unknown.
                markFailed(e);
                return false;
            }
            // A checkpoint is only a cache: the log is intact, so keep serving writes.
            LOG.log(Level.WARNING, "writing the index checkpoint failed; the next start will scan more of the log", e);
            return true;
        }
    }

    private void publishSizes() {
        segmentCount = segments;
        bytesOnDisk = sealedBytes + segment.size();
    }
}
