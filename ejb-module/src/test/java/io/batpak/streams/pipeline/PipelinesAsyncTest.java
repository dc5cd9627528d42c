package io.batpak.streams.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Caller;
import io.batpak.engine.EventKind;
import io.batpak.streams.StartPosition;
import io.batpak.streams.StreamEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Pipelines#pollAsync}: waiting polls are answered by a publish that triggers an instance
 * (each ready stage to exactly one of them), end empty once their wait is over on the pipeline's
 * clock, and a cancelled poll takes nothing: what it would have got goes to the next poll.
 */
class PipelinesAsyncTest {
    /** Guard against a hang only; never a performance expectation. */
    private static final long HANG_GUARD_S = 20;
    private static final EventKind ORDER = EventKind.of(1, 1);
    private static final Caller C = Caller.ANONYMOUS;

    @TempDir
    Path dir;
    private PipelinesFixture f;

    @BeforeEach
    void open() {
        f = new PipelinesFixture(dir);
        f.streams.createOrGrow("orders", 2, C);
        f.pipelines.define("p", new PipelineDefinition(1, "orders", List.of(ORDER.value()), StartPosition.EARLIEST, 0,
                60_000, List.of(new StageSpec("validate"))), C);
    }

    @AfterEach
    void close() {
        f.close();
    }

    private CompletableFuture<List<StageDelivery>> poll(String consumer) {
        return f.pipelines.pollAsync("p", "validate", consumer, 1, 10_000, C);
    }

    @Test
    void aPublishAnswersWaitingPollsOncePerStageAndTheRestEndEmpty() throws Exception {
        List<CompletableFuture<List<StageDelivery>>> polls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            polls.add(poll("w" + i));
        }
        polls.get(0).cancel(false);
        for (int i = 0; i < 3; i++) {
            f.streams.publish("orders", List.of(new StreamEvent("o" + i, ORDER, new byte[] {1})), C);
        }
        List<String> instances = new ArrayList<>();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_S);
        while (instances.size() < 3 && System.nanoTime() < giveUp) {
            instances.clear();
            for (CompletableFuture<List<StageDelivery>> p : polls) {
                if (p.isDone() && !p.isCancelled()) {
                    p.join().forEach(d -> instances.add(d.instanceId()));
                }
            }
            Thread.sleep(5);
        }
        assertEquals(3, instances.size(), "each instance's stage went to a waiting poll: " + instances);
        assertEquals(3, instances.stream().distinct().count(), "and to exactly one");
        f.clock.addAndGet(10_001);
        for (CompletableFuture<List<StageDelivery>> p : polls.subList(1, polls.size())) {
            List<StageDelivery> got = p.get(HANG_GUARD_S, TimeUnit.SECONDS);
            assertTrue(got.size() <= 1);
        }
        assertEquals(List.of(), f.pipelines.poll("p", "validate", "late", 10, 0, C), "nothing else was out or left");
    }
}
