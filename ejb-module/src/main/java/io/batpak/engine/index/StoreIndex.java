package io.batpak.engine.index;

import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventQuery;
import io.batpak.engine.IndexEntry;
import io.batpak.engine.Region;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The in-memory index of every committed event, kept as primitive columns in fixed-size chunks
 * (no object per event): event id, entity id, scope id, kind, per-entity sequence and disk
 * position, addressed by the event's global index (its global sequence minus one). Auxiliary
 * lists give each entity, scope, kind and kind category its ascending global indexes; an
 * open-addressing table finds events by id.
 *
 * <p>Threading: one writer thread calls the mutating methods ({@code add}, {@code publish},
 * {@code entityOrCreate}, …); any number of readers query concurrently without locks. Readers see
 * exactly the events published by the last {@link #publish()}, so a multi-event group becomes
 * visible at once. Rebuilt on recovery from the log or a checksummed checkpoint; never persisted
 * unchecked.
 */
public final class StoreIndex {
    /** 32768 slots: a long column (256 KiB) stays under half a 1 MiB G1 region, so it is never humongous. */
    static final int CHUNK_BITS = 15;
    static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    static final int CHUNK_MASK = CHUNK_SIZE - 1;
    private static final int OFFSET_BITS = 40;
    private static final int MAX_EVENTS = Integer.MAX_VALUE - 1;

    /** One chunk of columns; arrays never move once allocated. */
    static final class Chunk {
        final long[] idHi = new long[CHUNK_SIZE];
        final long[] idLo = new long[CHUNK_SIZE];
        final long[] position = new long[CHUNK_SIZE];
        final int[] entity = new int[CHUNK_SIZE];
        final int[] scope = new int[CHUNK_SIZE];
        final int[] sequence = new int[CHUNK_SIZE];
        final char[] kind = new char[CHUNK_SIZE];
    }

    private volatile Chunk[] chunks = new Chunk[8];
    private volatile int published;
    private int staged;

    /** Event id → global index. */
    private final IdTable ids = new IdTable();
    /** Recovery only: first event whose id is not in the id table yet (-1: none deferred). */
    private int deferredIdsFrom = -1;

    /** Keyed by {@link EntityState#sortKey}: entity name, then scope. Writer-written, read by anyone. */
    private final ConcurrentSkipListMap<String, EntityState> entitiesSorted = new ConcurrentSkipListMap<>();
    private volatile EntityState[] entitiesById = new EntityState[64];
    /** Written by the writer thread only (volatile so stats read it from any thread). */
    private volatile int entityCount;
    private final ConcurrentHashMap<String, ScopeState> scopes = new ConcurrentHashMap<>();
    private volatile ScopeState[] scopesById = new ScopeState[16];
    private int scopeCount;
    private final AtomicReferenceArray<IntList> byKind = new AtomicReferenceArray<>(1 << 16);
    private final AtomicReferenceArray<IntList> byCategory = new AtomicReferenceArray<>(16);
    /** Keyed by {@link #scopedKey}: one namespace per scope. Writer-written, read by anyone. */
    private final Map<String, IdempotencyRecord> idempotency = new ConcurrentHashMap<>();
    /** What is past retention; set once by the facade after recovery (null before: nothing hidden). */
    private volatile Retention retention;

    // ---- positions ----

    public static long packPosition(long segmentId, long offset) {
        return segmentId << OFFSET_BITS | offset;
    }

    public static long segmentOf(long position) {
        return position >>> OFFSET_BITS;
    }

    public static long offsetOf(long position) {
        return position & ((1L << OFFSET_BITS) - 1);
    }

    // ---- writer side ----

    /** The idempotency table's key: a client key is unique within its scope only. */
    public static String scopedKey(String scope, String key) {
        return scope + '\0' + key;
    }

    public EntityState entity(Coordinate coordinate) {
        return entity(coordinate.entity(), coordinate.scope());
    }

    /** The entity {@code name@scope}, or null; allocates nothing (the writer's and recovery's hot path). */
    public EntityState entity(String name, String scope) {
        ScopeState s = scopes.get(scope);
        return s == null ? null : s.entities.get(name);
    }

    /**
     * Every entity with this name, one per scope it has events in (some possibly only staged), in
     * scope order.
     */
    public List<EntityState> entitiesNamed(String name) {
        return new ArrayList<>(entitiesSorted.subMap(name + '\0', true, name + '\1', false).values());
    }

    public EntityState entityOrCreate(Coordinate coordinate) {
        return entityOrCreate(coordinate.entity(), coordinate.scope());
    }

    /** The entity {@code name@scope}, created (with its scope) if new; writer thread or recovery only. */
    public EntityState entityOrCreate(String name, String scope) {
        EntityState e = entity(name, scope);
        if (e == null) {
            Coordinate coordinate = new Coordinate(name, scope);
            ScopeState s = scopeOrCreate(scope);
            e = new EntityState(coordinate, entityCount, s);
            EntityState[] byId = entitiesById;
            if (entityCount == byId.length) {
                byId = Arrays.copyOf(byId, byId.length * 2);
            }
            byId[entityCount] = e;
            entitiesById = byId;
            entityCount++;
            s.entities.put(name, e);
            entitiesSorted.put(EntityState.sortKey(coordinate), e);
        }
        return e;
    }

    public ScopeState scopeOrCreate(String name) {
        ScopeState s = scopes.get(name);
        if (s == null) {
            s = new ScopeState(name, scopeCount);
            ScopeState[] byId = scopesById;
            if (scopeCount == byId.length) {
                byId = Arrays.copyOf(byId, byId.length * 2);
            }
            byId[scopeCount] = s;
            scopesById = byId;
            scopeCount++;
            scopes.put(name, s);
        }
        return s;
    }

    /**
     * The one way an event enters the index, whether the writer just wrote it, recovery read it from
     * a segment, or a checkpoint lists it: stages it at the next global index (invisible until
     * {@link #publish()}), moves its entity's chain head to {@code hash} (null: the head comes from
     * elsewhere, as a checkpoint's entity table) and records its idempotency key (null: none) under
     * {@link #scopedKey}. Returns the event's global index. Writer thread, or recovery before open.
     */
    public int apply(long idHi, long idLo, EntityState entity, int kind, long position, byte[] hash, String idempotencyKey,
              long fingerprintHi, long fingerprintLo) {
        int idx = add(idHi, idLo, entity, kind, position);
        if (hash != null) {
            System.arraycopy(hash, 0, entity.lastHash, 0, 32);
        }
        if (idempotencyKey != null) {
            idempotency.put(scopedKey(entity.coordinate.scope(), idempotencyKey),
                    new IdempotencyRecord(idx, fingerprintHi, fingerprintLo));
        }
        return idx;
    }

    /** Stages one event at the next global index; invisible to readers until {@link #publish()}. */
    private int add(long idHi, long idLo, EntityState entity, int kind, long position) {
        ScopeState scope = entity.scope;
        int i = staged;
        if (i >= MAX_EVENTS) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "index is full at " + MAX_EVENTS + " events");
        }
        Chunk c = chunkForWrite(i);
        int o = i & CHUNK_MASK;
        c.idHi[o] = idHi;
        c.idLo[o] = idLo;
        c.position[o] = position;
        c.entity[o] = entity.id;
        c.scope[o] = scope.id;
        c.sequence[o] = entity.events.size();
        c.kind[o] = (char) kind;
        entity.events.add(i);
        scope.events.add(i);
        listFor(byKind, kind).add(i);
        listFor(byCategory, kind >>> 12).add(i);
        if (deferredIdsFrom < 0) {
            ids.insert(idHi, idLo, i, this);
        }
        staged = i + 1;
        return i;
    }

    /**
     * Moves event {@code i} to another disk position (compaction, writer thread). Readers may see the
     * old or the new value; both name a copy of the same frame until the old file is deleted, and
     * readers re-check the position when a read fails.
     */
    public void setPosition(int i, long position) {
        chunk(i).position[i & CHUNK_MASK] = position;
    }

    public void putIdempotency(String key, IdempotencyRecord record) {
        idempotency.put(key, record);
    }

    /** Makes every staged event visible to readers at once. */
    public void publish() {
        published = staged;
    }

    /**
     * Makes the first {@code count} staged events visible (the sync stage publishes a group once it
     * is durable, while the writer may already have staged the next ones).
     */
    public void publishUpTo(int count) {
        published = count;
    }

    private static IntList listFor(AtomicReferenceArray<IntList> lists, int slot) {
        IntList l = lists.get(slot);
        if (l == null) {
            l = new IntList(16);
            lists.set(slot, l);
        }
        return l;
    }

    private Chunk chunkForWrite(int i) {
        int ci = i >>> CHUNK_BITS;
        Chunk[] cs = chunks;
        if (ci >= cs.length) {
            cs = Arrays.copyOf(cs, Math.max(cs.length * 2, ci + 1));
            chunks = cs;
        }
        Chunk c = cs[ci];
        if (c == null) {
            c = new Chunk();
            cs[ci] = c;
            chunks = cs; // republish so readers that load the array after the count see the chunk
        }
        return c;
    }

    /**
     * Recovery only: sizes the per-entity, per-scope, per-kind and per-category lists for events
     * about to be applied, so a checkpoint load of millions of events does not grow (copy) them
     * step by step. {@code perEntity[i]} counts events of {@code entities[i]}, likewise for scopes;
     * {@code perKind} has 65,536 slots.
     */
    public void presize(EntityState[] entities, int[] perEntity, ScopeState[] scopes, int[] perScope, int[] perKind) {
        for (int i = 0; i < entities.length; i++) {
            entities[i].events.reserve(entities[i].events.size() + perEntity[i]);
        }
        for (int i = 0; i < scopes.length; i++) {
            scopes[i].events.reserve(scopes[i].events.size() + perScope[i]);
        }
        int[] perCategory = new int[16];
        for (int k = 0; k < perKind.length; k++) {
            if (perKind[k] > 0) {
                IntList l = listFor(byKind, k);
                l.reserve(l.size() + perKind[k]);
                perCategory[k >>> 12] += perKind[k];
            }
        }
        for (int c = 0; c < 16; c++) {
            if (perCategory[c] > 0) {
                IntList l = listFor(byCategory, c);
                l.reserve(l.size() + perCategory[c]);
            }
        }
    }

    /**
     * Recovery only: events applied from now on enter the id table in one pass at
     * {@link #indexDeferredIds()}, in table order rather than one random table access each (a
     * checkpoint load of millions of events spent most of its time in those cache misses).
     */
    public void deferIds() {
        deferredIdsFrom = staged;
    }

    /** Recovery only: puts every event applied since {@link #deferIds()} into the id table. */
    public void indexDeferredIds() {
        if (deferredIdsFrom >= 0) {
            ids.insertAll(deferredIdsFrom, staged, this);
            deferredIdsFrom = -1;
        }
    }

    /** Presizes the id table for {@code events} more events (used by recovery). */
    public void reserve(int events) {
        ids.reserve(events, this);
    }

    /** Installs the store's retention (once, after recovery): from now on every query skips what it hides. */
    public void attachRetention(Retention r) {
        retention = r;
    }

    /** The scope of that name, or null if no event was ever staged in it. */
    public ScopeState scopeState(String name) {
        return scopes.get(name);
    }

    /** Whether retention may hide any event now (false: no rule or truncate was ever set), read once per query. */
    public boolean mayHide() {
        Retention r = retention;
        return r != null && r.active();
    }

    /** Whether event {@code i} is past retention for a reader seeing events below {@code end}. */
    public boolean hidden(int i, int end) {
        Retention r = retention;
        return r != null && r.hidden(i, end);
    }

    /** Whether event {@code i} is past retention for a reader of the published events. */
    public boolean hidden(int i) {
        return hidden(i, published);
    }

    /** The entity's first sequence not past retention among its {@code n} first events (0 when nothing is hidden). */
    public int firstKept(EntityState e, int n) {
        Retention r = retention;
        return r == null ? 0 : r.firstKept(e, n);
    }

    // ---- reader side ----

    /** Number of events visible to readers; global sequences 1..count are committed. */
    public int count() {
        return published;
    }

    /** Number of staged events (writer thread only). */
    public int stagedCount() {
        return staged;
    }

    /**
     * Whether sequence {@code sequence} of entity {@code name@scope} is below the entity's
     * truncate-before: gone from every read for good (a truncate never goes down).
     */
    public boolean truncated(String name, String scope, long sequence) {
        EntityState e = entity(name, scope);
        return e != null && sequence < e.truncatedBefore;
    }

    /** Whether the event at global index {@code i} is below its entity's truncate-before (see {@link #truncated(String, String, long)}). */
    public boolean truncated(int i) {
        return sequence(i) < entityById(entityId(i)).truncatedBefore;
    }

    /** Every scope known to the index (some may have only staged events yet). */
    java.util.Collection<ScopeState> scopeStates() {
        return scopes.values();
    }

    public int entityCount() {
        return entityCount;
    }

    public int scopeCount() {
        return scopes.size();
    }

    private Chunk chunk(int i) {
        return chunks[i >>> CHUNK_BITS];
    }

    public long idHi(int i) {
        return chunk(i).idHi[i & CHUNK_MASK];
    }

    public long idLo(int i) {
        return chunk(i).idLo[i & CHUNK_MASK];
    }

    public long position(int i) {
        return chunk(i).position[i & CHUNK_MASK];
    }

    public int entityId(int i) {
        return chunk(i).entity[i & CHUNK_MASK];
    }

    public int scopeId(int i) {
        return chunk(i).scope[i & CHUNK_MASK];
    }

    public int sequence(int i) {
        return chunk(i).sequence[i & CHUNK_MASK];
    }

    public int kind(int i) {
        return chunk(i).kind[i & CHUNK_MASK];
    }

    public EntityState entityById(int id) {
        return entitiesById[id];
    }

    public ScopeState scopeById(int id) {
        return scopesById[id];
    }

    /** The global index of the event with this id, or -1 if no visible event has it. */
    public int find(long hi, long lo) {
        return ids.find(hi, lo, published, this);
    }

    public IdempotencyRecord idempotency(String key) {
        return idempotency.get(key);
    }

    public Map<String, IdempotencyRecord> idempotencyView() {
        return idempotency;
    }

    public IndexEntry entry(int i) {
        return new IndexEntry(new UUID(idHi(i), idLo(i)), entityById(entityId(i)).coordinate,
                new EventKind(kind(i)), sequence(i), i + 1L);
    }

    /** Number of visible events of an entity (its last sequence is this minus one). */
    public int entityVisibleEvents(EntityState e) {
        int visible = published;
        int n = e.events.size();
        int[] d = e.events.snapshotArray();
        // Only the tail can be unpublished: walk back over it.
        while (n > 0 && d[n - 1] >= visible) {
            n--;
        }
        return n;
    }

    /** Global indexes matching {@code r}, ascending, at most {@code r.limit()} ({@link RegionQuery}). */
    public int[] query(Region r) {
        return RegionQuery.run(this, r);
    }

    /**
     * Global indexes below {@code end} of events after global sequence {@code after} matching
     * {@code q} ({@link ItemsQuery}), ascending, at most {@code limit}. Readers pass {@link #count()};
     * the writer may pass {@link #stagedCount()}.
     */
    public int[] query(EventQuery q, long after, int limit, int end) {
        return ItemsQuery.run(this, q, after, limit, end);
    }

    /**
     * Global indexes of an entity's events with sequence at least {@code fromSequence}, at most
     * {@code limit}, past retention skipped: the page starts at the first kept sequence when that
     * is higher, so a page shorter than {@code limit} still means there is nothing after it.
     */
    public int[] entityEvents(EntityState e, long fromSequence, int limit) {
        int n = entityVisibleEvents(e);
        if (fromSequence >= n) {
            return new int[0];
        }
        int from = Math.max((int) fromSequence, firstKept(e, n));
        int to = (int) Math.min(n, (long) from + limit);
        if (from >= to) {
            return new int[0];
        }
        int[] d = e.events.snapshotArray();
        return Arrays.copyOfRange(d, from, to);
    }

    /** Whether {@code grants} reach the scope of event {@code i}. */
    public boolean reaches(ScopeGrants grants, int i) {
        return grants.reachesAll() || grants.reaches(scopeById(scopeId(i)).name);
    }

    // ---- for RegionQuery ----

    /** The scope of that name, or null. */
    ScopeState scope(String name) {
        return scopes.get(name);
    }

    /** Events of a kind, ascending, or null if none ever. */
    IntList kindEvents(int kind) {
        return byKind.get(kind);
    }

    /** Events of a category, ascending, or null if none ever. */
    IntList categoryEvents(int category) {
        return byCategory.get(category);
    }

    /** Entities by name then scope, from the first whose sort key is at least {@code prefix}. */
    ConcurrentNavigableMap<String, EntityState> entitiesFrom(String prefix) {
        return entitiesSorted.tailMap(prefix, true);
    }
}
