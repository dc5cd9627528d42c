package io.batpak.streams;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.gate.ClientAppends;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Completions;
import io.batpak.streams.wait.Try;
import io.batpak.streams.wait.Waits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Partitioned streams, consumer groups and transactions on an {@link EventStore}, after Hadron.
 *
 * <p><b>Streams.</b> A stream has N partitions (grow only). An event published with a key goes to
 * partition {@code murmur3(key) mod N}; without a key partitions are taken in turn. Each partition
 * is an engine entity, so its offsets are that entity's sequences: 0, 1, 2, … with no gaps, in
 * commit order. Growing a stream changes N, so a key may map to another partition afterwards: its
 * earlier events stay where they are, and order between a key's events in the old and the new
 * partition is not kept.
 *
 * <p><b>Consumer groups.</b> Each event of a stream goes to one member of a group at a time. An ack
 * removes it for good; a nack or an ack timeout makes it deliverable again to any member, or, once it
 * failed {@code maxDeliveries} times, parks it (see {@link #parked}, {@link #replayParked}). A member
 * holds at most {@code maxInFlight} deliveries. Acks and group configurations are events of the
 * group's entity, so after a restart (or crash) a group resumes from what was durably acked:
 * nothing acked is redelivered, and whatever was in flight is delivered again. Acking an id that is
 * not in flight (unknown, already settled, or timed out) is ignored and reported in
 * {@link AckResult#unknown()}; a transaction's ack is stricter (see {@link #commit}).
 *
 * <p><b>Transactions</b> gather statements in memory; {@link #commit} writes them and the optional
 * ack as one atomic engine batch, so they become visible together or not at all.
 *
 * <p>Everything is persisted through the engine log; only open transactions and in-flight
 * deliveries live in memory alone. Writes go through the {@link Appender} given at construction
 * (the application plugs its gates in there). Stream and group entities have the stream name as
 * their scope. Only writes made through this object wake a waiting {@link #poll}; events appended
 * to a partition entity by other means are delivered at the next poll.
 *
 * <p>Threading: every method is thread-safe. A long-polling {@link #pollAsync} holds no thread while
 * it waits (see {@link Waits}); {@link #poll} blocks its caller on it. {@link #close()} ends every
 * waiting poll with UNAVAILABLE.
 */
public final class Streams implements AutoCloseable {
    /** Most deliveries one poll hands out. */
    public static final int MAX_POLL = 10_000;
    /** Most parked events one {@link #parked} page lists. */
    public static final int MAX_PARKED_PAGE = GroupParking.MAX_PAGE;

    private final EventStore store;
    private final Appender appender;
    private final StreamsConfig config;
    private final StreamRegistry registry;
    private final Transactions transactions;
    private final GroupParking parking;
    private final GroupDirectory directory;
    private final AtomicInteger roundRobin = new AtomicInteger();
    /** Called with a stream's name after events were written to it through this object; copy-on-write. */
    private final List<Consumer<String>> publishListeners = new CopyOnWriteArrayList<>();
    /** Where long polls wait; {@code ownWaits}: created here, closed by {@link #close()}. */
    private final Waits waits;
    private final boolean ownWaits;
    private volatile boolean closed;

    /** Streams writing straight to the engine, long polls waiting on a thread of their own. */
    public Streams(EventStore store, StreamsConfig config) {
        this(store, config, Appender.direct(store));
    }

    /** Streams writing through {@code appender}, long polls waiting on a thread of their own (closed with this). */
    public Streams(EventStore store, StreamsConfig config, Appender appender) {
        this(store, config, appender, Waits.ownThread("batpak-streams-waits"), true);
    }

    /**
     * Streams writing through {@code appender}, whose long polls (and those of pipelines on them)
     * wait on {@code waits}: the caller's, left running by {@link #close()}.
     */
    public Streams(EventStore store, StreamsConfig config, Appender appender, Waits waits) {
        this(store, config, appender, waits, false);
    }

    private Streams(EventStore store, StreamsConfig config, Appender appender, Waits waits, boolean ownWaits) {
        this.waits = waits;
        this.ownWaits = ownWaits;
        this.store = store;
        this.config = config;
        this.appender = appender;
        this.registry = new StreamRegistry(store, appender, config.maxPartitions());
        this.parking = new GroupParking(store, appender);
        this.directory = new GroupDirectory(store, appender, registry, this::heads);
        this.transactions = new Transactions(config.txIdleTimeoutMs(), config.maxOpenTransactionsPerCaller(),
                config.txLimits());
    }

    public StreamsConfig config() {
        return config;
    }

    /** Where this object's long polls wait (for the layers on it, such as pipelines). */
    public Waits waits() {
        return waits;
    }

    // ---- streams ----

    /**
     * Creates {@code stream} with {@code partitions} partitions, or grows it to that many. The same
     * count again is a no-op; fewer is {@code INVALID_REQUEST}. Returns the partition count.
     */
    public int createOrGrow(String stream, int partitions, Caller caller) {
        ensureOpen();
        return registry.createOrGrow(StreamNames.checkStream(stream), partitions, caller);
    }

    /** The stream's partition count, or 0 if it does not exist. */
    public int partitions(String stream) {
        ensureOpen();
        return registry.partitions(StreamNames.checkStream(stream));
    }

    /** Publishes {@code events} atomically (all or none); NOT_FOUND if the stream does not exist. */
    public List<Published> publish(String stream, List<StreamEvent> events, Caller caller) {
        return Completions.await(publishAsync(stream, events, caller));
    }

    /** Like {@link #publish}, answered once the events are durable and visible to polls. */
    public CompletableFuture<List<Published>> publishAsync(String stream, List<StreamEvent> events, Caller caller) {
        ensureOpen();
        if (events.isEmpty() || events.size() > EventStore.MAX_BATCH_EVENTS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "publish 1.." + EventStore.MAX_BATCH_EVENTS
                    + " events at once, not " + events.size());
        }
        int n = registry.require(StreamNames.checkStream(stream));
        for (StreamEvent e : events) {
            ClientAppends.checkKind(e.kind());
        }
        List<AppendRequest> requests = new ArrayList<>(events.size());
        int[] partitions = new int[events.size()];
        for (int i = 0; i < events.size(); i++) {
            partitions[i] = partitionFor(events.get(i).key(), n);
            requests.add(toRequest(stream, partitions[i], events.get(i)));
        }
        return appender.append(requests, caller).thenApply(receipts -> {
            wake(stream);
            List<Published> out = new ArrayList<>(receipts.size());
            for (int i = 0; i < receipts.size(); i++) {
                out.add(new Published(stream, partitions[i], receipts.get(i).sequence(), receipts.get(i)));
            }
            return out;
        });
    }

    private int partitionFor(String key, int n) {
        return key == null ? Math.floorMod(roundRobin.getAndIncrement(), n) : Partitioner.partitionOf(key, n);
    }

    private static AppendRequest toRequest(String stream, int partition, StreamEvent e) {
        AppendOptions options = e.key() == null ? AppendOptions.NONE
                : AppendOptions.NONE.withAttributes(Map.of(StreamNames.KEY_ATTRIBUTE, e.key()));
        return new AppendRequest(StreamNames.partition(stream, partition), e.kind(), e.payload(), options);
    }

    /** The next offset of each partition: how many events each holds. NOT_FOUND if the stream does not exist. */
    public long[] heads(String stream) {
        int n = registry.require(stream);
        long[] heads = new long[n];
        for (int p = 0; p < n; p++) {
            heads[p] = store.lastSequence(EntityQuery.of(StreamNames.partition(stream, p))) + 1;
        }
        return heads;
    }

    // ---- groups ----

    /**
     * Creates the group with {@code groupConfig} or changes an existing group's ack timeout and
     * in-flight limit (its start is fixed when it is created). Returns the group's configuration.
     */
    public GroupConfig configureGroup(String stream, String group, GroupConfig groupConfig, Caller caller) {
        ensureOpen();
        registry.require(StreamNames.checkStream(stream));
        StreamNames.checkGroup(group);
        return directory.configure(stream, group, groupConfig, caller);
    }

    /**
     * Hands up to {@code max} events of {@code stream} to member {@code consumer} of {@code group},
     * waiting up to {@code waitMs} (capped by {@link StreamsConfig#maxWaitMs()}) for one to become
     * deliverable; returns empty when the wait ends without one. A first poll creates the group with
     * the configured defaults and {@code start} (null: the default start). Blocks its caller: the
     * in-process form of {@link #pollAsync}.
     */
    public List<Delivery> poll(String stream, String group, String consumer, int max, long waitMs,
                               StartPosition start, Caller caller) {
        return Waits.awaitPoll(pollAsync(stream, group, consumer, max, waitMs, start, caller));
    }

    /**
     * Like {@link #poll}, holding no thread while it waits: the future completes when deliveries
     * are claimed for the member, or with the empty list when the wait ends, on the thread that
     * found them (the caller's for a first look, else the {@link Waits} worker; never the writer's).
     * Cancelling the future stops the wait; deliveries claimed just as it was cancelled stay in
     * flight and are delivered again after the group's ack timeout, as for a client that never acks.
     * Checks its arguments at once (thrown here).
     */
    public CompletableFuture<List<Delivery>> pollAsync(String stream, String group, String consumer, int max,
                                                       long waitMs, StartPosition start, Caller caller) {
        ensureOpen();
        if (consumer == null || consumer.isEmpty() || consumer.length() > StreamNames.MAX_NAME_CHARS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "consumer must have 1.." + StreamNames.MAX_NAME_CHARS
                    + " characters");
        }
        if (max < 1 || max > MAX_POLL) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "max must be within 1.." + MAX_POLL + ", was " + max);
        }
        registry.require(StreamNames.checkStream(stream));
        StreamNames.checkGroup(group);
        ConsumerGroup g = directory.orCreate(stream, group,
                start == null ? config.groupDefaults() : config.groupDefaults().withStart(start), caller);
        long until = config.clockMs().getAsLong() + Math.min(Math.max(waitMs, 0), config.maxWaitMs());
        return waits.poll(g.signal, config.clockMs(), until, (now, last) -> {
            List<ConsumerGroup.Out> claims;
            long nextDeadline;
            synchronized (g) {
                ensureOpen();
                g.expire(now);
                parking.writeFailures(g, caller);
                claims = g.claim(consumer, max, now, heads(stream));
                nextDeadline = g.nextDeadline(); // an expiry may make a delivery free for this member
            }
            if (claims.isEmpty() && !last) {
                return Try.retryBy(nextDeadline);
            }
            return Try.done(read(stream, claims));
        }, null);
    }

    /** Reads the claimed events, a run of consecutive offsets of one partition at a time. */
    private List<Delivery> read(String stream, List<ConsumerGroup.Out> claims) {
        List<ConsumerGroup.Out> sorted = new ArrayList<>(claims);
        sorted.sort(Comparator.comparingInt(ConsumerGroup.Out::partition).thenComparingLong(ConsumerGroup.Out::offset));
        List<Delivery> out = new ArrayList<>(claims.size());
        int i = 0;
        while (i < sorted.size()) {
            int j = i + 1;
            while (j < sorted.size() && sorted.get(j).partition() == sorted.get(i).partition()
                    && sorted.get(j).offset() == sorted.get(j - 1).offset() + 1) {
                j++;
            }
            ConsumerGroup.Out first = sorted.get(i);
            List<StoredEvent> events = store.readEntity(EntityQuery.of(StreamNames.partition(stream, first.partition()))
                    .withFrom(first.offset()).withLimit(j - i));
            for (int k = i; k < j && k - i < events.size(); k++) {
                ConsumerGroup.Out o = sorted.get(k);
                out.add(new Delivery(o.id(), o.partition(), o.offset(), events.get(k - i)));
            }
            i = j;
        }
        return out;
    }

    /** Acks deliveries: each is settled for good once this returns. Ids not in flight are ignored and listed. */
    public AckResult ack(String stream, String group, List<String> deliveryIds, Caller caller) {
        return Completions.await(ackAsync(stream, group, deliveryIds, caller));
    }

    /** Like {@link #ack}, answered once the ack is durable. */
    public CompletableFuture<AckResult> ackAsync(String stream, String group, List<String> deliveryIds, Caller caller) {
        ensureOpen();
        ConsumerGroup g = existing(stream, group);
        List<String> unknown = new ArrayList<>();
        List<ConsumerGroup.Out> taken;
        synchronized (g) {
            expire(g, caller);
            taken = g.beginAck(deliveryIds, unknown, false);
        }
        if (taken.isEmpty()) {
            return CompletableFuture.completedFuture(new AckResult(0, unknown));
        }
        CompletableFuture<List<AppendReceipt>> written;
        try {
            written = appender.append(List.of(ackRequest(stream, group, taken)), caller);
        } catch (RuntimeException e) {
            settle(g, taken, false);
            throw e;
        }
        return written.handle((receipts, failure) -> {
            settle(g, taken, failure == null);
            if (failure != null) {
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            }
            return new AckResult(taken.size(), unknown);
        });
    }

    private static void settle(ConsumerGroup g, List<ConsumerGroup.Out> taken, boolean written) {
        synchronized (g) {
            if (written) {
                g.completeAck(taken); // frees the members' in-flight budget
            } else {
                g.abortAck(taken); // deliverable again
            }
        }
        g.signal.signal();
    }

    private static AppendRequest ackRequest(String stream, String group, List<ConsumerGroup.Out> taken) {
        List<long[]> pairs = new ArrayList<>(taken.size());
        for (ConsumerGroup.Out o : taken) {
            pairs.add(new long[] {o.partition(), o.offset()});
        }
        return new AppendRequest(StreamNames.group(stream, group), StreamNames.GROUP_ACK, StreamCodec.acks(pairs));
    }

    /**
     * Makes deliveries deliverable again at once, to any member; with {@code maxDeliveries} set, an
     * event that failed that often is parked instead ({@code reason} is kept as its last reason; may
     * be null). Ids not in flight are ignored and listed.
     */
    public AckResult nack(String stream, String group, List<String> deliveryIds, String reason, Caller caller) {
        ensureOpen();
        ConsumerGroup g = existing(stream, group);
        List<String> unknown = new ArrayList<>();
        synchronized (g) {
            expire(g, caller);
            int n = g.nack(deliveryIds, unknown, ParkingCodec.reason(reason));
            parking.writeFailures(g, caller);
            g.signal.signal();
            return new AckResult(n, unknown);
        }
    }

    /** Expires overdue deliveries of {@code g} and writes what that counted. Caller holds {@code g}'s monitor. */
    private void expire(ConsumerGroup g, Caller caller) {
        g.expire(config.clockMs().getAsLong());
        parking.writeFailures(g, caller);
    }

    /**
     * The group's parked events after the cursor {@code after} (a page's {@code next}; null: from the
     * start), at most {@code limit}; NOT_FOUND if the stream or the group does not exist.
     */
    public ParkedPage parked(String stream, String group, String after, int limit) {
        ensureOpen();
        ConsumerGroup g = existing(stream, group);
        synchronized (g) {
            expire(g, Caller.ANONYMOUS);
            return parking.page(g, after, limit);
        }
    }

    /**
     * Makes parked events deliverable again with a fresh count: those at the given
     * {@code [partition, offset]} pairs, or all of them if {@code offsets} is null. Offsets not
     * parked are ignored. Durable once this returns; returns how many were replayed.
     */
    public int replayParked(String stream, String group, List<long[]> offsets, Caller caller) {
        ensureOpen();
        ConsumerGroup g = existing(stream, group);
        synchronized (g) {
            int n = parking.revive(g, offsets, caller);
            g.signal.signal();
            return n;
        }
    }

    /** The group's progress per partition; NOT_FOUND if the stream or the group does not exist. */
    public List<PartitionState> state(String stream, String group) {
        ensureOpen();
        ConsumerGroup g = existing(stream, group);
        synchronized (g) {
            expire(g, Caller.ANONYMOUS);
            return g.state(heads(stream));
        }
    }

    /** The group's configuration; NOT_FOUND if the stream or the group does not exist. */
    public GroupConfig groupConfig(String stream, String group) {
        ConsumerGroup g = existing(stream, group);
        synchronized (g) {
            return g.config();
        }
    }

    private ConsumerGroup existing(String stream, String group) {
        return directory.existing(stream, group);
    }

    // ---- for the store's own layers (pipelines) ----

    /**
     * Writes the store's own bookkeeping {@code records} (reserved kinds allowed: the caller is the
     * store, not a client) and the stream {@code events} as ONE atomic batch, records first, like
     * {@link #commit}. The events are checked (stream exists, kind not reserved, payload size) before
     * anything is written: a bad one throws here, synchronously, and nothing is written.
     */
    public CompletableFuture<List<Published>> publishWithRecords(List<AppendRequest> records,
                                                                 List<TxStatement.Publish> events, Caller caller) {
        ensureOpen();
        if (records.size() + events.size() > EventStore.MAX_BATCH_EVENTS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "at most " + EventStore.MAX_BATCH_EVENTS
                    + " events commit at once, not " + (records.size() + events.size()));
        }
        List<AppendRequest> requests = new ArrayList<>(records);
        int[] partitions = new int[events.size()];
        for (int i = 0; i < events.size(); i++) {
            TxStatement.Publish p = events.get(i);
            int n = registry.require(StreamNames.checkStream(p.stream()));
            ClientAppends.checkKind(p.event().kind());
            if (p.event().payload().length > store.config().maxPayloadBytes()) {
                throw new StoreException(ErrorCode.PAYLOAD_TOO_LARGE, "payload of " + p.event().payload().length
                        + " bytes exceeds the limit of " + store.config().maxPayloadBytes());
            }
            partitions[i] = partitionFor(p.event().key(), n);
            requests.add(toRequest(p.stream(), partitions[i], p.event()));
        }
        if (requests.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return appender.append(requests, caller).thenApply(receipts -> {
            List<Published> out = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                AppendReceipt r = receipts.get(records.size() + i);
                out.add(new Published(events.get(i).stream(), partitions[i], r.sequence(), r));
            }
            events.stream().map(TxStatement.Publish::stream).distinct().forEach(this::wake);
            return out;
        });
    }

    /** Up to {@code limit} events of one partition from offset {@code from}; empty past its head. */
    public List<StoredEvent> readPartition(String stream, int partition, long from, int limit) {
        ensureOpen();
        return store.readEntity(EntityQuery.of(StreamNames.partition(stream, partition)).withFrom(from).withLimit(limit));
    }

    /** Registers {@code listener}, called with a stream's name (on the writing thread) after events were written to it here. */
    public void onPublished(Consumer<String> listener) {
        publishListeners.add(listener);
    }

    /** Wakes the polls waiting on groups of {@code stream}, and the publish listeners. */
    private void wake(String stream) {
        for (Consumer<String> l : publishListeners) {
            l.accept(stream);
        }
        for (ConsumerGroup g : directory.loaded()) {
            if (g.stream().equals(stream)) {
                g.signal.signal(); // hands the waiting polls to the worker: nothing runs on this (writer) thread
            }
        }
    }

    // ---- transactions ----

    /**
     * Opens a transaction owned by {@code caller} (by name); returns its id. Only its owner can add
     * to, commit or abort it: to other callers it is NOT_FOUND. It aborts by itself after the
     * configured idle time. A caller already holding the configured number of open transactions
     * gets UNAVAILABLE.
     */
    public String begin(Caller caller) {
        ensureOpen();
        return transactions.begin(owner(caller), config.clockMs().getAsLong());
    }

    private static String owner(Caller caller) {
        return (caller == null ? Caller.ANONYMOUS : caller).name();
    }

    /**
     * Adds a statement to an open transaction (NOT_FOUND if it is not open); one that fails
     * {@link TxStatementCheck} is refused here and leaves the transaction open.
     */
    public void add(String txId, TxStatement statement, Caller caller) {
        ensureOpen();
        // Everything is checked now rather than at commit, where it would abort the whole transaction.
        TxStatementCheck.check(statement, registry, store.config().maxPayloadBytes());
        transactions.add(txId, owner(caller), statement, config.clockMs().getAsLong());
    }

    /**
     * Commits an open transaction: its statements and, if {@code ack} is given, the ack of those
     * deliveries, as one atomic batch. The transaction is closed whatever the outcome. If any acked
     * delivery is no longer in flight, nothing is written and this fails with
     * {@link ErrorCode#DELIVERY_EXPIRED}; if the batch fails (a CAS mismatch, a gate), nothing is
     * written and the acked deliveries become deliverable again.
     */
    public TxResult commit(String txId, TxAck ack, Caller caller) {
        ensureOpen();
        List<TxStatement> statements = transactions.take(txId, owner(caller), config.clockMs().getAsLong());
        List<AppendRequest> requests = new ArrayList<>(statements.size() + 1);
        List<String> touched = new ArrayList<>();
        int[] partitions = new int[statements.size()];
        for (int i = 0; i < statements.size(); i++) {
            TxStatement s = statements.get(i);
            if (s instanceof TxStatement.Publish p) {
                partitions[i] = partitionFor(p.event().key(), registry.require(p.stream()));
                requests.add(toRequest(p.stream(), partitions[i], p.event()));
                touched.add(p.stream());
            } else {
                partitions[i] = -1;
                requests.add(((TxStatement.Append) s).request());
            }
        }
        ConsumerGroup g = null;
        List<ConsumerGroup.Out> taken = List.of();
        if (ack != null && !ack.deliveryIds().isEmpty()) {
            g = existing(ack.stream(), ack.group());
            List<String> unknown = new ArrayList<>();
            synchronized (g) {
                expire(g, caller);
                taken = g.beginAck(ack.deliveryIds(), unknown, true);
            }
            if (!unknown.isEmpty()) {
                throw new StoreException(ErrorCode.DELIVERY_EXPIRED, "deliveries no longer in flight: " + unknown
                        + "; the transaction is aborted and nothing was committed");
            }
            requests.add(ackRequest(ack.stream(), ack.group(), taken));
        }
        if (requests.isEmpty()) {
            return new TxResult(List.of(), List.of(), 0);
        }
        List<AppendReceipt> receipts;
        try {
            receipts = Completions.await(appender.append(requests, caller));
        } catch (RuntimeException e) {
            if (g != null) {
                settle(g, taken, false);
            }
            throw e;
        }
        if (g != null) {
            settle(g, taken, true);
        }
        touched.stream().distinct().forEach(this::wake);
        List<Published> published = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            if (statements.get(i) instanceof TxStatement.Publish p) {
                published.add(new Published(p.stream(), partitions[i], receipts.get(i).sequence(), receipts.get(i)));
            }
        }
        return new TxResult(receipts.subList(0, statements.size()), published, taken.size());
    }

    /** Aborts an open transaction of {@code caller}; NOT_FOUND if it is not open or not the caller's. */
    public void abort(String txId, Caller caller) {
        ensureOpen();
        transactions.abort(txId, owner(caller), config.clockMs().getAsLong());
    }

    /** Open transactions, after aborting the idle ones. */
    public int openTransactions() {
        transactions.sweep(config.clockMs().getAsLong());
        return transactions.size();
    }

    // ---- lifecycle ----
    private void ensureOpen() {
        if (closed) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "streams are closed");
        }
    }

    /** Wakes every waiting poll (which then fails with UNAVAILABLE) and refuses further calls. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (ConsumerGroup g : directory.loaded()) {
            g.signal.signal();
        }
        if (ownWaits) {
            waits.close();
        }
    }
}
