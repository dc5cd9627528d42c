package io.batpak.streams;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Completions;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The dead-letter side of consumer groups: writes the failed deliveries a group counted (so parking
 * survives a restart), lists parked events, and replays them. Every method is called with the
 * group's monitor held, so records of one group reach the writer in the order the group changed;
 * failure records are submitted without waiting (a lost one only makes an event wait one more
 * failure after a restart), revivals are awaited before memory changes. Thread-safe (stateless
 * apart from its collaborators).
 */
final class GroupParking {
    private static final Logger LOG = System.getLogger(GroupParking.class.getName());
    /** Most revived offsets in one record; a larger replay is several records in one atomic batch. */
    private static final int OFFSETS_PER_RECORD = 10_000;
    /** Most parked events one page lists. */
    static final int MAX_PAGE = 1000;

    private final EventStore store;
    private final Appender appender;

    GroupParking(EventStore store, Appender appender) {
        this.store = store;
        this.appender = appender;
    }

    /** Submits the group's unwritten failures as one record. Caller holds {@code g}'s monitor. */
    void writeFailures(ConsumerGroup g, Caller caller) {
        List<ConsumerGroup.Failure> failures = g.takeUnwritten();
        if (failures.isEmpty()) {
            return;
        }
        try {
            appender.append(List.of(new AppendRequest(StreamNames.group(g.stream(), g.name()), StreamNames.GROUP_FAILED,
                    ParkingCodec.failures(failures))), caller).whenComplete((r, e) -> {
                        if (e != null) {
                            warn(g, failures.size(), e);
                        }
                    });
        } catch (RuntimeException e) {
            warn(g, failures.size(), e);
        }
    }

    private static void warn(ConsumerGroup g, int n, Throwable e) {
        LOG.log(Level.WARNING, "group {0}: {1} failed deliveries were counted but not written ({2}); after a restart"
                + " they count again from what was written", g, n, Completions.unwrap(e).getMessage());
    }

    /** A page of parked events after the cursor {@code after} ("partition:offset", null: from the start). */
    ParkedPage page(ConsumerGroup g, String after, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "limit must be within 1.." + MAX_PAGE + ", was " + limit);
        }
        long[] cursor = cursor(after);
        List<ConsumerGroup.ParkedOffset> offsets = g.parked((int) cursor[0], cursor[1], limit + 1);
        boolean more = offsets.size() > limit;
        List<ParkedEvent> out = new ArrayList<>(Math.min(limit, offsets.size()));
        for (ConsumerGroup.ParkedOffset o : offsets.subList(0, Math.min(limit, offsets.size()))) {
            List<StoredEvent> e = store.readEntity(EntityQuery.of(StreamNames.partition(g.stream(), o.partition()))
                    .withFrom(o.offset()).withLimit(1));
            if (!e.isEmpty() && e.get(0).sequence() == o.offset()) {
                out.add(new ParkedEvent(o.partition(), o.offset(), o.deliveries(), o.lastReason(), e.get(0)));
            }
        }
        ConsumerGroup.ParkedOffset last = more ? offsets.get(limit - 1) : null;
        return new ParkedPage(out, last == null ? null : last.partition() + ":" + last.offset());
    }

    private static long[] cursor(String after) {
        if (after == null || after.isEmpty()) {
            return new long[] {0, -1};
        }
        int colon = after.indexOf(':');
        try {
            long[] c = {Integer.parseInt(after.substring(0, colon)), Long.parseLong(after.substring(colon + 1))};
            if (c[0] < 0 || c[1] < -1) {
                throw new NumberFormatException();
            }
            return c;
        } catch (RuntimeException e) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "after must be a cursor \"partition:offset\" as a page's"
                    + " next gives it, was " + after);
        }
    }

    /**
     * Makes the named parked offsets ({@code [partition, offset]} pairs; null: every parked one)
     * deliverable again with a fresh count, durably. Offsets not parked are ignored. Returns how
     * many were revived. Caller holds {@code g}'s monitor.
     */
    int revive(ConsumerGroup g, List<long[]> offsets, Caller caller) {
        List<long[]> parked = new ArrayList<>();
        if (offsets == null) {
            for (ConsumerGroup.ParkedOffset o : g.parked(0, -1, Integer.MAX_VALUE)) {
                parked.add(new long[] {o.partition(), o.offset()});
            }
        } else {
            for (long[] o : offsets) {
                if (g.isParked((int) o[0], o[1])) {
                    parked.add(o);
                }
            }
        }
        if (parked.isEmpty()) {
            return 0;
        }
        List<AppendRequest> records = new ArrayList<>();
        for (int i = 0; i < parked.size(); i += OFFSETS_PER_RECORD) {
            records.add(new AppendRequest(StreamNames.group(g.stream(), g.name()), StreamNames.GROUP_REVIVED,
                    ParkingCodec.offsets(parked.subList(i, Math.min(parked.size(), i + OFFSETS_PER_RECORD)))));
        }
        Completions.await(appender.append(records, caller));
        for (long[] o : parked) {
            g.revive((int) o[0], o[1]);
        }
        return parked.size();
    }
}
