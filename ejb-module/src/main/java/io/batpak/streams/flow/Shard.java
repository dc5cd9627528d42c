package io.batpak.streams.flow;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Completions;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.Streams;
import io.batpak.streams.TxStatement;
import io.batpak.streams.flow.FlowCodec.Source;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One shard of a derivation: its committed state and checkpoint in memory, rebuilt from the records
 * of its entity {@code derivation:<name>/<shard>}, and {@link #step}, which applies a batch of its
 * source events and commits the outcome as one atomic batch. The first record of each batch expects
 * the entity's last sequence, so a runner whose view is stale (another runner of the shard
 * committed) fails with SEQUENCE_MISMATCH, writes nothing, and reloads before its next step. A
 * step that fails for any reason changes nothing in memory. Thread-safe: guarded by its monitor.
 */
final class Shard {
    private static final int PAGE = 1000;
    /** Marks a key deleted in a step's pending changes. */
    private static final byte[] DELETED = new byte[0];

    final int index;
    final Coordinate entity;
    private final EventStore store;
    private final Streams streams;
    private final Derivation derivation;
    private final DerivationConfig config;
    private final Caller caller;
    /** Committed state, key to value. Guarded by this. */
    private final Map<String, byte[]> state = new HashMap<>();
    /** Committed checkpoint: next offset per source partition (absent: 0). Guarded by this. */
    private final Map<Source, Long> checkpoint = new HashMap<>();
    /** The entity's last sequence as this shard knows it. Guarded by this. */
    private long lastSequence = AppendOptions.NO_EVENTS;
    /** Whether memory must be rebuilt from the log before the next step. Guarded by this. */
    private boolean stale = true;

    Shard(EventStore store, Streams streams, Derivation derivation, DerivationConfig config, Caller caller, int index) {
        this.store = store;
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

    /** Rebuilds state, checkpoint and last sequence from the entity's records (the first is INIT). */
    private void load() {
        state.clear();
        checkpoint.clear();
        lastSequence = AppendOptions.NO_EVENTS;
        for (long from = 0; ; ) {
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
            if (page.size() < PAGE) {
                break;
            }
            from = page.get(page.size() - 1).sequence() + 1;
        }
        if (lastSequence == AppendOptions.NO_EVENTS) {
            throw new StoreException(ErrorCode.NOT_FOUND, "derivation " + derivation.name() + " shard " + index
                    + " has no records; it was deleted while running");
        }
    }

    /**
     * Reads up to about {@code batchSize} source events past the checkpoint (split evenly over the
     * source partitions, each in offset order), applies those of this shard and commits; returns how
     * many source events it read (0: caught up, nothing written).
     */
    synchronized int step() {
        if (stale) {
            load();
            stale = false;
        }
        List<Source> sources = new ArrayList<>();
        for (String s : derivation.sources()) {
            int n = streams.partitions(s);
            if (n == 0) {
                throw new StoreException(ErrorCode.NOT_FOUND, "derivation " + derivation.name()
                        + ": source stream " + s + " does not exist");
            }
            for (int p = 0; p < n; p++) {
                sources.add(new Source(s, p));
            }
        }
        int perPartition = Math.max(1, config.batchSize() / sources.size());
        Map<String, byte[]> pending = new LinkedHashMap<>();
        List<TxStatement.Publish> out = new ArrayList<>();
        Emitter emitter = (stream, key, kind, payload) -> emit(out, stream, key, kind, payload);
        Map<Source, Long> next = new HashMap<>(checkpoint);
        int read = 0;
        int added = 0; // keys the pending changes add to the committed state, net
        for (Source s : sources) {
            List<StoredEvent> events = streams.readPartition(s.stream(), s.partition(), next.getOrDefault(s, 0L),
                    perPartition);
            for (StoredEvent e : events) {
                String key = derivation.shuffleKey(e);
                key = key == null ? "" : key;
                if (DerivationRunner.shardOf(key, derivation.shards()) == index) {
                    View view = new View(key, pending, added);
                    derivation.apply(e, view, emitter);
                    added = view.added;
                    checkBudget(added);
                }
                next.put(s, e.sequence() + 1);
            }
            read += events.size();
        }
        if (read > 0) {
            commit(pending, out, next);
        }
        return read;
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
    }

    private AppendRequest record(boolean first, EventKind kind, byte[] payload) {
        return new AppendRequest(entity, kind, payload,
                first ? AppendOptions.NONE.withExpectedSequence(lastSequence) : AppendOptions.NONE);
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
