package io.batpak.streams.pipeline;

import io.batpak.engine.Coordinate;
import io.batpak.streams.wait.WaitSignal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory side of one pipeline: its active instances, the ready stages per stage name, the
 * deliveries out now, the trigger cursor, and the failures not yet written. No I/O happens here:
 * {@link Pipelines} writes the records first and then applies them. Not thread-safe: every method
 * is called with this object's monitor held, except the final fields, {@link #discovery} and
 * {@link #signal} (what long polls wait on, thread-safe itself).
 */
final class Pipeline {
    /** Signalled when a stage may have become ready (a publish, trigger, nack, ack, replay). */
    final WaitSignal signal = new WaitSignal();
    /** A delivery out now; {@code acking} while its ack is being written (it cannot time out then). */
    static final class Out {
        final String id;
        final Instance instance;
        final String stage;
        final long deadline;
        boolean acking;

        Out(String id, Instance instance, String stage, long deadline) {
            this.id = id;
            this.instance = instance;
            this.stage = stage;
            this.deadline = deadline;
        }
    }

    /** A failure (nack or timeout) to be written as a record, so parking survives a restart. */
    record Failure(Instance instance, String stage, String reason) {
    }

    final String name;
    final PipelineDefinition definition;
    final Coordinate entity;
    final long[] startOffsets;
    /** One trigger discovery at a time; held across its reads and writes, taken only with tryLock. */
    final ReentrantLock discovery = new ReentrantLock();
    private final Map<String, List<StageSpec>> dependents = new HashMap<>();

    private long[] cursor;
    private final Map<String, Instance> active = new LinkedHashMap<>();
    private final Map<String, LinkedHashSet<Instance>> ready = new HashMap<>();
    private final Map<String, Out> inFlight = new HashMap<>();
    private final List<Failure> unwritten = new ArrayList<>();
    private long instances;
    private long done;

    Pipeline(String name, PipelineDefinition definition, Coordinate entity, long[] startOffsets, long[] cursor) {
        this.name = name;
        this.definition = definition;
        this.entity = entity;
        this.startOffsets = startOffsets.clone();
        this.cursor = cursor == null ? startOffsets.clone() : cursor.clone();
        for (StageSpec s : definition.stages()) {
            ready.put(s.name(), new LinkedHashSet<>());
            for (String d : s.dependsOn()) {
                dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(s);
            }
        }
    }

    /** The cursor widened to {@code partitions} (a partition added after the pipeline starts at 0). */
    long[] cursor(int partitions) {
        return cursor.length >= partitions ? cursor.clone() : Arrays.copyOf(cursor, partitions);
    }

    void advanceCursor(long[] next) {
        long[] merged = cursor(next.length);
        for (int i = 0; i < next.length; i++) {
            merged[i] = Math.max(merged[i], next[i]);
        }
        cursor = merged;
    }

    Instance active(String id) {
        return active.get(id);
    }

    /**
     * Takes in an instance built from its records (or just started): counted, and kept in memory
     * only if some stage still lacks its output. Ignored if it is active already.
     */
    void adopt(Instance i) {
        if (active.containsKey(i.id)) {
            return;
        }
        instances++;
        if (i.complete(definition)) {
            done++;
            return;
        }
        active.put(i.id, i);
        for (StageSpec s : definition.stages()) {
            if (i.state(s) == StageState.READY) {
                ready.get(s.name()).add(i);
            }
        }
    }

    /** Times out overdue deliveries: each counts as a failure, and the stage is ready again unless that parked it. */
    void expire(long now) {
        for (Iterator<Out> it = inFlight.values().iterator(); it.hasNext(); ) {
            Out o = it.next();
            if (!o.acking && o.deadline <= now) {
                it.remove();
                fail(o, "ack timeout");
            }
        }
    }

    private void fail(Out o, String reason) {
        o.instance.running.remove(o.stage);
        boolean parked = o.instance.fail(o.stage, reason, definition.maxDeliveries());
        if (definition.maxDeliveries() > 0) {
            unwritten.add(new Failure(o.instance, o.stage, reason));
        }
        if (!parked) {
            ready.get(o.stage).add(o.instance);
        }
    }

    /** The failures counted since the last call, to be written. */
    List<Failure> takeUnwritten() {
        if (unwritten.isEmpty()) {
            return List.of();
        }
        List<Failure> out = new ArrayList<>(unwritten);
        unwritten.clear();
        return out;
    }

    /** Hands up to {@code max} ready instances of {@code stage} out, oldest first. */
    List<Out> claim(String stage, int max, long now) {
        List<Out> out = new ArrayList<>();
        LinkedHashSet<Instance> queue = ready.get(stage);
        StageSpec spec = definition.stage(stage);
        for (Iterator<Instance> it = queue.iterator(); it.hasNext() && out.size() < max; ) {
            Instance i = it.next();
            it.remove();
            if (i.state(spec) != StageState.READY || active.get(i.id) != i) {
                continue; // stale: done, parked or out already
            }
            Out o = new Out(UUID.randomUUID().toString(), i, stage, now + definition.ackTimeoutMs());
            i.running.put(stage, o.id);
            i.deliveries.merge(stage, 1, Integer::sum);
            inFlight.put(o.id, o);
            out.add(o);
        }
        return out;
    }

    /** Nacks a delivery of {@code stage}; false if it is not in flight (or its ack is being written). */
    boolean nack(String stage, String deliveryId, String reason) {
        Out o = inFlight.get(deliveryId);
        if (o == null || o.acking || !o.stage.equals(stage)) {
            return false;
        }
        inFlight.remove(deliveryId);
        fail(o, reason);
        return true;
    }

    /** Marks a delivery of {@code stage} as being acked and returns it; null if it is not in flight. */
    Out beginAck(String stage, String deliveryId) {
        Out o = inFlight.get(deliveryId);
        if (o == null || o.acking || !o.stage.equals(stage) || o.instance.outputs.containsKey(stage)) {
            return null;
        }
        o.acking = true;
        return o;
    }

    /** The ack was refused before anything was written: the delivery stays out, as before. */
    void cancelAck(Out o) {
        o.acking = false;
    }

    /** The ack's write failed: nothing is stored, so the stage is ready again (not counted as a failure). */
    void abortAck(Out o) {
        inFlight.remove(o.id);
        o.instance.running.remove(o.stage);
        ready.get(o.stage).add(o.instance);
    }

    /** The output is stored: the stage is done, its dependents may become ready, the instance may be complete. */
    void completeAck(Out o, byte[] output) {
        inFlight.remove(o.id);
        Instance i = o.instance;
        i.running.remove(o.stage);
        i.outputs.put(o.stage, output);
        for (StageSpec next : dependents.getOrDefault(o.stage, List.of())) {
            if (i.state(next) == StageState.READY) {
                ready.get(next.name()).add(i);
            }
        }
        if (i.complete(definition)) {
            active.remove(i.id);
            done++;
        }
    }

    /** Parked stages of the active instance {@code instanceId} (all active instances if null), as (instance, stage). */
    List<Failure> parked(String instanceId) {
        List<Failure> out = new ArrayList<>();
        for (Instance i : instanceId == null ? active.values() : listOf(active.get(instanceId))) {
            for (StageSpec s : definition.stages()) {
                if (i.parked.contains(s.name())) {
                    out.add(new Failure(i, s.name(), null));
                }
            }
        }
        return out;
    }

    private static List<Instance> listOf(Instance i) {
        return i == null ? List.of() : List.of(i);
    }

    /** Makes a parked stage (whose replay is stored) deliverable again; false if it was not parked any more. */
    boolean revive(Instance i, String stage) {
        if (!i.parked.contains(stage)) {
            return false;
        }
        i.revive(stage);
        if (active.get(i.id) == i && i.state(definition.stage(stage)) == StageState.READY) {
            ready.get(stage).add(i);
        }
        return true;
    }

    /** The earliest deadline of a delivery out now, or Long.MAX_VALUE. */
    long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Out o : inFlight.values()) {
            if (!o.acking) {
                next = Math.min(next, o.deadline);
            }
        }
        return next;
    }

    PipelineSummary summary() {
        long parked = 0;
        for (Instance i : active.values()) {
            if (i.hasParked()) {
                parked++;
            }
        }
        return new PipelineSummary(name, definition, instances, done, active.size() - parked, parked);
    }
}
