package io.batpak.engine;

import io.batpak.engine.log.SegmentFiles;
import io.batpak.engine.log.SegmentHeader;
import io.batpak.engine.util.LatencyHistogram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EventStore.diagnostics and the latency histogram behind its fsync percentile. */
class DiagnosticsTest {
    private static final EventKind KIND = EventKind.of(0xF, 5);

    @TempDir
    Path dir;
    @TempDir
    Path out;

    @Test
    void diagnosticsCountEventsFilesQueueFsyncsAndMaintenance() throws Exception {
        StoreConfig config = StoreConfig.defaults(dir).withSegmentMaxBytes(4096).withWriterQueueCapacity(128);
        try (EventStore s = EventStore.open(config)) {
            StoreDiagnostics empty = s.diagnostics();
            assertEquals(0, empty.events());
            assertEquals(0, empty.fsyncs());
            assertEquals(0, empty.fsyncP99Nanos(), "no fsync yet, no percentile");
            assertEquals(128, empty.writerQueueCapacity());
            assertTrue(empty.writable());

            for (int n = 0; n < 120; n++) {
                s.append(new Coordinate("e" + n % 3, "scope-" + n % 2), KIND, ("payload-" + n).repeat(5).getBytes());
            }
            StoreDiagnostics d = s.diagnostics();
            assertEquals(120, d.events());
            assertEquals(120, d.globalSequence());
            assertEquals(6, d.entities(), "e0..e2 in two scopes each: an entity is a name within a scope");
            assertEquals(2, d.scopes());
            List<Long> files = SegmentFiles.list(dir);
            assertEquals(files.size(), d.segments(), "segments counts the files on disk");
            assertEquals(files.size() - 1, d.sealedSegments(), "every segment but the active one is sealed");
            long bytes = 0;
            for (long id : files) {
                bytes += Files.size(SegmentFiles.path(dir, id));
            }
            assertEquals(bytes, d.bytes(), "bytes is the size of every segment file");
            assertTrue(d.fsyncs() >= 1, "every-commit mode forces the log");
            assertTrue(d.fsyncMeanNanos() > 0 && d.fsyncMeanNanos() <= d.fsyncMaxNanos(),
                    "mean " + d.fsyncMeanNanos() + " must lie within (0, max " + d.fsyncMaxNanos() + "]");
            assertTrue(d.fsyncP99Nanos() > 0 && d.fsyncP99Nanos() <= d.fsyncMaxNanos(),
                    "p99 " + d.fsyncP99Nanos() + " must lie within (0, max " + d.fsyncMaxNanos() + "]");
            assertTrue(d.groupCommits() >= 1 && d.groupCommits() <= 120);
            assertEquals(0, d.writerQueueDepth(), "nothing is queued once every append returned");
            assertEquals(0, d.subscriptions());
            try (Subscription sub = s.subscribeLive(Region.all(), 16)) {
                assertEquals(1, s.diagnostics().subscriptions(), "an open subscription is counted");
            }
            assertEquals(0, s.diagnostics().subscriptions(), "a closed subscription is not");
            StoreStats stats = s.stats(ScopeGrants.ALL);
            assertEquals(stats.fsyncs(), d.fsyncs(), "stats and diagnostics count the same fsyncs");
        }
        // Larger segments from now on, so the 4 KiB ones are small enough to merge.
        try (EventStore s = EventStore.open(config.withSegmentMaxBytes(1 << 20))) {
            StoreDiagnostics d = s.diagnostics();
            assertEquals(0, d.compactions(), "maintenance counters start at zero for each open store");
            s.snapshot(out.resolve("snap"));
            s.compact();
            StoreDiagnostics after = s.diagnostics();
            assertEquals(1, after.snapshots());
            assertEquals(1, after.compactions());
            assertEquals(d.sealedSegments() - 1, after.segmentsCompacted(), "all sealed segments merged into one");
            assertEquals(2, after.segments(), "one merged segment plus the active one");
            assertEquals(d.bytes() - after.segmentsCompacted() * SegmentHeader.SIZE, after.bytes(),
                    "compaction saves one header per removed segment");
        }
        try (EventStore closed = EventStore.open(config)) {
            closed.close();
            assertFalse(closed.diagnostics().writable(), "a closed store reports itself not writable");
        }
    }

    @Test
    void histogramPercentilesAreWithinAQuarterOfTheTrueValue() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 10_000; v++) {
            h.record(v * 1000);
        }
        assertEquals(10_000, h.count());
        assertEquals(10_000_000, h.max());
        assertEquals(5_000_500, h.mean());
        for (double q : new double[] {0.5, 0.9, 0.99, 1.0}) {
            long exact = (long) Math.ceil(q * 10_000) * 1000;
            long reported = h.quantile(q);
            assertTrue(reported >= exact && reported <= exact * 1.25,
                    "quantile " + q + " reported " + reported + " for true " + exact);
        }
        for (long v : new long[] {0, 1, 3, 4, 5, 7, 8, 1000, 123_456_789, Long.MAX_VALUE}) {
            int b = LatencyHistogram.bucket(v);
            assertTrue(LatencyHistogram.upperBound(b) >= v && (b == 0 || LatencyHistogram.upperBound(b - 1) < v),
                    "value " + v + " must fall into the bucket whose range holds it, got bucket " + b);
        }
    }
}
