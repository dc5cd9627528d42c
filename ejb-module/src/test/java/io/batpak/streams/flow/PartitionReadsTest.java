package io.batpak.streams.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.engine.Caller;
import io.batpak.engine.StoredEvent;
import io.batpak.streams.flow.FlowCodec.Source;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads through the shared window return exactly what the log returns, while the partition grows and the window evicts. */
class PartitionReadsTest {
    @TempDir
    Path dir;

    private static List<String> ids(List<StoredEvent> events) {
        return events.stream().map(e -> e.eventId() + "@" + e.sequence()).toList();
    }

    @Test
    void aReadThroughTheWindowEqualsAReadOfTheLog() {
        try (FlowFixture f = new FlowFixture(dir)) {
            f.streams.createOrGrow("s", 1, Caller.ANONYMOUS);
            PartitionReads reads = new PartitionReads(f.streams, 5);
            Source s = new Source("s", 0);
            Random r = new Random(42);
            long head = 0;
            for (int i = 0; i < 400; i++) {
                if (r.nextInt(3) == 0) {
                    int n = 1 + r.nextInt(4);
                    for (int k = 0; k < n; k++) {
                        f.streams.publish("s", List.of(Counting.event("k", k)), Caller.ANONYMOUS);
                    }
                    head += n;
                }
                long from = head == 0 ? 0 : r.nextLong(head + 2);
                int limit = 1 + r.nextInt(6);
                assertEquals(ids(f.streams.readPartition("s", 0, from, limit)), ids(reads.read(s, from, limit)),
                        "read of " + limit + " from " + from + " with the head at " + head);
            }
        }
    }
}
