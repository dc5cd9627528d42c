package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * (d) Heap bytes per indexed event: builds a store of 1,000,000 events (10,000 entities, 16
 * scopes, 8 kinds), then measures the retained heap of an empty store and of the reopened
 * 1M-event store after repeated GCs. Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.batpak.bench.IndexHeapMeasure}.
 */
public final class IndexHeapMeasure {
    private IndexHeapMeasure() {
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        Path dir = BenchFiles.tempDir("heap");
        Path emptyDir = BenchFiles.tempDir("heap-empty");
        try {
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
                byte[] payload = new byte[200];
                for (int b = 0; b < events / 1000; b++) {
                    List<AppendRequest> batch = new ArrayList<>(1000);
                    for (int i = 0; i < 1000; i++) {
                        int n = b * 1000 + i;
                        batch.add(new AppendRequest(new Coordinate("entity-" + n % 10_000, "scope-" + n % 16),
                                EventKind.of(0xF, n % 8), payload));
                    }
                    s.appendBatch(batch);
                }
            }
            long before = usedAfterGc(mem);
            EventStore empty = EventStore.open(StoreConfig.defaults(emptyDir));
            long emptyStore = usedAfterGc(mem) - before;
            empty.close();
            long base = usedAfterGc(mem);
            EventStore full = EventStore.open(StoreConfig.defaults(dir));
            long fullStore = usedAfterGc(mem) - base;
            long count = full.globalSequence();
            full.close();
            System.out.printf("empty store retained heap: %,d bytes%n", emptyStore);
            System.out.printf("store with %,d events retained heap: %,d bytes%n", count, fullStore);
            System.out.printf("heap bytes per indexed event: %.1f%n", (fullStore - emptyStore) / (double) count);
        } finally {
            BenchFiles.delete(dir);
            BenchFiles.delete(emptyDir);
        }
    }
}
