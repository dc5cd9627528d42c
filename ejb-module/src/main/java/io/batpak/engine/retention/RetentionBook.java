package io.batpak.engine.retention;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.Region;
import io.batpak.engine.RetentionRule;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.gate.ClientAppends;
import io.batpak.engine.index.EntityState;
import io.batpak.engine.index.Retention;
import io.batpak.engine.index.StoreIndex;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The store's retention bookkeeping: each change is an event on the reserved entity
 * {@code retention:<scope>} in that scope, appended durably first and applied to the index's
 * {@link Retention} right after, so it is in force before the call returns; {@link #rebuild()}
 * replays them in global order at open.
 *
 * <p>Kinds and MessagePack payloads (category 0xE, reserved; streams use 0xE001..0xE005,
 * pipelines 0xE020..0xE025, flow 0xE030..0xE033, ingest 0xE040):
 * <ul>
 * <li>{@code 0xE050} rule set: {@code [maxAgeMs or nil, maxCount or nil]}</li>
 * <li>{@code 0xE051} rule removed: {@code []}</li>
 * <li>{@code 0xE052} truncated: {@code [entity, before]} (an entity of the event's scope)</li>
 * <li>{@code 0xE053} made permanent before a scavenge: {@code [entity, before, entity, before, …]},
 * up to {@value #PERMANENT_PER_EVENT} entities of the event's scope, each a truncate</li>
 * </ul>
 *
 * <p>Threading: changes are serialised by this object's monitor (so the order they take effect in
 * is the order they are stored in); {@link #rule} reads from any thread.
 */
public final class RetentionBook {
    private static final Logger LOG = System.getLogger(RetentionBook.class.getName());
    public static final EventKind RULE_SET = new EventKind(0xE050);
    public static final EventKind RULE_REMOVED = new EventKind(0xE051);
    public static final EventKind TRUNCATED = new EventKind(0xE052);
    public static final EventKind MADE_PERMANENT = new EventKind(0xE053);
    /** Entities per {@link #MADE_PERMANENT} event: keeps each bookkeeping event small. */
    static final int PERMANENT_PER_EVENT = 1000;
    /** The reserved entity name prefix of the bookkeeping entities. */
    public static final String ENTITY_PREFIX = "retention:";

    private final StoreIndex index;
    private final Retention retention;
    private final IntFunction<StoredEvent> readStored;
    private final Consumer<AppendRequest> append;
    /** Scope → rule in force; written under this object's monitor, read by anyone. */
    private final Map<String, RetentionRule> rules = new ConcurrentHashMap<>();

    /**
     * @param readStored reads the stored event at a global index (at open)
     * @param append appends a bookkeeping event durably, returning once it is committed
     */
    public RetentionBook(StoreIndex index, Retention retention, IntFunction<StoredEvent> readStored,
                         Consumer<AppendRequest> append) {
        this.index = index;
        this.retention = retention;
        this.readStored = readStored;
        this.append = append;
    }

    /** Replays every stored rule and truncate, in global order (once, at open, before readers come). */
    public synchronized void rebuild() {
        int[] all = new int[0];
        for (EventKind k : new EventKind[] {RULE_SET, RULE_REMOVED, TRUNCATED, MADE_PERMANENT}) {
            int[] hits = index.query(Region.all().withKind(k.value()).withLimit(Integer.MAX_VALUE));
            int[] merged = Arrays.copyOf(all, all.length + hits.length);
            System.arraycopy(hits, 0, merged, all.length, hits.length);
            all = merged;
        }
        Arrays.sort(all);
        for (int i : all) {
            StoredEvent e = readStored.apply(i);
            if (e.coordinate().entity().equals(ENTITY_PREFIX + e.coordinate().scope())) {
                applyStored(e);
            }
        }
        if (all.length > 0) {
            LOG.log(Level.INFO, "retention: {0} rules and truncates replayed, {1} scopes with a rule", all.length,
                    rules.size());
        }
    }

    /** The scope's rule in force, if any. */
    public Optional<RetentionRule> rule(String scope) {
        return Optional.ofNullable(rules.get(scope));
    }

    /** Stores and applies the scope's rule, replacing the one before. */
    public synchronized void setRule(String scope, RetentionRule rule) {
        Coordinate.validatePart("scope", scope);
        if (rule == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a retention rule is required");
        }
        append.accept(new AppendRequest(bookEntity(scope), RULE_SET, pack(p -> {
            packNullable(p, rule.maxAgeMs());
            packNullable(p, rule.maxCount());
        }, 2)));
        applyRule(scope, rule);
    }

    /** Stores and applies the removal of the scope's rule; false (nothing stored) if it had none. */
    public synchronized boolean removeRule(String scope) {
        if (!rules.containsKey(scope)) {
            return false;
        }
        append.accept(new AppendRequest(bookEntity(scope), RULE_REMOVED, pack(p -> { }, 0)));
        applyRule(scope, null);
        return true;
    }

    /**
     * Stores and applies a truncate of the entity's sequences below {@code before} (0..its last
     * sequence + 1); returns the truncate-before now in force (a lower one than in force changes
     * nothing and is not stored). The store's own entities are {@link ErrorCode#RESERVED_ENTITY}.
     */
    public synchronized long truncate(EntityState entity, long before) {
        if (ClientAppends.isReservedEntity(entity.coordinate.entity())) {
            throw new StoreException(ErrorCode.RESERVED_ENTITY, "the store's own entity " + entity.coordinate
                    + " cannot be truncated");
        }
        long lastSequence = index.entityVisibleEvents(entity) - 1L;
        if (before < 0 || before > lastSequence + 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "before must be 0.." + (lastSequence + 1) + " for "
                    + entity.coordinate + ", was " + before);
        }
        int current = retention.truncate(entity, 0);
        if (before <= current) {
            return current;
        }
        Coordinate c = entity.coordinate;
        append.accept(new AppendRequest(bookEntity(c.scope()), TRUNCATED, pack(p -> {
            p.packString(c.entity());
            p.packLong(before);
        }, 2)));
        return retention.truncate(entity, (int) before);
    }

    /**
     * Turns what the scope rules hide now into truncates, stored (durably, then applied) before the
     * scavenger empties any frame: an event a rule hides comes back if the rule is removed, a
     * truncated one never does, so only truncated events may lose their payload. Returns how many
     * entities' truncate-before rose.
     */
    public synchronized int makePermanent() {
        Map<String, List<long[]>> byScope = new TreeMap<>();
        for (int id = 0; id < index.entityCount(); id++) {
            EntityState e = index.entityById(id);
            int n = index.entityVisibleEvents(e);
            int kept = retention.firstKept(e, n);
            if (kept > retention.truncate(e, 0)) {
                byScope.computeIfAbsent(e.coordinate.scope(), k -> new ArrayList<>()).add(new long[] {id, kept});
            }
        }
        int raised = 0;
        for (Map.Entry<String, List<long[]>> scope : byScope.entrySet()) {
            List<long[]> all = scope.getValue();
            for (int from = 0; from < all.size(); from += PERMANENT_PER_EVENT) {
                List<long[]> chunk = all.subList(from, Math.min(all.size(), from + PERMANENT_PER_EVENT));
                append.accept(new AppendRequest(bookEntity(scope.getKey()), MADE_PERMANENT, pack(p -> {
                    for (long[] c : chunk) {
                        p.packString(index.entityById((int) c[0]).coordinate.entity());
                        p.packLong(c[1]);
                    }
                }, chunk.size() * 2)));
                for (long[] c : chunk) {
                    retention.truncate(index.entityById((int) c[0]), (int) c[1]);
                }
                raised += chunk.size();
            }
        }
        if (raised > 0) {
            LOG.log(Level.INFO, "retention: made {0} entities'' hidden events permanent before scavenging", raised);
        }
        return raised;
    }

    private static Coordinate bookEntity(String scope) {
        return new Coordinate(ENTITY_PREFIX + scope, scope);
    }

    private void applyRule(String scope, RetentionRule rule) {
        applyRule(scope, rule, Level.INFO);
    }

    private void applyRule(String scope, RetentionRule rule, Level level) {
        if (rule == null) {
            rules.remove(scope);
        } else {
            rules.put(scope, rule);
        }
        retention.setRule(index.scopeState(scope), rule);
        LOG.log(level, "retention: scope {0} now {1}", scope, rule == null ? "keeps everything" : rule);
    }

    private void applyStored(StoredEvent e) {
        String scope = e.coordinate().scope();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(e.payload())) {
            int n = u.unpackArrayHeader();
            if (e.kind().equals(RULE_SET) && n == 2) {
                Long age = unpackNullable(u);
                Long count = unpackNullable(u);
                applyRule(scope, new RetentionRule(age, count), Level.DEBUG);
            } else if (e.kind().equals(RULE_REMOVED)) {
                applyRule(scope, null, Level.DEBUG);
            } else if (e.kind().equals(TRUNCATED) && n == 2 || e.kind().equals(MADE_PERMANENT) && n % 2 == 0) {
                for (int k = 0; k < n; k += 2) {
                    String name = u.unpackString();
                    long before = u.unpackLong();
                    EntityState target = index.entity(name, scope);
                    if (target != null) {
                        retention.truncate(target, (int) Math.min(before, Integer.MAX_VALUE));
                    }
                }
            } else {
                throw new IOException("array of " + n);
            }
        } catch (IOException | RuntimeException ex) {
            throw new StoreException(ErrorCode.CORRUPT_DATA, "retention record " + e.eventId() + " (kind " + e.kind()
                    + ", global sequence " + e.globalSequence() + ") does not decode: " + ex.getMessage(), ex);
        }
    }

    private interface Body {
        void write(MessageBufferPacker p) throws IOException;
    }

    private static byte[] pack(Body body, int fields) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(fields);
            body.write(p);
            return p.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("packing into memory failed", e);
        }
    }

    private static void packNullable(MessageBufferPacker p, Long v) throws IOException {
        if (v == null) {
            p.packNil();
        } else {
            p.packLong(v);
        }
    }

    private static Long unpackNullable(MessageUnpacker u) throws IOException {
        if (u.tryUnpackNil()) {
            return null;
        }
        return u.unpackLong();
    }
}
