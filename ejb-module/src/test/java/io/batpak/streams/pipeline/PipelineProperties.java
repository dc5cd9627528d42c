package io.batpak.streams.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Caller;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoredEvent;
import io.batpak.streams.AckResult;
import io.batpak.streams.StartPosition;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.TxStatement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random pipelines (DAGs of 1..6 stages) worked with random publishes (trigger kinds and others),
 * manual triggers, polls, acks, nacks, ack timeouts, replays and restarts (the store closed and
 * opened again): a position starts at most one instance (a second manual trigger is
 * instance-exists), and in the end every trigger's instance is done, every
 * delivery saw the outputs of all stages it depends on, each stage's output is the one of its only
 * successful ack and is stored once, and each stage's stream output is published exactly once.
 */
class PipelineProperties {
    private static final Caller C = Caller.ANONYMOUS;
    private static final EventKind ORDER = EventKind.of(1, 1);
    private static final EventKind NOISE = EventKind.of(1, 2);
    private static final long TIMEOUT = 100;

    /** op: 0 publish (a trigger, or noise if pick is odd), 1 poll, 2 ack, 3 nack, 4 time passes, 5 restart, 6 replay parked, 7 manual trigger. */
    record Step(int op, int pick) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(0)), net.jqwik.api.Tuple.of(6, Arbitraries.just(1)),
                net.jqwik.api.Tuple.of(5, Arbitraries.just(2)), net.jqwik.api.Tuple.of(2, Arbitraries.just(3)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(4)), net.jqwik.api.Tuple.of(1, Arbitraries.just(5)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(6)), net.jqwik.api.Tuple.of(1, Arbitraries.just(7))),
                Arbitraries.integers().between(0, 1000))
                .as(Step::new).list().ofMinSize(1).ofMaxSize(80);
    }

    /** A random DAG: stage i depends on a random subset of the stages before it. */
    private static List<StageSpec> dag(int n, long seed) {
        Random r = new Random(seed);
        List<StageSpec> stages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> deps = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                if (r.nextInt(3) == 0) {
                    deps.add("s" + j);
                }
            }
            stages.add(new StageSpec("s" + i, deps));
        }
        java.util.Collections.shuffle(stages, r); // definition order is not topological order
        return stages;
    }

    @Property(tries = 40)
    void everyInstanceCompletesWithEachOutputOnce(@ForAll("steps") List<Step> steps,
                                                  @ForAll @IntRange(min = 1, max = 6) int stageCount,
                                                  @ForAll long dagSeed,
                                                  @ForAll @IntRange(min = 0, max = 3) int maxDeliveries) throws IOException {
        Path dir = Files.createTempDirectory("pipeline-prop");
        List<StageSpec> stages = dag(stageCount, dagSeed);
        PipelineDefinition def = new PipelineDefinition(1, "in", List.of(ORDER.value()), StartPosition.EARLIEST, maxDeliveries,
                TIMEOUT, stages);
        Map<String, StageSpec> byName = new HashMap<>();
        stages.forEach(s -> byName.put(s.name(), s));
        Map<String, byte[]> acked = new HashMap<>(); // "instance/stage" -> output of the ack that settled
        List<StageDelivery> held = new ArrayList<>();
        int published = 0; // instances expected: trigger events plus successful manual triggers
        List<io.batpak.streams.Published> positions = new ArrayList<>();
        Set<String> started = new HashSet<>();
        int[] unique = {0};
        try (PipelinesFixture f = new PipelinesFixture(dir)) {
            f.streams.createOrGrow("in", 2, C);
            f.streams.createOrGrow("out", 1, C);
            f.pipelines.define("p", def, C);
            for (Step s : steps) {
                switch (s.op()) {
                    case 0 -> {
                        boolean trigger = s.pick() % 2 == 0;
                        io.batpak.streams.Published p = f.streams.publish("in", List.of(new StreamEvent("k" + s.pick(),
                                trigger ? ORDER : NOISE, new byte[] {1})), C).get(0);
                        positions.add(p);
                        if (trigger) {
                            started.add(p.partition() + ":" + p.offset());
                            published++;
                        }
                    }
                    case 7 -> {
                        if (!positions.isEmpty()) {
                            io.batpak.streams.Published p = positions.get(s.pick() % positions.size());
                            String id = p.partition() + ":" + p.offset();
                            f.pipelines.poll("p", stages.get(0).name(), "peek", 1, 0, C).forEach(held::add); // discover first
                            try {
                                assertEquals(id, f.pipelines.trigger("p", p.partition(), p.offset(), C));
                                assertTrue(started.add(id), id + " started a second instance by hand");
                                published++;
                            } catch (io.batpak.engine.StoreException e) {
                                assertEquals(io.batpak.engine.ErrorCode.INSTANCE_EXISTS, e.code(), e.getMessage());
                                assertTrue(started.contains(id), id + " refused as existing, yet it never started");
                            }
                        }
                    }
                    case 1 -> {
                        String stage = stages.get(s.pick() % stages.size()).name();
                        List<StageDelivery> got = f.pipelines.poll("p", stage, "w", 1 + s.pick() % 3, 0, C);
                        got.forEach(d -> checkInputs(d, byName, acked));
                        held.addAll(got);
                    }
                    case 2 -> {
                        if (!held.isEmpty()) {
                            ack(f, held.remove(s.pick() % held.size()), acked, unique);
                        }
                    }
                    case 3 -> {
                        if (!held.isEmpty()) {
                            StageDelivery d = held.remove(s.pick() % held.size());
                            f.pipelines.nack("p", d.stage(), d.deliveryId(), "no", C);
                        }
                    }
                    case 4 -> f.clock.addAndGet(TIMEOUT + 1);
                    case 5 -> f.reopen();
                    default -> f.pipelines.replay("p", null, C);
                }
            }
            held.clear(); // a worker that never answers: its deliveries time out
            f.clock.addAndGet(TIMEOUT + 1);
            for (int round = 0; round < 50 && f.pipelines.summary("p").done() < published; round++) {
                f.pipelines.replay("p", null, C);
                for (StageSpec stage : stages) {
                    for (StageDelivery d : f.pipelines.poll("p", stage.name(), "drain", 1000, 0, C)) {
                        checkInputs(d, byName, acked);
                        ack(f, d, acked, unique);
                    }
                }
            }
            PipelineSummary summary = f.pipelines.summary("p");
            assertEquals(published, summary.instances(), "every trigger started one instance");
            assertEquals(published, summary.done(), "every instance completed");
            f.reopen();
            assertEquals(published, f.pipelines.summary("p").done(), "completion survives a restart");
            checkStored(f, stages, acked, published);
        } finally {
            delete(dir);
        }
    }

    private static void ack(PipelinesFixture f, StageDelivery d, Map<String, byte[]> acked, int[] unique) {
        String key = d.instanceId() + "/" + d.stage();
        byte[] output = (key + "#" + unique[0]++).getBytes(StandardCharsets.UTF_8);
        AckResult r = f.pipelines.ack("p", d.stage(), d.deliveryId(), output, List.of(new TxStatement.Publish("out",
                new StreamEvent(key, ORDER, output))), C);
        if (r.settled() == 1) {
            assertTrue(acked.putIfAbsent(key, output) == null, "a second ack of " + key + " settled");
        }
    }

    private static void checkInputs(StageDelivery d, Map<String, StageSpec> byName, Map<String, byte[]> acked) {
        String instanceKey = d.instanceId() + "/" + d.stage();
        assertTrue(!acked.containsKey(instanceKey), "stage " + instanceKey + " delivered again after its output was stored");
        for (String dep : byName.get(d.stage()).dependsOn()) {
            byte[] expected = acked.get(d.instanceId() + "/" + dep);
            assertNotNull(expected, d.stage() + " of " + d.instanceId() + " delivered before its dependency " + dep);
            assertArrayEquals(expected, d.inputs().get(dep), "input " + dep + " of " + instanceKey);
        }
        assertEquals(byName.get(d.stage()).dependsOn().size(), d.inputs().size(), "inputs of " + instanceKey);
    }

    private static void checkStored(PipelinesFixture f, List<StageSpec> stages, Map<String, byte[]> acked, int published) {
        assertEquals((long) published * stages.size(), acked.size(), "one settled ack per stage and instance");
        Map<String, Integer> outEvents = new HashMap<>();
        for (StoredEvent e : f.streams.readPartition("out", 0, 0, Integer.MAX_VALUE)) {
            String text = new String(e.payload(), StandardCharsets.UTF_8);
            outEvents.merge(text.substring(0, text.indexOf('#')), 1, Integer::sum);
            assertTrue(isAcked(acked, e.payload()), "a stream output of an unsettled ack: " + text);
        }
        Set<String> instances = new HashSet<>();
        acked.keySet().forEach(k -> instances.add(k.substring(0, k.indexOf('/'))));
        assertEquals(published, instances.size());
        for (String id : instances) {
            InstanceView v = f.pipelines.instance("p", id);
            assertTrue(v.done(), id + " is done");
            List<StoredEvent> records = f.store.readEntity(EntityQuery.of(new Coordinate("pipeline:p/" + id, "in")));
            Map<String, Integer> outputs = new HashMap<>();
            for (StoredEvent r : records) {
                if (r.kind().equals(PipelineCodec.OUTPUT)) {
                    outputs.merge(PipelineCodec.readOutput(r.payload()).stage(), 1, Integer::sum);
                }
            }
            for (StageSpec s : stages) {
                String key = id + "/" + s.name();
                assertEquals(1, outputs.getOrDefault(s.name(), 0), "output records of " + key);
                assertArrayEquals(acked.get(key), v.stages().get(s.name()).output(), "stored output of " + key);
                assertEquals(1, outEvents.getOrDefault(key, 0), "stream outputs of " + key);
            }
        }
    }

    private static boolean isAcked(Map<String, byte[]> acked, byte[] payload) {
        return acked.values().stream().anyMatch(v -> java.util.Arrays.equals(v, payload));
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
