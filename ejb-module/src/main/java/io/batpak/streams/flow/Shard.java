package io.batpak.streams.flow;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Completions;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.Streams;
import io.batpak.streams.TxStatement;
import io.batpak.streams.flow.FlowCodec.Source;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One shard of a derivation: its committed state and checkpoint in memory, rebuilt from the records
 * of its entity {@code derivation:<name>/<shard>} (from its {@link ShardSnapshot} if a valid one
 * covers a prefix of them, plus the records after it), and {@link #step}, which applies a batch of its
 * source events and commits the outcome as one atomic batch. The first record of each batch expects
 * the entity's last sequence, so a runner whose view is stale (another runner of the shard
 * committed) fails with SEQUENCE_MISMATCH, writes nothing, and reloads before its next step. A
 * step that fails for any reason changes nothing in memory. Thread-safe: guarded by its monitor.
 */
final class Shard {
    private static final Logger LOG = System.getLogger(Shard.class.getName());
    private static final int PAGE = 1000;
    /** Kind category reserved to the store's own records (streams', pipelines', derivations'): never a region's source event. */
    private static final int RESERVED_CATEGORY = 0xE;
    /** The partition of a region's checkpoint entry. */
    static final int REGION_PARTITION = -1;
    /** Marks a key deleted in a step's pending changes. */
    private static final byte[] DELETED = new byte[0];

    final int index;
    final Coordinate entity;
    private final EventStore store;
    private final Streams streams;
    /** Source partition reads, shared with the runner's other shards. */
    private final PartitionReads reads;
    private final Derivation derivation;
    private final DerivationConfig config;
    private final Caller caller;
    /** Committed state, key to value. Guarded by this. */
    private final Map<String, byte[]> state = new HashMap<>();
    /** Committed checkpoint: next offset per source partition (absent: 0). Guarded by this. */
    private final Map<Source, Long> checkpoint = new HashMap<>();
    /** The entity's last sequence as this shard knows it. Guarded by this. */
    private long lastSequence = AppendOptions.NO_EVENTS;
    /** The entity sequence the last snapshot written or loaded covers. Guarded by this. */
    private long snapshotSequence = AppendOptions.NO_EVENTS;
    /** How many records the last rebuild replayed after its snapshot (all of them without one). Guarded by this. */
    private long replayedAtLoad;
    /** Whether memory must be rebuilt from the log before the next step. Guarded by this. */
    private boolean stale = true;

    Shard(EventStore store, Streams streams, PartitionReads reads, Derivation derivation, DerivationConfig config,
          Caller caller, int index) {
        this.store = store;
        this.reads = reads;
        this.streams = streams;
        this.derivation = derivation;
        this.config = config;
        this.caller = caller;
        this.index = index;
        this.entity = entity(derivation.name(), index);
    }

    static Coordinate entity(String derivation, int shard) {
        return new Coordinate("derivation:" + derivation + "/" + shard, derivation);
    }

    /**
     * Rebuilds state, checkpoint and last sequence from the entity's records (the first is INIT):
     * from its snapshot if one passes every check, plus the records after it; else from the start.
     */
    private void load() {
        state.clear();
        checkpoint.clear();
        lastSequence = AppendOptions.NO_EVENTS;
        snapshotSequence = AppendOptions.NO_EVENTS;
        long from = 0;
        if (config.snapshotEveryRecords() > 0) {
            Optional<ShardSnapshot.Content> snap = ShardSnapshot.read(snapshotFile(), derivation.name(),
                    derivation.shards(), index);
            if (snap.isPresent() && inLog(snap.get())) {
                state.putAll(snap.get().state());
                checkpoint.putAll(snap.get().checkpoint());
                lastSequence = snap.get().sequence();
                snapshotSequence = lastSequence;
                from = lastSequence + 1;
            }
        }
        long replayed = 0;
        for (; ; ) {
            List<StoredEvent> page = store.readEntity(EntityQuery.of(entity).withFrom(from).withLimit(PAGE));
            for (StoredEvent e : page) {
                if (e.kind().equals(FlowCodec.STATE)) {
                    FlowCodec.StateChange c = FlowCodec.readState(e.payload());
                    if (c.value() == null) {
                        state.remove(c.key());
                    } else {
                        state.put(c.key(), c.value());
                    }
                } else if (e.kind().equals(FlowCodec.CHECKPOINT)) {
                    checkpoint.clear();
                    checkpoint.putAll(FlowCodec.readCheckpoint(e.payload()));
                }
                lastSequence = e.sequence();
            }
            replayed += page.size();
            if (page.size() < PAGE) {
                break;
            }
            from = page.get(page.size() - 1).sequence() + 1;
        }
        replayedAtLoad = replayed;
        if (lastSequence == AppendOptions.NO_EVENTS) {
            throw new StoreException(ErrorCode.NOT_FOUND, "derivation " + derivation.name() + " shard " + index
                    + " has no records; it was deleted while running");
        }
    }

