package io.batpak.streams;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Completions;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Partition counts of the streams, read from their metadata entities on first use and cached.
 * Creating or growing a stream appends a configuration event with the metadata entity's expected
 * sequence, so concurrent growers cannot both win with stale counts. Thread-safe.
 */
final class StreamRegistry {
    private static final System.Logger LOG = System.getLogger(StreamRegistry.class.getName());
    private record Meta(int partitions, long lastSequence) {
    }

    private final EventStore store;
    private final Appender appender;
    private final int maxPartitions;
    private final Map<String, Meta> known = new ConcurrentHashMap<>();

    StreamRegistry(EventStore store, Appender appender, int maxPartitions) {
        this.store = store;
        this.appender = appender;
        this.maxPartitions = maxPartitions;
    }

    /** The stream's partition count, or 0 if it does not exist. */
    int partitions(String stream) {
        Meta m = known.get(stream);
        if (m != null) {
            return m.partitions();
        }
        m = load(stream);
        if (m.partitions() > 0) {
            known.put(stream, m);
        }
        return m.partitions();
    }

    /** The stream's partition count; NOT_FOUND if it does not exist. */
    int require(String stream) {
        int n = partitions(stream);
        if (n == 0) {
            throw new StoreException(ErrorCode.NOT_FOUND, "stream " + stream + " does not exist");
        }
        return n;
    }

    /**
     * The stream's configuration from its metadata entity. Only the store writes that entity (its
     * name is reserved to the store), but a damaged record is still checked: one that does not decode
     * or asks for a partition count outside 1..max is skipped with a warning naming it, so the stream
     * stays readable with the counts its valid records give.
     */
    private Meta load(String stream) {
        io.batpak.engine.Coordinate entity = StreamNames.meta(stream);
        int partitions = 0;
        long last = AppendOptions.NO_EVENTS;
        for (long from = 0; ; ) {
            List<StoredEvent> page = store.readEntity(EntityQuery.of(entity).withFrom(from).withLimit(1000));
            for (StoredEvent e : page) {
                if (e.kind().equals(StreamNames.STREAM_CONFIG)) {
                    partitions = Math.max(partitions, checkedPartitions(stream, e));
                }
                last = e.sequence();
            }
            if (page.size() < 1000) {
                return new Meta(partitions, last);
            }
            from = last + 1;
        }
    }

    private int checkedPartitions(String stream, StoredEvent e) {
        try {
            int n = StreamCodec.partitions(e.payload());
            if (n >= 1 && n <= maxPartitions) {
                return n;
            }
            LOG.log(Level.WARNING, "stream {0}: configuration at sequence {1} asks for {2} partitions, outside"
                    + " 1..{3}; ignored", stream, e.sequence(), n, maxPartitions);
        } catch (RuntimeException bad) {
            LOG.log(Level.WARNING, "stream {0}: configuration at sequence {1} does not decode ({2}); ignored",
                    stream, e.sequence(), bad.getMessage());
        }
        return 0;
    }

    /**
     * Creates the stream with {@code partitions} partitions or grows it to that many. Asking for the
     * current count is a no-op; asking for fewer is INVALID_REQUEST (partitions are never removed).
     * Returns the count.
     */
    synchronized int createOrGrow(String stream, int partitions, Caller caller) {
        if (partitions < 1 || partitions > maxPartitions) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "partitions must be within 1.." + maxPartitions
                    + ", was " + partitions);
        }
        Meta m = load(stream);
        if (partitions < m.partitions()) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "stream " + stream + " has " + m.partitions()
                    + " partitions; a stream grows but never shrinks");
        }
        if (partitions == m.partitions()) {
            known.put(stream, m);
            return partitions;
        }
        AppendRequest r = new AppendRequest(StreamNames.meta(stream), StreamNames.STREAM_CONFIG,
                StreamCodec.streamConfig(partitions), AppendOptions.NONE.withExpectedSequence(m.lastSequence()));
        long seq = Completions.await(appender.append(List.of(r), caller)).get(0).sequence();
        known.put(stream, new Meta(partitions, seq));
        return partitions;
    }
}
