package io.batpak.streams;

import io.batpak.streams.wait.WaitSignal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The delivery state machine of one consumer group, in memory and free of I/O: per partition the
 * committed offset (every offset below it is acked), the acked offsets above it, the offsets to
 * hand out again (nacked or timed out) and the next offset never handed out; plus the deliveries
 * out now. Every offset in {@code [committed, next)} is in exactly one of: acked, in flight, being
 * acked, or waiting for redelivery — so each event is out to at most one member at a time and an
 * acked one is never handed out again.
 *
 * <p><b>Parking.</b> With {@code maxDeliveries > 0} every failed delivery (a nack or an ack timeout)
 * of an offset is counted; at the limit the offset is parked: no longer handed out and, like an
 * acked one, no longer holding back the committed offset. Each failure is also queued for the owner
 * to write as a group record ({@link #takeUnwritten}), so that replaying those records
 * ({@link #recordFailure}, {@link #revive}) rebuilds the same counts and parked set after a restart.
 * A replayed (revived) offset below the committed offset is deliverable again with a fresh count
 * and pulls the reported committed offset back until it is acked.
 *
 * <p>Acks are two-phase because they are written to the log: {@link #beginAck} takes deliveries out
 * of flight (so they can neither time out nor be acked twice while the write is under way), then
 * {@link #completeAck} records them once durable, or {@link #abortAck} makes them deliverable again.
 *
 * <p>Not thread-safe: the owner guards every call with the group's monitor. Only {@link #signal},
 * thread-safe itself, is used without it.
 */
final class ConsumerGroup {
    /** What the group's long polls wait on: signalled when something may have become deliverable. */
    final WaitSignal signal = new WaitSignal();
    private final String stream;
    private final String name;
    private GroupConfig config;
    private long[] startOffsets;
    private Partition[] parts = new Partition[0];
    private final Map<String, Out> inFlight = new LinkedHashMap<>();
    private final Map<String, Integer> perConsumer = new HashMap<>();
    /** Failed deliveries counted since the owner last took them, to be written in this order. */
    private final List<Failure> unwritten = new ArrayList<>();
    private int rotor;

    /** One failed delivery: what the group record of a nack or timeout holds. */
    record Failure(int partition, long offset, String reason) {
    }

    /** How often an offset failed and why it failed last; for parked offsets, the final count. */
    static final class Failures {
        int deliveries;
        String lastReason;
    }

    /** A parked offset as {@link #parked} lists it. */
    record ParkedOffset(int partition, long offset, int deliveries, String lastReason) {
    }

    /** A delivery out now. */
    record Out(String id, int partition, long offset, String consumer, long deadline) {
    }

    private static final class Partition {
        long committed;
        long next;
        int inFlight;
        final TreeSet<Long> acked = new TreeSet<>();
        final TreeSet<Long> redeliver = new TreeSet<>();
        /** Offsets not settled that failed at least once (only while maxDeliveries > 0). */
        final Map<Long, Failures> failures = new HashMap<>();
        /** Parked offsets, settled for the committed offset but not acked. */
        final TreeMap<Long, Failures> parked = new TreeMap<>();
        /** Replayed offsets below {@code committed}, deliverable again and not yet acked. */
        final TreeSet<Long> revived = new TreeSet<>();

        boolean settled(long offset) {
            return parked.containsKey(offset) || acked.contains(offset) || offset < committed && !revived.contains(offset);
        }

        /** Moves {@code committed} past every acked or parked offset at its front. */
        void advance() {
            while (acked.remove(committed) || parked.containsKey(committed)) {
                committed++;
            }
            next = Math.max(next, committed);
        }

        long reportedCommitted() {
            return revived.isEmpty() ? committed : Math.min(committed, revived.first());
        }
    }

    ConsumerGroup(String stream, String name) {
        this.stream = stream;
        this.name = name;
    }

    @Override
    public String toString() {
        return stream + "/" + name;
    }

    String stream() {
        return stream;
    }

    String name() {
        return name;
    }

    boolean isConfigured() {
        return config != null;
    }

    GroupConfig config() {
        return config;
    }

    /**
     * Applies a stored configuration. The first one also fixes where each partition starts; later
     * ones only change the timeout and the in-flight limit.
     */
    void configure(GroupConfig c, long[] starts) {
        if (config == null) {
            startOffsets = starts.clone();
            ensurePartitions(starts.length);
            for (int p = 0; p < starts.length; p++) {
                parts[p].committed = Math.max(parts[p].committed, starts[p]);
                parts[p].next = Math.max(parts[p].next, parts[p].committed);
            }
            config = c;
        } else {
            config = new GroupConfig(c.ackTimeoutMs(), c.maxInFlight(), c.maxDeliveries(), config.start());
        }
    }

    private void ensurePartitions(int n) {
        if (parts.length >= n) {
            return;
        }
        int old = parts.length;
        parts = Arrays.copyOf(parts, n);
        for (int p = old; p < n; p++) {
            parts[p] = new Partition();
            // partitions added after the group was created start at 0: all their events are newer
        }
    }

    /**
     * Hands out up to {@code max} events to {@code consumer} (fewer if it would exceed
     * {@code maxInFlight}), redeliveries first, taking partitions in turn. {@code heads[p]} is the
     * next offset partition {@code p} will get.
     */
    List<Out> claim(String consumer, int max, long now, long[] heads) {
        ensurePartitions(heads.length);
        int budget = Math.min(max, config.maxInFlight() - perConsumer.getOrDefault(consumer, 0));
        List<Out> out = new ArrayList<>();
        int n = parts.length;
        boolean progress = true;
        while (out.size() < budget && progress) {
            progress = false;
            for (int i = 0; i < n && out.size() < budget; i++) {
                int p = (rotor + i) % n;
                long offset = nextFor(p, heads[p]);
                if (offset >= 0) {
                    out.add(handOut(consumer, p, offset, now));
                    progress = true;
                }
            }
        }
        rotor = n == 0 ? 0 : (rotor + 1) % n;
        return out;
    }

    /** The offset to hand out next in partition {@code p}, or -1 if none is deliverable. */
    private long nextFor(int p, long head) {
        Partition part = parts[p];
        Long again = part.redeliver.pollFirst();
        if (again != null) {
            return again;
        }
        while (part.next < head && (part.acked.contains(part.next) || part.parked.containsKey(part.next))) {
            part.next++; // acked or parked before a restart, beyond the committed offset
        }
        return part.next < head ? part.next++ : -1;
    }

    private Out handOut(String consumer, int p, long offset, long now) {
        Out o = new Out(UUID.randomUUID().toString(), p, offset, consumer, now + config.ackTimeoutMs());
        inFlight.put(o.id(), o);
        perConsumer.merge(consumer, 1, Integer::sum);
        parts[p].inFlight++;
        return o;
    }

    /**
     * Makes every delivery past its deadline deliverable again. Returns how many expired.
     * Deliveries are kept in hand-out order, which is deadline order while the ack timeout stays
     * the same, so this stops at the first one still running instead of scanning all of them.
     * After a group's timeout is shortened, newer deliveries may expire up to the old timeout late.
     */
    int expire(long now) {
        int n = 0;
        for (Iterator<Out> it = inFlight.values().iterator(); it.hasNext(); ) {
            Out o = it.next();
            if (o.deadline() > now) {
                break;
            }
            it.remove();
            release(o);
            parts[o.partition()].inFlight--;
            fail(o, TIMEOUT_REASON);
            n++;
        }
        return n;
    }

    /** The deadline of the oldest delivery out now (see {@link #expire}), or {@code Long.MAX_VALUE}. */
    long nextDeadline() {
        Iterator<Out> it = inFlight.values().iterator();
        return it.hasNext() ? it.next().deadline() : Long.MAX_VALUE;
    }

    /**
     * Takes the deliveries named by {@code ids} out of flight for acking. Ids not in flight go to
     * {@code unknown}. When {@code all} is set and any id is unknown, nothing is taken.
     */
    List<Out> beginAck(List<String> ids, List<String> unknown, boolean all) {
        if (all) {
            for (String id : ids) {
                if (!inFlight.containsKey(id)) {
                    unknown.add(id);
                }
            }
            if (!unknown.isEmpty()) {
                return List.of(); // nothing taken, so hand-out order is kept
            }
        }
        List<Out> taken = new ArrayList<>(ids.size());
        for (String id : ids) {
            Out o = inFlight.remove(id);
            if (o == null) {
                unknown.add(id);
            } else {
                taken.add(o);
            }
        }
        taken.forEach(this::release);
        return taken;
    }

    /** Records deliveries taken by {@link #beginAck} as acked, now that the ack is durable. */
    void completeAck(List<Out> taken) {
        for (Out o : taken) {
            parts[o.partition()].inFlight--;
            markAcked(o.partition(), o.offset());
        }
    }

    /** Makes deliveries taken by {@link #beginAck} deliverable again: their ack was not written. */
    void abortAck(List<Out> taken) {
        for (Out o : taken) {
            parts[o.partition()].inFlight--;
            parts[o.partition()].redeliver.add(o.offset());
        }
    }

    /**
     * Makes the named deliveries deliverable again (or parks them, see the class comment); ids not
     * in flight go to {@code unknown}. {@code reason} may be null. Returns how many.
     */
    int nack(List<String> ids, List<String> unknown, String reason) {
        List<Out> taken = beginAck(ids, unknown, false);
        for (Out o : taken) {
            parts[o.partition()].inFlight--;
            fail(o, reason);
        }
        return taken.size();
    }

    /** The reason kept for a delivery that timed out. */
    static final String TIMEOUT_REASON = "ack timeout";

    /** A delivery taken out of flight failed: counted (and maybe parked) or simply handed out again. */
    private void fail(Out o, String reason) {
        if (config.maxDeliveries() > 0) {
            unwritten.add(new Failure(o.partition(), o.offset(), reason));
            if (recordFailure(o.partition(), o.offset(), reason)) {
                return;
            }
        }
        parts[o.partition()].redeliver.add(o.offset());
    }

    /**
     * Counts one failed delivery of an offset (live, or replayed from a group record) and parks the
     * offset once it reaches {@code maxDeliveries}. Settled offsets are left alone. True if parked.
     */
    boolean recordFailure(int p, long offset, String reason) {
        ensurePartitions(p + 1);
        Partition part = parts[p];
        if (config.maxDeliveries() == 0 || part.settled(offset)) {
            return false;
        }
        Failures f = part.failures.computeIfAbsent(offset, k -> new Failures());
        f.deliveries++;
        f.lastReason = reason;
        if (f.deliveries < config.maxDeliveries()) {
            return false;
        }
        part.failures.remove(offset);
        part.redeliver.remove(offset);
        part.revived.remove(offset);
        part.parked.put(offset, f);
        part.advance();
        return true;
    }

    /** Makes a parked offset deliverable again with a fresh count. False if it was not parked. */
    boolean revive(int p, long offset) {
        ensurePartitions(p + 1);
        Partition part = parts[p];
        if (part.parked.remove(offset) == null) {
            return false;
        }
        if (offset < part.committed) {
            part.revived.add(offset);
        }
        if (offset < part.next) {
            part.redeliver.add(offset); // handed out before; offsets at or past next come in turn
        }
        return true;
    }

    boolean isParked(int p, long offset) {
        return p >= 0 && p < parts.length && parts[p].parked.containsKey(offset);
    }

    /** Every parked offset, by partition then offset, after {@code (afterPartition, afterOffset)}, at most {@code limit}. */
    List<ParkedOffset> parked(int afterPartition, long afterOffset, int limit) {
        List<ParkedOffset> out = new ArrayList<>();
        for (int p = Math.max(0, afterPartition); p < parts.length && out.size() < limit; p++) {
            Map<Long, Failures> tail = p == afterPartition ? parts[p].parked.tailMap(afterOffset, false) : parts[p].parked;
            for (Map.Entry<Long, Failures> e : tail.entrySet()) {
                if (out.size() == limit) {
                    break;
                }
                out.add(new ParkedOffset(p, e.getKey(), e.getValue().deliveries, e.getValue().lastReason));
            }
        }
        return out;
    }

    /** The failures counted since the last call, oldest first, for the owner to write. */
    List<Failure> takeUnwritten() {
        if (unwritten.isEmpty()) {
            return List.of();
        }
        List<Failure> out = List.copyOf(unwritten);
        unwritten.clear();
        return out;
    }

    /**
     * Records an acked offset (from a replayed ack event or a completed ack). Returns false if it
     * was acked already.
     */
    boolean markAcked(int p, long offset) {
        ensurePartitions(p + 1);
        Partition part = parts[p];
        // Replayed records may revisit offsets a live group never would (a replay, then its ack).
        part.failures.remove(offset);
        part.redeliver.remove(offset);
        if (part.revived.remove(offset)) {
            return true;
        }
        boolean wasParked = part.parked.remove(offset) != null;
        if (offset < part.committed || !part.acked.add(offset)) {
            return wasParked;
        }
        part.advance();
        return true;
    }

    private void release(Out o) {
        perConsumer.computeIfPresent(o.consumer(), (k, v) -> v <= 1 ? null : v - 1);
    }

    /** Progress per partition given the partitions' {@code heads}. */
    List<PartitionState> state(long[] heads) {
        ensurePartitions(heads.length);
        List<PartitionState> out = new ArrayList<>(parts.length);
        for (int p = 0; p < parts.length; p++) {
            Partition part = parts[p];
            long head = p < heads.length ? heads[p] : 0;
            long open = head - part.committed - part.acked.size() - part.parked.tailMap(part.committed).size()
                    + part.revived.size();
            out.add(new PartitionState(p, part.reportedCommitted(), part.inFlight, Math.max(0, open), part.parked.size()));
        }
        return out;
    }

    /** Deliveries out now to {@code consumer}. */
    int inFlightOf(String consumer) {
        return perConsumer.getOrDefault(consumer, 0);
    }

    /** The start offsets fixed by the first configuration. */
    long[] startOffsets() {
        return startOffsets == null ? new long[0] : startOffsets.clone();
    }
}