    private Path snapshotFile() {
        return ShardSnapshot.path(store.config().dataDir(), derivation.name(), index);
    }

    /** Whether the log holds, at the snapshot's sequence, the record whose chain hash it recorded (so the same history). */
    private boolean inLog(ShardSnapshot.Content snap) {
        List<StoredEvent> at = store.readEntity(EntityQuery.of(entity).withFrom(snap.sequence()).withLimit(1));
        if (!at.isEmpty() && at.get(0).sequence() == snap.sequence() && Arrays.equals(at.get(0).hash(), snap.hash())) {
            return true;
        }
        LOG.log(Level.WARNING, "derivation {0} shard {1}: ignoring its snapshot of record {2}, which the log does not"
                + " hold (or holds another record there, e.g. after a crash lost the commit); rebuilding from the log",
                derivation.name(), index, snap.sequence());
        return false;
    }

    /** After a commit: writes a snapshot if {@code snapshotEveryRecords} records were committed since the last one. */
    private void maybeSnapshot() {
        long every = config.snapshotEveryRecords();
        if (every <= 0 || lastSequence - snapshotSequence < every) {
            return;
        }
        List<StoredEvent> last = store.readEntity(EntityQuery.of(entity).withFrom(lastSequence).withLimit(1));
        if (last.isEmpty() || last.get(0).sequence() != lastSequence) {
            return; // cannot see its own commit yet: try after the next step
        }
        ShardSnapshot.write(snapshotFile(), new ShardSnapshot.Content(derivation.name(), derivation.shards(), index,
                lastSequence, last.get(0).hash(), Map.copyOf(checkpoint), new HashMap<>(state)));
        snapshotSequence = lastSequence;
    }

    /**
     * Reads up to about {@code batchSize} source events past the checkpoint (split evenly over the
     * source partitions and regions, each in its own order: offsets, global sequence), applies those
     * of this shard and commits; returns how many source events it read, not counting the store's
     * reserved records a region skips (0: caught up, nothing written).
     */
    synchronized int step() {
        if (stale) {
            load();
            stale = false;
        }
        List<Source> partitions = new ArrayList<>();
        for (String s : derivation.sources()) {
            int n = streams.partitions(s);
            if (n == 0) {
                throw new StoreException(ErrorCode.NOT_FOUND, "derivation " + derivation.name()
                        + ": source stream " + s + " does not exist");
            }
            for (int p = 0; p < n; p++) {
                partitions.add(new Source(s, p));
            }
        }
        List<Region> regions = derivation.regionSources();
        int perSource = Math.max(1, config.batchSize() / (partitions.size() + regions.size()));
        Map<String, byte[]> pending = new LinkedHashMap<>();
        List<TxStatement.Publish> out = new ArrayList<>();
        Emitter emitter = (stream, key, kind, payload) -> emit(out, stream, key, kind, payload);
        Map<Source, Long> next = new HashMap<>(checkpoint);
        Step step = new Step(pending, emitter);
        int read = 0;
        for (Source s : partitions) {
            List<StoredEvent> events = reads.read(s, next.getOrDefault(s, 0L), perSource);
            for (StoredEvent e : events) {
                step.apply(e);
            }
            if (!events.isEmpty()) {
                next.put(s, events.get(events.size() - 1).sequence() + 1);
            }
            read += events.size();
        }
        for (Region r : regions) {
            Source s = regionSource(r);
            long after = Math.max(r.afterGlobalSequence(), next.getOrDefault(s, 0L) - 1);
            // Reserved records (this derivation's own commits among them) are skipped and not counted,
            // else each shard's commit would be new work for the others, for ever. Page past them in
            // this step so a run of them cannot hold the position back; a step that finds only them
            // up to the head commits nothing and rescans them next time (at most the last steps' commits).
            int delivered = 0;
            for (boolean more = true; more && delivered == 0; ) {
                List<StoredEvent> events = store.read(r.withAfter(after).withLimit(perSource));
                for (StoredEvent e : events) {
                    if (e.kind().category() != RESERVED_CATEGORY) {
                        step.apply(e);
                        delivered++;
                    }
                    after = e.globalSequence();
                }
                more = events.size() == perSource;
            }
            next.put(s, after + 1);
            read += delivered;
        }
        if (read > 0) {
            commit(pending, out, next);
        }
        return read;
    }

    /**
     * The checkpoint entry of a region source: partition -1 (no stream partition has it) and its
     * filter as text, so a reordered list keeps each region's position and a changed filter starts
     * from the beginning. Its value is the next global sequence to read.
     */
    static Source regionSource(Region r) {
        return new Source("region:" + r.entityPrefix() + "|" + r.scope() + "|" + r.kind() + "|" + r.category()
                + "|" + r.minSequence() + "|" + r.maxSequence(), REGION_PARTITION);
    }

