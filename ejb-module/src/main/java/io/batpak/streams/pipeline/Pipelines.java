package io.batpak.streams.pipeline;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Completions;
import io.batpak.streams.AckResult;
import io.batpak.streams.StartPosition;
import io.batpak.streams.Streams;
import io.batpak.streams.TxStatement;
import io.batpak.streams.wait.Waits;
import io.batpak.streams.wait.Try;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hadron pipelines on {@link Streams}: a pipeline is a DAG of stages ({@link PipelineDefinition})
 * over an input stream, and every input event whose kind triggers it starts exactly one instance,
 * identified by the event's position {@code "partition:offset"}.
 *
 * <p><b>Delivery.</b> A stage of an instance is ready once every stage it depends on has its
 * output; {@link #poll} hands ready stages out with the semantics of a consumer group: one
 * consumer at a time per (instance, stage), redelivered after the pipeline's ack timeout or a
 * {@link #nack}, and parked once it failed {@code maxDeliveries} times (0: never), until
 * {@link #replay}. An {@link #ack} needs an output: the output record and the stream events given
 * with it commit as one atomic engine batch, so they become visible together or not at all; a
 * stage's output is written once, and an ack of a delivery no longer out (timed out, nacked, acked)
 * changes nothing and is reported as unknown.
 *
 * <p><b>Durability.</b> Instance starts (each written only if the instance entity has no events,
 * so a position starts one instance however often it is seen), outputs, failures, replays and the
 * trigger cursor are events in the log ({@link PipelineCodec}); a pipeline is rebuilt from them on
 * first use after a restart or crash, so no instance is lost, no stage with a stored output runs
 * again, and no output changes. Deliveries out at a crash are delivered again. Only active
 * instances are kept in memory.
 *
 * <p><b>Triggers</b> are found by scanning the input stream's partitions from the stored cursor,
 * whenever a stage is polled (and woken when events are published through the same {@link Streams}).
 * {@link #trigger} starts an instance for any stored input event by hand.
 *
 * <p>Writes go through the {@link Streams}' appender (the application's gates); grants are the
 * caller's business, with a pipeline's scope being its input stream. Thread-safe: each pipeline's
 * in-memory state is guarded by its own monitor, never held across I/O.
 */
public final class Pipelines implements AutoCloseable {
    /** Most deliveries one poll hands out. */
    public static final int MAX_POLL = 1000;
    /** Longest pipeline or consumer name, in characters. */
    public static final int MAX_NAME_CHARS = 200;
    /** How often a waiting poll looks for triggers published by other means than this store's streams. */
    private static final long RESCAN_MS = 250;
    /** Most records one replay writes at once. */
    private static final int SCAN_PAGE = 500;
    private static final Logger LOG = System.getLogger(Pipelines.class.getName());

    private final EventStore store;
    private final Streams streams;
    private final TriggerDiscovery discovery;
    private final Map<String, Pipeline> loaded = new ConcurrentHashMap<>();
    /** Serialises loading and creating pipelines. */
    private final Object creation = new Object();
    private volatile boolean closed;

    public Pipelines(EventStore store, Streams streams) {
        this.store = store;
        this.streams = streams;
        this.discovery = new TriggerDiscovery(streams);
        streams.onPublished(this::wake);
    }

    private long now() {
        return streams.config().clockMs().getAsLong();
    }

    // ---- definitions ----

    /**
     * Stores {@code definition} under {@code name}: true if it was created, false if the same
     * definition was stored already; PIPELINE_EXISTS if another one is; NOT_FOUND if the input
     * stream does not exist. A {@code latest} start fixes the input's heads now.
     */
    public boolean define(String name, PipelineDefinition definition, Caller caller) {
        ensureOpen();
        checkName("pipeline", name);
        int partitions = streams.partitions(definition.input());
        if (partitions == 0) {
            throw new StoreException(ErrorCode.NOT_FOUND, "stream " + definition.input() + " does not exist");
        }
        synchronized (creation) {
            Pipeline existing = find(name);
            if (existing != null) {
                if (existing.definition.equals(definition)) {
                    return false;
                }
                throw new StoreException(ErrorCode.PIPELINE_EXISTS, "pipeline " + name
                        + " exists with another definition; a definition never changes (use a new name)");
            }
            long[] starts = definition.start() == StartPosition.LATEST ? streams.heads(definition.input())
                    : new long[partitions];
            Coordinate entity = new Coordinate(PipelineLog.entityName(name), definition.input());
            write(List.of(new AppendRequest(entity, PipelineCodec.DEFINITION, PipelineCodec.definition(definition, starts),
                    AppendOptions.NONE.withExpectedSequence(AppendOptions.NO_EVENTS))), caller);
            loaded.put(name, new Pipeline(name, definition, entity, starts, null));
            return true;
        }
    }

    /** The pipeline's definition; NOT_FOUND if there is none. */
    public PipelineDefinition definition(String name) {
        return existing(name).definition;
    }

    /** The pipeline's definition and counts; NOT_FOUND if there is none. */
    public PipelineSummary summary(String name) {
        Pipeline p = existing(name);
        synchronized (p) {
            p.expire(now());
            return p.summary();
        }
    }

    // ---- stage deliveries ----

    /** The longest a poll waits (the streams' {@link io.batpak.streams.StreamsConfig#maxWaitMs()}). */
    public long maxWaitMs() {
        return streams.config().maxWaitMs();
    }

    /**
     * Hands up to {@code max} ready deliveries of {@code stage} to {@code consumer}, waiting up to
     * {@code waitMs} (capped by the streams' longest wait) for one; empty if the wait ends without
     * one. Blocks its caller: the in-process form of {@link #pollAsync}.
     */
    public List<StageDelivery> poll(String pipeline, String stage, String consumer, int max, long waitMs, Caller caller) {
        return Waits.awaitPoll(pollAsync(pipeline, stage, consumer, max, waitMs, caller));
    }

    /**
     * Like {@link #poll}, holding no thread while it waits (on the streams' {@link Streams#waits()}):
     * the future completes with the deliveries, or empty when the wait ends. Cancelling it stops
     * the wait; deliveries claimed just as it was cancelled stay out and are delivered again after
     * the ack timeout. Checks its arguments at once (thrown here).
     */
    public CompletableFuture<List<StageDelivery>> pollAsync(String pipeline, String stage, String consumer, int max,
                                                            long waitMs, Caller caller) {
        ensureOpen();
        checkName("consumer", consumer);
        if (max < 1 || max > MAX_POLL) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "max must be within 1.." + MAX_POLL + ", was " + max);
        }
        Pipeline p = existing(pipeline);
        requireStage(p, stage);
        long until = now() + Math.min(Math.max(waitMs, 0), streams.config().maxWaitMs());
        return streams.waits().poll(p.signal, streams.config().clockMs(), until, (now, last) -> {
            discovery.discover(p, caller);
            List<Pipeline.Out> claims;
            List<Pipeline.Failure> failures;
            long recheck;
            synchronized (p) {
                ensureOpen();
                p.expire(now);
                claims = p.claim(stage, max, now);
                failures = p.takeUnwritten();
                // triggers published by other means than these streams are found by looking again
                recheck = failures.isEmpty() ? Math.min(p.nextDeadline(), now + RESCAN_MS) : now;
            }
            writeFailures(p, failures, caller);
            if (claims.isEmpty() && !last) {
                return Try.retryBy(recheck);
            }
            return Try.done(deliveries(p, claims));
        }, null);
    }

    private List<StageDelivery> deliveries(Pipeline p, List<Pipeline.Out> claims) {
        List<StageDelivery> out = new ArrayList<>(claims.size());
        for (Pipeline.Out o : claims) {
            StoredEvent trigger;
            Map<String, byte[]> inputs = new LinkedHashMap<>();
            synchronized (p) {
                trigger = o.instance.trigger;
                for (String d : p.definition.stage(o.stage).dependsOn()) {
                    inputs.put(d, o.instance.outputs.get(d));
                }
            }
            if (trigger == null) {
                trigger = readTrigger(p, o.instance.partition, o.instance.offset);
                synchronized (p) {
                    o.instance.trigger = trigger;
                }
            }
            out.add(new StageDelivery(o.id, p.name, o.stage, o.instance.id, trigger, inputs));
        }
        return out;
    }

    private StoredEvent readTrigger(Pipeline p, int partition, long offset) {
        List<StoredEvent> e = streams.readPartition(p.definition.input(), partition, offset, 1);
        if (e.isEmpty() || e.get(0).sequence() != offset) {
            throw new StoreException(ErrorCode.NOT_FOUND, "no event at partition " + partition + " offset " + offset
                    + " of stream " + p.definition.input());
        }
        return e.get(0);
    }

    /**
     * Acks a delivery of {@code stage} with its {@code output} and the stream {@code events} it
     * emits, written as one atomic batch; durable once this returns. A delivery not out now (or a
     * stage that has its output) is listed as unknown and nothing is written. A null output is
     * INVALID_REQUEST and counts as a nack.
     */
    public AckResult ack(String pipeline, String stage, String deliveryId, byte[] output,
                         List<TxStatement.Publish> events, Caller caller) {
        ensureOpen();
        Pipeline p = existing(pipeline);
        requireStage(p, stage);
        if (output == null) {
            nack(pipeline, stage, deliveryId, "acked without an output", caller);
            throw new StoreException(ErrorCode.INVALID_REQUEST, "an ack needs an output; the delivery counts as nacked");
        }
        Pipeline.Out o;
        List<Pipeline.Failure> failures;
        synchronized (p) {
            p.expire(now());
            o = p.beginAck(stage, deliveryId);
            failures = p.takeUnwritten();
        }
        writeFailures(p, failures, caller);
        if (o == null) {
            return new AckResult(0, List.of(String.valueOf(deliveryId)));
        }
        AppendRequest record = new AppendRequest(PipelineLog.instanceEntity(p, o.instance.id), PipelineCodec.OUTPUT,
                PipelineCodec.output(stage, output));
        CompletableFuture<?> written;
        try {
            written = streams.publishWithRecords(List.of(record), events == null ? List.of() : events, caller);
        } catch (RuntimeException refused) {
            synchronized (p) {
                p.cancelAck(o);
            }
            throw refused;
        }
        try {
            Completions.await(written);
        } catch (RuntimeException failed) {
            synchronized (p) {
                p.abortAck(o);
            }
            p.signal.signal();
            throw failed;
        }
        synchronized (p) {
            p.completeAck(o, output);
        }
        p.signal.signal();
        return new AckResult(1, List.of());
    }

    /** Makes a delivery's stage deliverable again (or parks it at the limit); unknown if it is not out. */
    public AckResult nack(String pipeline, String stage, String deliveryId, String reason, Caller caller) {
        ensureOpen();
        Pipeline p = existing(pipeline);
        requireStage(p, stage);
        String kept = reason == null || reason.length() <= 500 ? reason : reason.substring(0, 500);
        boolean settled;
        List<Pipeline.Failure> failures;
        synchronized (p) {
            p.expire(now());
            settled = p.nack(stage, deliveryId, kept);
            failures = p.takeUnwritten();
        }
        p.signal.signal();
        writeFailures(p, failures, caller);
        return settled ? new AckResult(1, List.of()) : new AckResult(0, List.of(String.valueOf(deliveryId)));
    }

    /**
     * Makes the parked stages of instance {@code instanceId} (of every active instance if null)
     * deliverable again with a fresh count; durable once this returns. Returns how many.
     */
    public int replay(String pipeline, String instanceId, Caller caller) {
        ensureOpen();
        Pipeline p = existing(pipeline);
        List<Pipeline.Failure> parked;
        synchronized (p) {
            p.expire(now());
            parked = p.parked(instanceId);
        }
        List<AppendRequest> records = new ArrayList<>(parked.size());
        for (Pipeline.Failure f : parked) {
            records.add(new AppendRequest(PipelineLog.instanceEntity(p, f.instance().id), PipelineCodec.REVIVED,
                    PipelineCodec.revived(f.stage())));
        }
        for (int from = 0; from < records.size(); from += SCAN_PAGE) {
            write(records.subList(from, Math.min(records.size(), from + SCAN_PAGE)), caller);
        }
        int n = 0;
        synchronized (p) {
            for (Pipeline.Failure f : parked) {
                n += p.revive(f.instance(), f.stage()) ? 1 : 0;
            }
        }
        p.signal.signal();
        return n;
    }

    // ---- instances ----

    /** The instance at {@code instanceId}, active or done; NOT_FOUND if that position started none. */
    public InstanceView instance(String pipeline, String instanceId) {
        ensureOpen();
        Pipeline p = existing(pipeline);
        if (Instance.parse(instanceId) == null) {
            throw new StoreException(ErrorCode.NOT_FOUND, "no instance " + instanceId + " of pipeline " + pipeline
                    + " (an instance id is partition:offset)");
        }
        InstanceView view = null;
        Instance active;
        synchronized (p) {
            p.expire(now());
            active = p.active(instanceId);
            if (active != null && active.trigger != null) {
                view = active.view(p.definition);
            }
        }
        if (view != null) {
            return view;
        }
        Instance i = active != null ? active : PipelineLog.read(store, p, instanceId);
        if (i == null) {
            throw new StoreException(ErrorCode.NOT_FOUND, "no instance " + instanceId + " of pipeline " + pipeline);
        }
        StoredEvent trigger = readTrigger(p, i.partition, i.offset);
        synchronized (p) {
            i.trigger = trigger;
            return i.view(p.definition);
        }
    }

    /**
     * Starts an instance for the input event at {@code partition}/{@code offset} by hand, whatever its
     * kind; INSTANCE_EXISTS if that event started one already, NOT_FOUND if there is no such event.
     * Returns the instance id.
     */
    public String trigger(String pipeline, int partition, long offset, Caller caller) {
        ensureOpen();
        Pipeline p = existing(pipeline);
        if (partition < 0 || partition >= streams.partitions(p.definition.input()) || offset < 0) {
            throw new StoreException(ErrorCode.NOT_FOUND, "stream " + p.definition.input() + " has no partition "
                    + partition + " offset " + offset);
        }
        StoredEvent trigger = readTrigger(p, partition, offset);
        Instance i = new Instance(partition, offset);
        try {
            write(List.of(TriggerDiscovery.start(p, i, true)), caller);
        } catch (StoreException e) {
            if (e.code() == ErrorCode.SEQUENCE_MISMATCH) {
                throw new StoreException(ErrorCode.INSTANCE_EXISTS, "the event at " + i.id + " started an instance"
                        + " of pipeline " + pipeline + " already");
            }
            throw e;
        }
        synchronized (p) {
            i.trigger = trigger;
            p.adopt(i);
        }
        p.signal.signal();
        return i.id;
    }

    private void wake(String stream) {
        for (Pipeline p : loaded.values()) {
            if (p.definition.input().equals(stream)) {
                p.signal.signal(); // on the writer's thread: only hands the waiting polls to the worker
            }
        }
    }

    // ---- plumbing ----

    private void writeFailures(Pipeline p, List<Pipeline.Failure> failures, Caller caller) {
        if (failures.isEmpty()) {
            return;
        }
        List<AppendRequest> records = new ArrayList<>(failures.size());
        for (Pipeline.Failure f : failures) {
            records.add(new AppendRequest(PipelineLog.instanceEntity(p, f.instance().id), PipelineCodec.FAILED,
                    PipelineCodec.failed(f.stage(), f.reason())));
        }
        try {
            write(records, caller);
        } catch (RuntimeException e) {
            // The counts stay in memory; after a restart they restart lower, which only delays parking.
            LOG.log(Level.WARNING, "pipeline {0}: {1} failed deliveries not recorded: {2}", p.name, records.size(),
                    e.getMessage());
        }
    }

    private void write(List<AppendRequest> records, Caller caller) {
        Completions.await(streams.publishWithRecords(records, List.of(), caller));
    }

    private Pipeline existing(String name) {
        Pipeline p = find(name);
        if (p == null) {
            throw new StoreException(ErrorCode.NOT_FOUND, "pipeline " + name + " does not exist");
        }
        return p;
    }

    /** The loaded pipeline, else rebuilt from the log; null if it was never defined. */
    private Pipeline find(String name) {
        checkName("pipeline", name);
        Pipeline p = loaded.get(name);
        if (p != null) {
            return p;
        }
        synchronized (creation) {
            p = loaded.get(name);
            if (p == null) {
                Optional<Coordinate> entity = PipelineLog.find(store, name);
                p = entity.isEmpty() ? null : PipelineLog.load(store, name, entity.get());
                if (p != null) {
                    loaded.put(name, p);
                }
            }
            return p;
        }
    }

    private static void requireStage(Pipeline p, String stage) {
        if (p.definition.stage(stage) == null) {
            throw new StoreException(ErrorCode.NOT_FOUND, "pipeline " + p.name + " has no stage " + stage);
        }
    }

    private static void checkName(String what, String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_CHARS || name.indexOf('/') >= 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, what + " name must have 1.." + MAX_NAME_CHARS
                    + " characters and no '/'");
        }
        Coordinate.validatePart(what, name);
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "pipelines are closed");
        }
    }

    /** Wakes every waiting poll (which then fails with UNAVAILABLE) and refuses further calls. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Pipeline p : loaded.values()) {
            p.signal.signal();
        }
    }
}
