package io.batpak.bench;

import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * (d) Heap bytes per indexed event. Builds a store of N events (default 1,000,000; see
 * {@link BuiltStore}), then measures the heap retained by an opened
 * store after repeated full GCs (min of several MemoryMXBean readings): an empty store (the
 * baseline), the N-event store opened from its checkpoint, and the N-event store opened by a full
 * scan (checkpoint deleted). Per-event figure = (full - empty) / N. Also prints a breakdown of the
 * index's own arrays, read by reflection (diagnostic only; relies on engine field names).
 *
 * <p>Run: {@code java -Xmx2g -cp benchmarks/target/benchmarks.jar io.batpak.bench.IndexHeapMeasure [N]};
 * the issue-13 target is N = 10,000,000 (benchmarks/engine.sh runs it with -Xmx4g and G1). The
 * heap size and collector change the figure (G1 region size, humongous arrays), so both are
 * printed.
 */
public final class IndexHeapMeasure {
    private IndexHeapMeasure() {
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        // optional: a BuiltStore root to reuse (and keep); benchmarks/engine.sh shares it with ReopenBenchmark
        Path keep = args.length > 1 ? Path.of(args[1]) : null;
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        BuiltStore built = BuiltStore.prepare(keep != null ? keep : BenchFiles.tempDir("heap"), events);
        Path dir = built.dir;
        Path emptyDir = BenchFiles.tempDir("heap-empty");
        try {
            long before = usedAfterGc(mem);
            EventStore empty = EventStore.open(StoreConfig.defaults(emptyDir));
            long emptyStore = usedAfterGc(mem) - before;
            empty.close();
            empty = null;

            long base = usedAfterGc(mem);
            EventStore full = EventStore.open(StoreConfig.defaults(dir));
            long fromCheckpoint = usedAfterGc(mem) - base;
            long count = full.globalSequence();
            String breakdownCkpt = breakdown(full, count);
            full.close();
            full = null;

            built.removeCheckpoint();
            base = usedAfterGc(mem);
            full = EventStore.open(StoreConfig.defaults(dir));
            long fromScan = usedAfterGc(mem) - base;
            String breakdownScan = breakdown(full, count);
            full.close();
            full = null;

            System.out.printf("JVM: %s %s, max heap %,d MB, GC %s%n", System.getProperty("java.vm.name"),
                    System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20,
                    ManagementFactory.getGarbageCollectorMXBeans().stream()
                            .map(java.lang.management.GarbageCollectorMXBean::getName).toList());
            System.out.printf("empty store (baseline) retained heap: %,d bytes%n", emptyStore);
            System.out.printf("%,d events, opened from checkpoint: %,d bytes -> %.1f bytes/event%n", count,
                    fromCheckpoint, (fromCheckpoint - emptyStore) / (double) count);
            System.out.println(breakdownCkpt);
            System.out.printf("%,d events, opened by full scan:     %,d bytes -> %.1f bytes/event%n", count,
                    fromScan, (fromScan - emptyStore) / (double) count);
            System.out.println(breakdownScan);
        } finally {
            if (keep == null) {
                BenchFiles.delete(built.root);
            } else {
                built.restoreCheckpoint();
            }
            BenchFiles.delete(emptyDir);
        }
    }

    // ---- diagnostic breakdown of StoreIndex by reflection (shallow array sizes, 16-byte headers) ----

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    private static long intListBytes(Object list) throws ReflectiveOperationException {
        int[] data = (int[]) field(list, "data");
        return 16 + 16 + 16L + 4L * data.length; // object + array header + array
    }

    private static String breakdown(EventStore store, long events) {
        try {
            Object index = field(store, "index");
            Object[] chunks = (Object[]) field(index, "chunks");
            long chunkBytes = 0;
            int chunkCount = 0;
            int slots = 0;
            for (Object c : chunks) {
                if (c != null) {
                    chunkCount++;
                    for (String col : new String[] {"idHi", "idLo", "position", "entity", "scope", "sequence", "kind"}) {
                        Object a = field(c, col);
                        int len = java.lang.reflect.Array.getLength(a);
                        slots = len;
                        int elem = a instanceof long[] ? 8 : a instanceof char[] ? 2 : 4;
                        chunkBytes += 16 + (long) elem * len;
                    }
                }
            }
            int[] idTable = (int[]) field(field(index, "ids"), "table");
            long entityLists = 0;
            long entityUsed = 0;
            @SuppressWarnings("unchecked")
            Map<String, Object> entities = (Map<String, Object>) field(index, "entitiesSorted");
            for (Object e : entities.values()) {
                Object list = field(e, "events");
                entityLists += intListBytes(list);
                entityUsed += 4L * (int) field(list, "size");
            }
            long scopeLists = 0;
            @SuppressWarnings("unchecked")
            Map<String, Object> scopes = (Map<String, Object>) field(index, "scopes");
            for (Object s : scopes.values()) {
                scopeLists += intListBytes(field(s, "events"));
            }
            long kindLists = 0;
            for (String name : new String[] {"byKind", "byCategory"}) {
                AtomicReferenceArray<?> arr = (AtomicReferenceArray<?>) field(index, name);
                kindLists += 16 + 4L * arr.length();
                for (int i = 0; i < arr.length(); i++) {
                    if (arr.get(i) != null) {
                        kindLists += intListBytes(arr.get(i));
                    }
                }
            }
            long idBytes = 16 + 4L * idTable.length;
            double n = events;
            return String.format("  breakdown per event: column chunks %.1f (%d chunks of %d slots), id table %.1f (%,d"
                            + " slots), entity lists %.1f (payload %.1f), scope lists %.1f, kind+category lists %.1f;"
                            + " sum %.1f",
                    chunkBytes / n, chunkCount, slots, idBytes / n, idTable.length, entityLists / n, entityUsed / n,
                    scopeLists / n, kindLists / n,
                    (chunkBytes + idBytes + entityLists + scopeLists + kindLists) / n);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "  (breakdown unavailable: " + e + ")";
        }
    }
}