    /** The events of one step: applies those of this shard, tracking the key budget. Used by the stepping thread only. */
    private final class Step {
        private final Map<String, byte[]> pending;
        private final Emitter emitter;
        /** Keys the pending changes add to the committed state, net. */
        private int added;

        Step(Map<String, byte[]> pending, Emitter emitter) {
            this.pending = pending;
            this.emitter = emitter;
        }

        void apply(StoredEvent e) {
            String key = derivation.shuffleKey(e);
            key = key == null ? "" : key;
            if (DerivationRunner.shardOf(key, derivation.shards()) == index) {
                View view = new View(key, pending, added);
                derivation.apply(e, view, emitter);
                added = view.added;
                checkBudget(added);
            }
        }
    }

    private static void emit(List<TxStatement.Publish> out, String stream, String key, EventKind kind, byte[] payload) {
        out.add(new TxStatement.Publish(stream, new StreamEvent(key, kind, payload)));
    }

    /** Fails the step if committed keys plus the step's net new keys ({@code added}) exceed the budget. */
    private void checkBudget(int added) {
        int keys = state.size() + added;
        if (keys > config.maxKeysPerShard()) {
            throw new KeyBudgetExceededException("derivation " + derivation.name() + " shard " + index + " would hold "
                    + keys + " keys, more than its budget of " + config.maxKeysPerShard()
                    + " (maxKeysPerShard); nothing of this step was committed");
        }
    }

    /** Writes state changes, then the checkpoint, then the derived events, as one batch expecting the last sequence. */
    private void commit(Map<String, byte[]> pending, List<TxStatement.Publish> out, Map<Source, Long> next) {
        List<AppendRequest> records = new ArrayList<>(pending.size() + 1);
        for (Map.Entry<String, byte[]> e : pending.entrySet()) {
            records.add(record(records.isEmpty(), FlowCodec.STATE,
                    FlowCodec.state(e.getKey(), e.getValue() == DELETED ? null : e.getValue())));
        }
        records.add(record(records.isEmpty(), FlowCodec.CHECKPOINT, FlowCodec.checkpoint(next)));
        try {
            Completions.await(streams.publishWithRecords(records, out, caller));
        } catch (RuntimeException e) {
            stale = true; // it may have been written after all, or another runner moved on: the log decides
            throw e;
        }
        for (Map.Entry<String, byte[]> e : pending.entrySet()) {
            if (e.getValue() == DELETED) {
                state.remove(e.getKey());
            } else {
                state.put(e.getKey(), e.getValue());
            }
        }
        checkpoint.clear();
        checkpoint.putAll(next);
        lastSequence += records.size();
        maybeSnapshot();
    }

    private AppendRequest record(boolean first, EventKind kind, byte[] payload) {
        return new AppendRequest(entity, kind, payload,
                first ? AppendOptions.NONE.withExpectedSequence(lastSequence) : AppendOptions.NONE);
    }

    /** How many records the last rebuild replayed (after its snapshot, if it used one). */
    synchronized long replayedAtLoad() {
        return replayedAtLoad;
    }

    /** The committed value of {@code key}, or null. */
    synchronized byte[] get(String key) {
        if (stale) {
            load();
            stale = false;
        }
        byte[] v = state.get(key);
        return v == null ? null : v.clone();
    }

    /** A copy of the committed state. */
    synchronized Map<String, byte[]> snapshot() {
        if (stale) {
            load();
            stale = false;
        }
        Map<String, byte[]> copy = new HashMap<>();
        state.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /**
     * A copy of the committed checkpoint: the next offset of each source partition this shard has
     * read past (a partition it has not read yet is absent: 0). Loads the shard first if needed.
     */
    synchronized Map<Source, Long> committedCheckpoint() {
        if (stale) {
            load();
            stale = false;
        }
        return new HashMap<>(checkpoint);
    }

    /** A key's state during a step: committed values overlaid by {@code pending}. */
    private final class View implements KeyedState {
        private final String key;
        private final Map<String, byte[]> pending;
        /** Net keys the step's pending changes add to the committed state, updated by put and delete. */
        int added;

        View(String key, Map<String, byte[]> pending, int added) {
            this.key = key;
            this.pending = pending;
            this.added = added;
        }

        private boolean present() {
            byte[] p = pending.get(key);
            return p != null ? p != DELETED : state.containsKey(key);
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public byte[] get() {
            byte[] p = pending.get(key);
            if (p != null) {
                return p == DELETED ? null : p.clone();
            }
            byte[] v = state.get(key);
            return v == null ? null : v.clone();
        }

        @Override
        public void put(byte[] value) {
            if (value == null) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "a state value may not be null; use delete()");
            }
            added += present() ? 0 : 1;
            pending.put(key, value.clone()); // a fresh array, never DELETED itself
        }

        @Override
        public void delete() {
            added -= present() ? 1 : 0;
            pending.put(key, DELETED);
        }
    }
}
