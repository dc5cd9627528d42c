package io.batpak.streams.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DerivationRunnerTest {
    private static final Caller C = Caller.ANONYMOUS;
    private static final List<String> SOURCES = List.of("orders", "refunds");

    @TempDir
    Path dir;
    private FlowFixture f;

    @BeforeEach
    void open() {
        f = new FlowFixture(dir);
        f.streams.createOrGrow("orders", 3, C);
        f.streams.createOrGrow("refunds", 2, C);
        f.streams.createOrGrow(Counting.OUT, 2, C);
    }

    @AfterEach
    void close() {
        f.close();
    }

    private DerivationRunner runner(int shards, DerivationConfig config) {
        return new DerivationRunner(f.store, f.streams, new Counting("totals", SOURCES, shards), config, C);
    }

    private void publish(int n, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            f.streams.publish(SOURCES.get(r.nextInt(2)), List.of(Counting.event("k" + r.nextInt(20), r.nextInt(100))), C);
        }
    }

    private long derivedCount() {
        return Counting.all(f.streams, Counting.OUT).size();
    }

    @Test
    void countsTwoStreamsOverFourShardsOnceEach() {
        publish(200, 1);
        DerivationRunner r = runner(4, DerivationConfig.defaults().withBatchSize(16));
        assertEquals(200, r.runUntilCaughtUp() / 4, "each of the 4 shards reads every source event once");
        Counting.check(f.streams, r, SOURCES);
        publish(50, 2);
        r.runUntilCaughtUp();
        Counting.check(f.streams, r, SOURCES);
        assertEquals(250, derivedCount());
        assertEquals(0, r.runUntilCaughtUp(), "caught up: another round reads nothing");
        int used = 0;
        for (int i = 0; i < 4; i++) {
            used += r.state(i).isEmpty() ? 0 : 1;
        }
        assertTrue(used > 1, "20 keys spread over more than one of 4 shards, not " + used);
        String k3 = new String(r.state("k3"), StandardCharsets.UTF_8);
        assertTrue(k3.matches("\\d+,\\d+"), "state of k3 looks like count,sum: " + k3);
    }

    @Test
    void resumesAfterRestartWithoutRepeatingOrSkipping() {
        publish(120, 3);
        DerivationRunner r = runner(4, DerivationConfig.defaults().withBatchSize(8));
        r.step(0);
        r.step(1);
        r.step(1);
        f.reopen();
        r = runner(4, DerivationConfig.defaults().withBatchSize(8));
        r.runUntilCaughtUp();
        Counting.check(f.streams, r, SOURCES);
    }

    @Test
    void refusesAChangedShardCount() {
        publish(10, 4);
        runner(4, DerivationConfig.defaults()).runUntilCaughtUp();
        for (int n : new int[] {1, 3, 5}) {
            StoreException e = assertThrows(StoreException.class, () -> runner(n, DerivationConfig.defaults()),
                    "a runner with " + n + " shards instead of 4");
            assertEquals(ErrorCode.INVALID_REQUEST, e.code());
            assertTrue(e.getMessage().contains("4 shards") && e.getMessage().contains("re-shard"), e.getMessage());
        }
        DerivationRunner again = runner(4, DerivationConfig.defaults());
        publish(10, 5);
        again.runUntilCaughtUp();
        Counting.check(f.streams, again, SOURCES);
    }

    @Test
    void aStaleRunnerCannotCommitTheSameShard() {
        publish(40, 6);
        DerivationRunner a = runner(1, DerivationConfig.defaults().withBatchSize(10));
        DerivationRunner b = runner(1, DerivationConfig.defaults().withBatchSize(10));
        b.state(0); // b has loaded its view of the shard
        assertTrue(a.step(0) > 0);
        long written = derivedCount();
        StoreException e = assertThrows(StoreException.class, () -> b.step(0), "b's view is stale");
        assertEquals(ErrorCode.SEQUENCE_MISMATCH, e.code());
        assertEquals(written, derivedCount(), "the refused step published nothing");
        b.runUntilCaughtUp(); // b reloads and carries on from a's checkpoint
        assertEquals(ErrorCode.SEQUENCE_MISMATCH, assertThrows(StoreException.class, () -> a.step(0),
                "now a's view is stale").code());
        assertEquals(0, a.runUntilCaughtUp(), "a reloads and finds b did everything");
        Counting.check(f.streams, b, SOURCES);
        Counting.check(f.streams, a, SOURCES);
    }

    @Test
    void aFailedApplyCommitsNothingAndIsRetried() {
        publish(30, 7);
        Counting d = new Counting("totals", SOURCES, 2);
        DerivationRunner r = new DerivationRunner(f.store, f.streams, d, DerivationConfig.defaults().withBatchSize(10), C);
        d.crashAt = 3;
        assertThrows(IllegalStateException.class, r::runUntilCaughtUp);
        r.runUntilCaughtUp();
        Counting.check(f.streams, r, SOURCES);
    }

    @Test
    void exceedingTheKeyBudgetFailsTheStepAndCommitsNothing() {
        for (int i = 0; i < 5; i++) {
            f.streams.publish("orders", List.of(Counting.event("key" + i, i)), C);
        }
        DerivationRunner r = runner(1, DerivationConfig.defaults().withMaxKeysPerShard(3));
        KeyBudgetExceededException e = assertThrows(KeyBudgetExceededException.class, r::runUntilCaughtUp);
        assertTrue(e.getMessage().contains("maxKeysPerShard"), e.getMessage());
        assertEquals(0, derivedCount(), "nothing derived");
        assertTrue(r.state(0).isEmpty(), "no state committed");
    }

    @Test
    void loopTasksFollowPublishesUntilClosed() throws Exception {
        DerivationRunner r = runner(2, DerivationConfig.defaults().withIdleWaitMs(20));
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(r.loop(i), "shard-" + i);
            t.start();
            threads.add(t);
        }
        publish(30, 8);
        long until = System.currentTimeMillis() + 10_000;
        while (derivedCount() < 30 && System.currentTimeMillis() < until) {
            Thread.sleep(10);
        }
        r.close();
        for (Thread t : threads) {
            t.join(5_000);
            assertTrue(!t.isAlive(), t.getName() + " ended after close");
        }
        DerivationRunner check = runner(2, DerivationConfig.defaults());
        Counting.check(f.streams, check, SOURCES);
        assertEquals(30, derivedCount());
    }

    @Test
    void refusesBadDefinitions() {
        assertThrows(StoreException.class, () -> new DerivationRunner(f.store, f.streams,
                new Counting("a/b", SOURCES, 1), DerivationConfig.defaults(), C));
        assertThrows(StoreException.class, () -> new DerivationRunner(f.store, f.streams,
                new Counting("x", List.of(), 1), DerivationConfig.defaults(), C));
        assertThrows(StoreException.class, () -> new DerivationRunner(f.store, f.streams,
                new Counting("x", SOURCES, 0), DerivationConfig.defaults(), C));
        DerivationRunner missing = new DerivationRunner(f.store, f.streams,
                new Counting("y", List.of("nope"), 1), DerivationConfig.defaults(), C);
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> missing.step(0)).code());
    }

    @Test
    void deletedKeysFreeTheBudgetAndStayDeletedAfterARestart() {
        // Each key is put by its first event and deleted by its second: at most 2 keys live at once.
        Derivation once = new Derivation() {
            @Override
            public String name() {
                return "pairs";
            }

            @Override
            public List<String> sources() {
                return List.of("single");
            }

            @Override
            public void apply(io.batpak.engine.StoredEvent event, KeyedState state, Emitter emit) {
                if (state.get() == null) {
                    state.putString("open");
                } else {
                    state.delete();
                }
            }
        };
        f.streams.createOrGrow("single", 1, C); // one partition: the events apply in publish order
        for (int i = 0; i < 6; i++) {
            f.streams.publish("single", List.of(Counting.event("key" + i, i), Counting.event("key" + i, i)), C);
        }
        f.streams.publish("single", List.of(Counting.event("last", 0)), C);
        DerivationConfig config = DerivationConfig.defaults().withMaxKeysPerShard(2).withBatchSize(3);
        new DerivationRunner(f.store, f.streams, once, config, C).runUntilCaughtUp();
        f.reopen();
        DerivationRunner r = new DerivationRunner(f.store, f.streams, once, config, C);
        assertEquals(0, r.runUntilCaughtUp(), "the checkpoint survived the restart");
        assertEquals(List.of("last"), List.copyOf(r.state(0).keySet()), "deleted keys stay deleted after a rebuild");
    }
    private static final DerivationConfig SNAPPY = DerivationConfig.defaults().withBatchSize(8).withSnapshotEveryRecords(10);

    /** All the records of shard {@code i}'s entity. */
    private long shardRecords(String name, int i) {
        return f.store.readEntity(io.batpak.engine.EntityQuery.of(Shard.entity(name, i)).withLimit(100_000)).size();
    }

    @Test
    void aRebuildReadsItsSnapshotPlusOnlyTheRecordsAfterIt() {
        publish(300, 11);
        runner(2, SNAPPY).runUntilCaughtUp();
        f.reopen();
        DerivationRunner fromSnapshot = runner(2, SNAPPY);
        for (int i = 0; i < 2; i++) {
            fromSnapshot.state(i);
            long all = shardRecords("totals", i);
            assertTrue(all > 100, "shard " + i + " has many records: " + all);
            // a snapshot after at least 10 records since the last; a step writes at most 8 states + 1 checkpoint
            assertTrue(fromSnapshot.replayedAtLoad(i) < 10 + 9, "shard " + i + " replayed "
                    + fromSnapshot.replayedAtLoad(i) + " of its " + all + " records after its snapshot");
        }
        DerivationRunner wholeLog = runner(2, SNAPPY.withSnapshotEveryRecords(0));
        for (int i = 0; i < 2; i++) {
            assertEquals(text(wholeLog.state(i)), text(fromSnapshot.state(i)), "snapshot rebuild = whole-log rebuild, shard " + i);
            assertEquals(shardRecords("totals", i), wholeLog.replayedAtLoad(i), "without snapshots the whole log is read");
        }
        Counting.check(f.streams, fromSnapshot, SOURCES);
        publish(40, 12);
        fromSnapshot.runUntilCaughtUp();
        Counting.check(f.streams, fromSnapshot, SOURCES);
    }

    private static java.util.Map<String, String> text(java.util.Map<String, byte[]> state) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        state.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void aCorruptOrTruncatedSnapshotIsIgnoredAndTheShardRebuildsFromItsLog() throws Exception {
        publish(200, 13);
        runner(1, SNAPPY).runUntilCaughtUp();
        f.reopen();
        Path file = ShardSnapshot.path(f.store.config().dataDir(), "totals", 0);
        byte[] good = java.nio.file.Files.readAllBytes(file);
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x20;
        List<byte[]> damaged = List.of(flipped, java.util.Arrays.copyOf(good, good.length - 7),
                java.util.Arrays.copyOf(good, 3), new byte[0]);
        for (byte[] bad : damaged) {
            java.nio.file.Files.write(file, bad);
            DerivationRunner r = runner(1, SNAPPY);
            Counting.check(f.streams, r, SOURCES);
            assertEquals(shardRecords("totals", 0), r.replayedAtLoad(0),
                    "a damaged snapshot (" + bad.length + " of " + good.length + " bytes) is ignored: the whole log is read");
        }
        java.nio.file.Files.write(file, good);
        DerivationRunner r = runner(1, SNAPPY);
        r.state(0);
        assertTrue(r.replayedAtLoad(0) < 19, "the intact snapshot is used again: replayed " + r.replayedAtLoad(0));
    }

    @Test
    void aSnapshotOfAnotherHistoryIsIgnored() throws Exception {
        // The snapshot names a record the log holds, but another one: its chain hash differs.
        publish(100, 14);
        runner(1, SNAPPY).runUntilCaughtUp();
        f.reopen();
        Path file = ShardSnapshot.path(f.store.config().dataDir(), "totals", 0);
        ShardSnapshot.Content c = ShardSnapshot.decode(java.nio.file.Files.readAllBytes(file), "totals", 1, 0);
        java.util.Map<String, byte[]> wrong = new java.util.HashMap<>(c.state());
        wrong.put("k1", "999,999".getBytes(StandardCharsets.UTF_8));
        byte[] otherHash = c.hash().clone();
        otherHash[0] ^= 1;
        ShardSnapshot.write(file, new ShardSnapshot.Content("totals", 1, 0, c.sequence(), otherHash, c.checkpoint(), wrong));
        DerivationRunner r = runner(1, SNAPPY);
        Counting.check(f.streams, r, SOURCES);
        assertEquals(shardRecords("totals", 0), r.replayedAtLoad(0), "the whole log is read instead");
    }

    /** Per entity (the shuffle key), a count of the entity's events in scope "bank"; no stream involved. */
    private static Derivation regionCounter(String name) {
        return new Derivation() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<String> sources() {
                return List.of();
            }

            @Override
            public List<io.batpak.engine.Region> regionSources() {
                return List.of(io.batpak.engine.Region.all().withScope("bank"));
            }

            @Override
            public int shards() {
                return 3;
            }

            @Override
            public String shuffleKey(io.batpak.engine.StoredEvent event) {
                return event.entity();
            }

            @Override
            public void apply(io.batpak.engine.StoredEvent event, KeyedState state, Emitter emit) {
                String old = state.getString();
                long n = old == null ? 1 : Long.parseLong(old.substring(0, old.indexOf(','))) + 1;
                // the count and the entity sequences seen, to prove each event applied once and in order
                state.putString(n + "," + (old == null ? "" : old.substring(old.indexOf(',') + 1)) + event.sequence() + ";");
                emit.emit(Counting.OUT, event.entity(), Counting.KIND, (event.entity() + "@" + event.sequence())
                        .getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    private void appendBank(int n, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            f.store.append(new io.batpak.engine.Coordinate("acct-" + r.nextInt(7), "bank"), Counting.KIND, new byte[] {1});
            if (i % 5 == 0) {
                f.store.append(new io.batpak.engine.Coordinate("other-" + r.nextInt(3), "elsewhere"), Counting.KIND, new byte[] {2});
            }
        }
    }

    private void checkBank(DerivationRunner r) {
        java.util.Map<String, String> want = new java.util.TreeMap<>();
        for (int a = 0; a < 7; a++) {
            int events = f.store.readEntity(io.batpak.engine.EntityQuery.of(new io.batpak.engine.Coordinate("acct-" + a, "bank"))
                    .withLimit(100_000)).size();
            if (events > 0) {
                StringBuilder seqs = new StringBuilder();
                for (int s = 0; s < events; s++) {
                    seqs.append(s).append(';');
                }
                want.put("acct-" + a, events + "," + seqs);
            }
        }
        java.util.Map<String, String> got = new java.util.TreeMap<>();
        for (int i = 0; i < r.shards(); i++) {
            got.putAll(text(r.state(i)));
        }
        assertEquals(want, got, "per account: every event of the region applied once, in sequence order");
        List<String> derived = new ArrayList<>();
        Counting.all(f.streams, Counting.OUT).forEach(e -> derived.add(new String(e.payload(), StandardCharsets.UTF_8)));
        assertEquals(derived.size(), new java.util.HashSet<>(derived).size(), "no derived event twice: " + derived);
        long bankEvents = want.values().stream().mapToLong(v -> Long.parseLong(v.substring(0, v.indexOf(',')))).sum();
        assertEquals(bankEvents, derived.size(), "one derived event per region event");
    }

    @Test
    void aRegionSourceIsReadInGlobalOrderExactlyOnceAcrossRestarts() {
        appendBank(60, 15);
        DerivationConfig config = DerivationConfig.defaults().withBatchSize(7).withSnapshotEveryRecords(5);
        DerivationRunner r = new DerivationRunner(f.store, f.streams, regionCounter("bank"), config, C);
        r.step(0);
        r.step(1);
        r.step(1);
        f.reopen();
        appendBank(40, 16);
        r = new DerivationRunner(f.store, f.streams, regionCounter("bank"), config, C);
        r.runUntilCaughtUp();
        checkBank(r);
        assertEquals(0, r.runUntilCaughtUp(), "caught up: the checkpoint holds the region's position");
        f.reopen();
        r = new DerivationRunner(f.store, f.streams, regionCounter("bank"), config, C);
        assertEquals(0, r.runUntilCaughtUp(), "still caught up after a restart");
        appendBank(10, 17);
        r.runUntilCaughtUp();
        checkBank(r);
    }
}
