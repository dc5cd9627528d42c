package io.batpak.streams;

import io.batpak.engine.StoredEvent;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Replays one stored group record (configuration, acks, failed deliveries, revived offsets) into a {@link ConsumerGroup} when the
 * group is rebuilt from the log. Only the store writes group entities (their names are reserved),
 * yet a damaged record must not break the group for good: a record that does not decode, or names a
 * partition the stream does not have or a negative offset, is skipped with a warning naming the
 * group and the record's sequence. Stateless.
 */
final class GroupRecords {
    private static final Logger LOG = System.getLogger(GroupRecords.class.getName());

    private GroupRecords() {
    }

    static void apply(ConsumerGroup g, StoredEvent e, int partitions) {
        try {
            if (e.kind().equals(StreamNames.GROUP_CONFIG)) {
                StreamCodec.StoredGroupConfig c = StreamCodec.readGroupConfig(e.payload());
                long[] starts = c.startOffsets();
                if (starts.length > partitions || !nonNegative(starts)) {
                    skip(g, e, "start offsets for " + starts.length + " partitions of " + partitions);
                    return;
                }
                g.configure(c.config(), starts);
            } else if (e.kind().equals(StreamNames.GROUP_ACK) && g.isConfigured()) {
                long[] flat = StreamCodec.readAcks(e.payload());
                for (int i = 0; i < flat.length; i += 2) {
                    if (flat[i] < 0 || flat[i] >= partitions || flat[i + 1] < 0) {
                        skip(g, e, "an ack of partition " + flat[i] + " offset " + flat[i + 1]);
                        continue;
                    }
                    g.markAcked((int) flat[i], flat[i + 1]);
                }
            } else if (e.kind().equals(StreamNames.GROUP_FAILED) && g.isConfigured()) {
                for (ConsumerGroup.Failure f : ParkingCodec.readFailures(e.payload())) {
                    if (inRange(f.partition(), f.offset(), partitions)) {
                        g.recordFailure(f.partition(), f.offset(), f.reason());
                    } else {
                        skip(g, e, "a failure of partition " + f.partition() + " offset " + f.offset());
                    }
                }
            } else if (e.kind().equals(StreamNames.GROUP_REVIVED) && g.isConfigured()) {
                for (long[] pair : ParkingCodec.readOffsets(e.payload())) {
                    if (inRange(pair[0], pair[1], partitions)) {
                        g.revive((int) pair[0], pair[1]);
                    } else {
                        skip(g, e, "a replay of partition " + pair[0] + " offset " + pair[1]);
                    }
                }
            }
        } catch (RuntimeException bad) {
            skip(g, e, bad.getMessage());
        }
    }

    private static boolean inRange(long partition, long offset, int partitions) {
        return partition >= 0 && partition < partitions && offset >= 0;
    }

    private static boolean nonNegative(long[] values) {
        for (long v : values) {
            if (v < 0) {
                return false;
            }
        }
        return true;
    }

    private static void skip(ConsumerGroup g, StoredEvent e, String why) {
        LOG.log(Level.WARNING, "group {0}: record at sequence {1} is damaged ({2}); skipped", g, e.sequence(), why);
    }
}
