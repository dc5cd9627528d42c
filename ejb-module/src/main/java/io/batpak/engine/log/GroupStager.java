package io.batpak.engine.log;

import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.ConditionFailedException;
import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventQuery;
import io.batpak.engine.SequenceMismatchException;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.index.EntityState;
import io.batpak.engine.index.IdempotencyRecord;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.subscription.SubscriptionHub;
import io.batpak.engine.util.GrowableBuffer;
import io.batpak.engine.util.HybridClock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds one group commit's bytes: checks each append command (compare-and-swap, idempotency,
 * keyed batches repeated whole, conditions over other entities' events), gives its events their sequences, global sequences and chain
 * hashes over a per-group view of the entities they touch, and encodes their frames into the
 * group's buffer. A command that is refused leaves nothing behind: its frames are cut from the
 * buffer and the entities it touched get back the view they had before it. The index is not
 * touched; the writer applies {@link #staged()} once the group is written.
 *
 * <p>Threading: confined to the writer thread (every field, including the buffer it shares with
 * {@link LogWriter}).
 */
final class GroupStager {
    private final StoreIndex index;
    private final HybridClock clock;
    private final GrowableBuffer buffer;
    private final FrameCodec codec;
    private final EventHasher hasher = new EventHasher();
    private final LogRecord record = new LogRecord();
    /** Per-group view of entities touched by staged events: next sequence and chain head. */
    private final Map<Coordinate, PendingEntity> overlay = new HashMap<>();
    /** Idempotency keys staged in this group, by {@link StoreIndex#scopedKey}. */
    private final Map<String, Staged> pendingKeys = new HashMap<>();
    private final List<Staged> staged = new ArrayList<>();
    /** Numbers the commands staged, so each entity's undo state says which command saved it. */
    private int commandNo;
    /** Set once the store is open (replays read their receipt's hash back). */
    private SegmentReader reader;
    /** Set once the store is open; decides whether staged events are built for subscribers. */
    private volatile SubscriptionHub hub;

    static final class PendingEntity {
        final Coordinate coordinate;
        /** The index's entry for this entity; null until its first event is applied. */
        EntityState state;
        final byte[] nameUtf8;
        long nextSequence;
        final byte[] lastHash = new byte[32];
        /** The command that saved the undo state below (-1: none); a rejected command puts it back. */
        int undoCommand = -1;
        long undoNextSequence;
        final byte[] undoHash = new byte[32];

        /** Remembers where this entity stood before command {@code command} first touched it. */
        void saveFor(int command) {
            if (undoCommand != command) {
                undoCommand = command;
                undoNextSequence = nextSequence;
                System.arraycopy(lastHash, 0, undoHash, 0, 32);
            }
        }

        /** Puts back what {@link #saveFor} saved for {@code command}, once. */
        void restoreFor(int command) {
            if (undoCommand == command) {
                nextSequence = undoNextSequence;
                System.arraycopy(undoHash, 0, lastHash, 0, 32);
                undoCommand = -1;
            }
        }

        PendingEntity(Coordinate coordinate, EntityState state) {
            this.coordinate = coordinate;
            this.state = state;
            this.nameUtf8 = state != null ? state.nameUtf8
                    : coordinate.entity().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** One event encoded in this group, waiting for the group's write and fsync. */
    static final class Staged {
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

    GroupStager(StoreIndex index, HybridClock clock, GrowableBuffer buffer) {
        this.index = index;
        this.clock = clock;
        this.buffer = buffer;
        this.codec = new FrameCodec(buffer);
    }

    void attach(SegmentReader segmentReader, SubscriptionHub subscriptionHub) {
        if (segmentReader != null) {
            this.reader = segmentReader;
        }
        if (subscriptionHub != null) {
            this.hub = subscriptionHub;
        }
    }

    /** Starts a new group: nothing staged, every entity as the index has it. */
    void begin() {
        staged.clear();
        overlay.clear();
        pendingKeys.clear();
    }

    /** The events staged in this group, in log order. */
    List<Staged> staged() {
        return staged;
    }

    /**
     * Stages one command: its receipts, which are the original ones when it repeats keyed appends
     * already made (nothing is encoded then). A refused command throws its {@link StoreException}
     * and leaves the group as it was before it.
     */
    List<AppendReceipt> stage(WriterCommand.Append a) {
        int stagedBefore = staged.size();
        int bufferBefore = buffer.size();
        commandNo++;
        try {
            List<AppendReceipt> replays = validate(a);
            if (replays != null) {
                return replays;
            }
            List<AppendReceipt> receipts = new ArrayList<>(a.items.size());
            for (int i = 0; i < a.items.size(); i++) {
                receipts.add(encode(a, i));
            }
            return receipts;
        } catch (StoreException e) {
            rollback(stagedBefore, bufferBefore);
            throw e;
        }
    }

    /** Checks CAS conditions and idempotency; returns replayed receipts if this is an idempotent repeat. */
    private List<AppendReceipt> validate(WriterCommand.Append a) {
        // A repeat answers its original receipts before any condition is checked: its
        // expectedSequence held when it first committed, and the entity has moved on since.
        List<AppendReceipt> replays = replayOf(a);
        if (replays != null) {
            return replays;
        }
        if (a.condition != null) {
            checkCondition(a.condition);
        }
        if (!anyExpectedSequence(a)) {
            return null; // the common case: nothing to compare, so no per-batch bookkeeping
        }
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
        return null;
    }

    /**
     * Fails if an event matching the condition came after its position: one the index holds
     * (published, or applied and waiting for its group's fsync) or one staged earlier in this group.
     */
    private void checkCondition(AppendCondition c) {
        int[] hit = index.query(c.failIfEventsMatch(), c.after(), 1, index.stagedCount());
        if (hit.length > 0) {
            throw new ConditionFailedException(hit[0] + 1L, c.after());
        }
        EventQuery q = c.failIfEventsMatch();
        for (Staged s : staged) {
            if (s.receipt.globalSequence() > c.after() && q.matches(s.entity.coordinate.entity(), s.scope, s.kind)) {
                throw new ConditionFailedException(s.receipt.globalSequence(), c.after());
            }
        }
    }

    private static boolean anyExpectedSequence(WriterCommand.Append a) {
        for (AppendRequest item : a.items) {
            if (item.options().expectedSequence() != null) {
                return true;
            }
        }
        return false;
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

    private AppendReceipt encode(WriterCommand.Append a, int i) {
        AppendRequest item = a.items.get(i);
        Coordinate entity = item.coordinate();
        PendingEntity p = pending(entity);
        p.saveFor(commandNo);
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
        r.payloadVersion = item.payloadVersion();
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

    /**
     * Drops the events staged by the current command and puts back the entities they moved (an
     * entity is moved only after its event is staged, so the staged events name every one).
     */
    private void rollback(int stagedBefore, int bufferBefore) {
        while (staged.size() > stagedBefore) {
            Staged s = staged.remove(staged.size() - 1);
            if (s.idempotencyKey != null) {
                pendingKeys.remove(StoreIndex.scopedKey(s.scope, s.idempotencyKey));
            }
            s.entity.restoreFor(commandNo);
        }
        buffer.rewindTo(bufferBefore);
    }
}
