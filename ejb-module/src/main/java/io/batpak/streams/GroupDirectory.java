package io.batpak.streams;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Completions;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The consumer groups in memory: each one rebuilt from its entity's records the first time it is
 * used, or created by writing its first configuration. At most one {@link ConsumerGroup} exists per
 * stream and group name. Thread-safe: the map is concurrent, and loading or creating a group
 * happens under {@code creation}, so two first uses never build two instances.
 */
final class GroupDirectory {
    private static final int PAGE = 1000;

    private final EventStore store;
    private final Appender appender;
    private final StreamRegistry registry;
    /** Each partition's next offset, for groups that start at the latest event. */
    private final Function<String, long[]> heads;
    private final Map<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
    private final Object creation = new Object();

    GroupDirectory(EventStore store, Appender appender, StreamRegistry registry, Function<String, long[]> heads) {
        this.store = store;
        this.appender = appender;
        this.registry = registry;
        this.heads = heads;
    }

    /** The group; NOT_FOUND if the stream or the group does not exist. */
    ConsumerGroup existing(String stream, String group) {
        registry.require(StreamNames.checkStream(stream));
        StreamNames.checkGroup(group);
        ConsumerGroup g = groups.get(key(stream, group));
        if (g != null) {
            return g;
        }
        synchronized (creation) {
            g = load(stream, group);
        }
        if (g == null) {
            throw new StoreException(ErrorCode.NOT_FOUND, "group " + group + " of stream " + stream + " does not exist");
        }
        return g;
    }

    /** The group, created with {@code created} if it has no records yet. */
    ConsumerGroup orCreate(String stream, String group, GroupConfig created, Caller caller) {
        ConsumerGroup g = groups.get(key(stream, group));
        if (g != null) {
            return g;
        }
        synchronized (creation) {
            g = load(stream, group);
            return g != null ? g : create(stream, group, created, caller);
        }
    }

    /**
     * Creates the group with {@code c}, or writes {@code c} as the existing group's configuration
     * (its start stays what its creation fixed). Returns the group's configuration.
     */
    GroupConfig configure(String stream, String group, GroupConfig c, Caller caller) {
        synchronized (creation) {
            ConsumerGroup g = load(stream, group);
            if (g == null) {
                return create(stream, group, c, caller).config();
            }
            synchronized (g) {
                long[] starts = g.startOffsets();
                Completions.await(appender.append(List.of(new AppendRequest(StreamNames.group(stream, group),
                        StreamNames.GROUP_CONFIG, StreamCodec.groupConfig(c.withStart(g.config().start()), starts))), caller));
                g.configure(c, starts);
                g.signal.signal();
                return g.config();
            }
        }
    }

    /** The groups loaded so far. */
    Collection<ConsumerGroup> loaded() {
        return groups.values();
    }

    /** The group from the map, else rebuilt from its entity's records; null if it has none. Caller holds creation. */
    private ConsumerGroup load(String stream, String group) {
        ConsumerGroup g = groups.get(key(stream, group));
        if (g != null) {
            return g;
        }
        Coordinate entity = StreamNames.group(stream, group);
        g = new ConsumerGroup(stream, group);
        int partitions = registry.partitions(stream);
        for (long from = 0; ; ) {
            List<StoredEvent> page = store.readEntity(EntityQuery.of(entity).withFrom(from).withLimit(PAGE));
            for (StoredEvent e : page) {
                GroupRecords.apply(g, e, partitions);
            }
            if (page.size() < PAGE) {
                break;
            }
            from = page.get(page.size() - 1).sequence() + 1;
        }
        if (!g.isConfigured()) {
            return null;
        }
        groups.put(key(stream, group), g);
        return g;
    }

    /** Writes the group's first configuration, fixing its start offsets. Caller holds creation. */
    private ConsumerGroup create(String stream, String group, GroupConfig c, Caller caller) {
        long[] starts = c.start() == StartPosition.LATEST ? heads.apply(stream) : new long[registry.require(stream)];
        Completions.await(appender.append(List.of(new AppendRequest(StreamNames.group(stream, group), StreamNames.GROUP_CONFIG,
                StreamCodec.groupConfig(c, starts), AppendOptions.NONE.withExpectedSequence(AppendOptions.NO_EVENTS))),
                caller));
        ConsumerGroup g = new ConsumerGroup(stream, group);
        g.configure(c, starts);
        groups.put(key(stream, group), g);
        return g;
    }

    private static String key(String stream, String group) {
        return stream + '/' + group;
    }
}
