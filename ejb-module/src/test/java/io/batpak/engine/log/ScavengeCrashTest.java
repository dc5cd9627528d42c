package io.batpak.engine.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.VerifyResult;
import io.batpak.engine.util.Hex;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scavenging survives SIGKILL (docs/FORMAT.md "Scavenging"): a child JVM ({@link ScavengeWriterMain})
 * appends from 3 threads to entities of scope "s" (keep the newest {@value ScavengeWriterMain#KEEP})
 * and to one entity of scope "other" (no rule) while a fourth thread scavenges in a loop, and is
 * killed at a random moment, so the kill lands in every step of a scavenge over the rounds: making
 * hidden events permanent, building a rewrite, renaming it over the segment, checkpointing. After
 * each kill the parent reopens the data and checks that every acknowledged event the rule keeps is
 * there byte for byte, every one past it is gone, the first kept sequence is exactly what the rule
 * keeps (nothing more was dropped), each chain verifies from it, and appends continue.
 */
@ExtendWith(QuietEngineLog.class)
class ScavengeCrashTest {
    private static final long KEEP = ScavengeWriterMain.KEEP;
    private static final EventKind PARENT_KIND = EventKind.of(0xF, 6);
    private static final int ACKS_BEFORE_TIMER = 5;

    @TempDir
    Path work;

    /** One acknowledged append: a child's {@code ack} line, or the parent's own append after a reopen. */
    record ChildAck(long gseq, UUID id, long sequence, String entity, String scope, byte[] payload, byte[] hash) {
        boolean ruled() {
            return scope.equals("s");
        }
    }

    /** What a child printed on stdout, and its stderr. */
    record ChildRun(List<String> lines, String stderr) {
    }

    private static StoreConfig config(Path dir) {
        return StoreConfig.defaults(dir).withSegmentMaxBytes(32 * 1024).withCheckpointIntervalEvents(300);
    }

    @Test
    void keptEventsSurviveSigkillWhileScavenging() throws Exception {
        int rounds = Boolean.getBoolean("batpak.longTests") ? 30 : 3;
        Path dir = work.resolve("scavenged");
        TreeMap<Long, ChildAck> acked = new TreeMap<>();
        long expectedStart = 0;
        long scavengesDone = 0;
        long scavengesReclaiming = 0;
        long bytesReclaimed = 0;
        long keptChecked = 0;
        long goneChecked = 0;
        for (int k = 1; k <= rounds; k++) {
            String round = "round " + k + " of " + rounds;
            ChildRun run = runChildAndKill(dir, round);
            List<String> lines = run.lines();
            assertEquals("ready " + expectedStart, lines.get(0), round + ": the child opened the store with another"
                    + " global sequence than the parent left (data in " + dir + ") — see LogRecovery");
            int fresh = 0;
            for (String line : lines.subList(1, lines.size())) {
                if (line.startsWith("scavenge ")) {
                    String[] f = line.split(" ");
                    if (f.length != 3) {
                        continue; // cut by the kill
                    }
                    if (f[1].equals("FAILED")) {
                        fail(round + ": a scavenge in the child failed (before any kill) — see Scavenger.run /"
                                + " Maintenance.scavengeSegment / SegmentScavenger; the child's stderr:\n"
                                + excerpt(run.stderr()));
                    }
                    if (f[1].equals("DONE")) {
                        try {
                            long b = Long.parseLong(f[2]);
                            scavengesDone++;
                            bytesReclaimed += b;
                            scavengesReclaiming += b > 0 ? 1 : 0;
                        } catch (NumberFormatException cut) {
                            // the kill cut the number short
                        }
                    }
                    continue;
                }
                ChildAck a = parseAck(line);
                if (a == null) {
                    continue; // the kill cut this line short: not an acknowledgement the test can check
                }
                ChildAck before = acked.putIfAbsent(a.gseq(), a);
                assertTrue(before == null || before.id().equals(a.id()), round + ": global sequence " + a.gseq()
                        + " was acknowledged twice, for " + (before == null ? null : before.id()) + " and " + a.id()
                        + " — an acknowledged event was lost and its global sequence reused; see LogRecovery");
                fresh++;
            }
            assertTrue(fresh >= ACKS_BEFORE_TIMER, round + ": the child acknowledged only " + fresh + " appends");

            String where = "after " + round + " (data in " + dir + ")";
            try (EventStore s = EventStore.open(config(dir))) {
                try (var files = Files.list(SegmentFiles.dir(dir))) {
                    List<Path> left = files.filter(p -> p.toString().endsWith(SegmentScavenger.TEMP_SUFFIX)).toList();
                    assertTrue(left.isEmpty(), where + ": the open left unfinished scavenge rewrites " + left
                            + " — see Compactor.removeTemporaries");
                }
                long n = s.globalSequence();
                assertTrue(n >= acked.lastKey(), where + ": the store reopened with " + n + " events but gseq "
                        + acked.lastKey() + " was acknowledged — see LogRecovery / LogWriter sync stage");

                // (a) + (c): the first kept sequence is exactly what the rule keeps, and each chain verifies from it.
                TreeMap<String, Long> maxAcked = new TreeMap<>();
                TreeSet<String> ruled = new TreeSet<>();
                for (int e = 0; e < 12; e++) {
                    ruled.add("k" + e);
                }
                for (ChildAck a : acked.values()) {
                    maxAcked.merge(a.entity(), a.sequence(), Math::max);
                    if (a.ruled()) {
                        ruled.add(a.entity());
                    }
                }
                TreeMap<String, Long> firstKept = new TreeMap<>();
                for (String entity : maxAcked.keySet()) {
                    EntityQuery q = EntityQuery.of(entity);
                    long last = s.lastSequence(q);
                    assertTrue(last >= maxAcked.get(entity), where + ": " + entity + " ends at sequence " + last
                            + " but sequence " + maxAcked.get(entity) + " was acknowledged — see LogRecovery");
                    long expected = ruled.contains(entity) ? Math.max(0, last + 1 - KEEP) : 0;
                    firstKept.put(entity, expected);
                    assertEquals(expected, s.firstKeptSequence(q), where + ": first kept sequence of " + entity
                            + " (last sequence " + last + ", rule keeps " + KEEP + ") — more or fewer events past"
                            + " retention than the rule says; see RetentionBook.makePermanent (truncates stored before"
                            + " the rewrite) and RetentionBook.rebuild");
                    VerifyResult v = s.verify(q);
                    assertTrue(v.valid(), where + ": verify(" + entity + ") fails at sequence " + v.firstInvalidSequence()
                            + " — a scavenged frame must keep the chain links (prev, hash); see SegmentScavenger.copy"
                            + " and IndexedReads.readRecord");
                    assertEquals(expected, v.from(), where + ": verify(" + entity + ") must start at the first kept event");
                }

                // (b): every kept acknowledged event is there unchanged, every one past retention is gone.
                for (ChildAck a : acked.values()) {
                    Optional<StoredEvent> got = s.get(EventLookup.of(a.id()));
                    String what = where + ": " + a.entity() + "@" + a.scope() + " sequence " + a.sequence() + " (gseq "
                            + a.gseq() + ", " + a.id() + ")";
                    if (a.sequence() >= firstKept.get(a.entity())) {
                        StoredEvent e = got.orElseThrow(() -> new AssertionError(what + " is kept by the rule"
                                + (a.ruled() ? "" : " (its scope has none)") + " but gone — see SegmentScavenger.build"
                                + " (which frames it empties), Scavenger.run, IndexedReads.readRecord, LogRecovery"));
                        assertEquals(a.gseq(), e.globalSequence(), what + ": global sequence altered — see"
                                + " SegmentScavenger.switchOver (index positions) and LogRecovery");
                        assertEquals(a.sequence(), e.sequence(), what + ": entity sequence altered");
                        assertEquals(new Coordinate(a.entity(), a.scope()), e.coordinate(), what + ": coordinate altered");
                        assertArrayEquals(a.payload(), e.payload(), what + ": payload altered — see SegmentScavenger.copy"
                                + " and IndexedReads.readRecord (reads during a relocation)");
                        assertArrayEquals(a.hash(), e.hash(), what + ": hash altered — see SegmentScavenger.copy");
                        keptChecked++;
                    } else {
                        assertTrue(got.isEmpty(), what + " is past retention (first kept " + firstKept.get(a.entity())
                                + ") but readable again — see RetentionBook.makePermanent / RetentionBook.rebuild");
                        goneChecked++;
                    }
                }

                // (d): appends continue right after the last recovered event.
                byte[] p = new byte[64];
                ThreadLocalRandom.current().nextBytes(p);
                AppendReceipt r = s.append(new Coordinate("parent", "s"), PARENT_KIND, p);
                assertEquals(n + 1, r.globalSequence(), where + ": the first append after recovery — see LogRecovery"
                        + " (the end of the log)");
                acked.put(r.globalSequence(), new ChildAck(r.globalSequence(), r.eventId(), r.sequence(), "parent", "s",
                        p, r.hash()));
                expectedStart = n + 1;
            }
        }
        assertTrue(scavengesReclaiming > 0 && bytesReclaimed > 0, "in " + rounds + " rounds the children completed "
                + scavengesDone + " scavenges but none reclaimed a byte: the test did not exercise scavenging — see"
                + " Scavenger.candidates / SegmentScavenger.build");
        System.out.printf("ScavengeCrashTest SIGKILL: %d rounds, %d acknowledged events checked (over the rounds %d"
                        + " checks of a kept event intact, %d of an event past retention gone), %d scavenges completed"
                        + " (%d reclaiming), %d bytes reclaimed, 0 lost%n",
                rounds, acked.size(), keptChecked, goneChecked, scavengesDone, scavengesReclaiming, bytesReclaimed);
    }

    private static ChildAck parseAck(String line) {
        String[] f = line.split(" ");
        if (f.length != 8 || !f[0].equals("ack") || f[7].length() != 64 || f[6].length() % 2 != 0) {
            return null;
        }
        try {
            return new ChildAck(Long.parseLong(f[1]), UUID.fromString(f[2]), Long.parseLong(f[3]), f[4], f[5],
                    Hex.decode(f[6]), Hex.decode(f[7]));
        } catch (IllegalArgumentException cut) {
            return null;
        }
    }

    /** The start of the first warning or failure in a child's stderr, else its end. */
    private static String excerpt(String err) {
        int at = -1;
        for (String mark : new String[] {"scavenge FAILED", "WARNING", "SEVERE", "Exception", "failed:"}) {
            int i = err.indexOf(mark);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
            }
        }
        int from = at >= 0 ? Math.max(0, err.lastIndexOf('\n', Math.max(0, at - 200)) + 1) : Math.max(0, err.length() - 8000);
        String out = err.substring(from, Math.min(err.length(), from + 8000));
        return out.isEmpty() ? "(empty)" : out;
    }

    /**
     * Starts {@link ScavengeWriterMain} on {@code dir}, waits until it is ready and acknowledged a few
     * appends, lets it run 1.5-3 s more, SIGKILLs it; returns its stdout lines and stderr.
     */
    private static ChildRun runChildAndKill(Path dir, String round) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = Files.createTempFile("scavenge-writer", ".err");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ScavengeWriterMain.class.getName(), dir.toString())
                .redirectError(stderr.toFile())
                .start();
        List<String> lines = new ArrayList<>();
        int[] acks = new int[1];
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        if (line.startsWith("ack ")) {
                            acks[0]++;
                        }
                    }
                }
            } catch (IOException ignored) {
                // the pipe breaks when the child is killed
            }
        }, "scavenge-writer-stdout");
        reader.start();
        String err;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive()) {
                synchronized (lines) {
                    if (acks[0] >= ACKS_BEFORE_TIMER) {
                        break;
                    }
                }
                Thread.sleep(10);
            }
            if (p.isAlive()) {
                Thread.sleep(1500 + ThreadLocalRandom.current().nextInt(1500));
            }
            if (!p.isAlive()) {
                reader.join(10_000);
                fail(round + ": the child died on its own (exit code " + p.exitValue() + ") before the kill — see"
                        + " its stack trace; stdout began with " + firstLine(lines) + "; its stderr:\n"
                        + excerpt(Files.readString(stderr)));
            }
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), round + ": the child did not die");
            reader.join(10_000);
            err = Files.readString(stderr);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(stderr);
        }
        synchronized (lines) {
            assertFalse(lines.isEmpty(), round + ": the child printed nothing; its stderr:\n" + excerpt(err));
            assertTrue(lines.get(0).startsWith("ready "), round + ": the child never became ready: " + lines.get(0)
                    + "; its stderr:\n" + excerpt(err));
            return new ChildRun(new ArrayList<>(lines), err);
        }
    }

    private static String firstLine(List<String> lines) {
        synchronized (lines) {
            return lines.isEmpty() ? "(nothing)" : lines.get(0);
        }
    }
}
