package io.batpak.ee;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Caller;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.Streams;
import io.batpak.streams.StreamsConfig;
import io.batpak.streams.flow.Derivation;
import io.batpak.streams.flow.DerivationConfig;
import io.batpak.streams.flow.DerivationRunner;
import io.batpak.streams.flow.Emitter;
import io.batpak.streams.flow.KeyedState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DerivationStatus} on a real store: checkpoint, lag and state as the status resources report them. */
class DerivationStatusTest {
    private static final Caller C = Caller.ANONYMOUS;
    private static final EventKind KIND = EventKind.of(1, 1);

    @TempDir
    Path dir;
    private EventStore store;
    private Streams streams;

    @BeforeEach
    void open() {
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        streams = new Streams(store, StreamsConfig.defaults());
    }

    @AfterEach
    void close() {
        streams.close();
        store.close();
    }

    /** Counts events per key; emits nothing. */
    private record Count(String name, List<String> sources, int shards) implements Derivation {
        @Override
        public void apply(StoredEvent event, KeyedState state, Emitter emit) {
            String v = state.getString();
            state.putString(Integer.toString(v == null ? 1 : Integer.parseInt(v) + 1));
        }
    }

    private void publish(String stream, int n) {
        for (int i = 0; i < n; i++) {
            streams.publish(stream, List.of(new StreamEvent("k" + i, KIND, "x".getBytes(StandardCharsets.UTF_8))), C);
        }
    }

    @Test
    void lagIsWhatEveryShardHasStillToReadAndReachesZero() {
        streams.createOrGrow("a", 2, C);
        streams.createOrGrow("b", 1, C);
        publish("a", 10);
        publish("b", 4);
        DerivationRunner r = new DerivationRunner(store, streams, new Count("c", List.of("a", "b"), 3),
                DerivationConfig.defaults().withBatchSize(4), C);
        DerivationStatus before = DerivationStatus.of(r, streams);
        assertEquals(14, before.lag(), "nothing applied yet: " + before);
        assertEquals(DerivationStatus.RUNNING, before.state());
        assertArrayEquals(new long[] {0, 0}, before.checkpoint().get("a"));
        r.step(0);
        assertEquals(14, DerivationStatus.of(r, streams).lag(), "one shard alone moves no minimum");
        r.runUntilCaughtUp();
        DerivationStatus after = DerivationStatus.of(r, streams);
        assertEquals(0, after.lag(), after.toString());
        long[] heads = streams.heads("a");
        assertArrayEquals(heads, after.checkpoint().get("a"), "caught up: the checkpoint is the heads");
        assertArrayEquals(new long[] {4}, after.checkpoint().get("b"));
        assertTrue(after.commits() >= 3, "every shard committed at least one step: " + after.commits());
        publish("b", 2);
        assertEquals(2, DerivationStatus.of(r, streams).lag());
        r.close();
        assertEquals(DerivationStatus.STOPPED, DerivationStatus.of(r, streams).state());
    }

    @Test
    void aMissingSourceIsWaitingAndABrokenApplyIsFailed() throws Exception {
        streams.createOrGrow("a", 1, C);
        DerivationRunner waiting = new DerivationRunner(store, streams, new Count("w", List.of("a", "nope"), 1),
                DerivationConfig.defaults().withIdleWaitMs(20), C);
        Thread loop = new Thread(waiting.loop(0));
        loop.start();
        DerivationStatus s = awaitFailure(waiting);
        assertEquals(DerivationStatus.WAITING, s.state(), s.toString());
        assertTrue(s.failureText().orElse("").contains("nope"), "the text names the missing stream: " + s.failureText());
        streams.createOrGrow("nope", 1, C);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (waiting.failure(0).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(DerivationStatus.RUNNING, DerivationStatus.of(waiting, streams).state(), "the loop retried");
        waiting.close();
        loop.join();

        publish("a", 1);
        DerivationRunner failing = new DerivationRunner(store, streams, new Derivation() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public List<String> sources() {
                return List.of("a");
            }

            @Override
            public void apply(StoredEvent event, KeyedState state, Emitter emit) {
                throw new IllegalStateException("secret detail");
            }
        }, DerivationConfig.defaults().withIdleWaitMs(20), C);
        loop = new Thread(failing.loop(0));
        loop.start();
        s = awaitFailure(failing);
        assertEquals(DerivationStatus.FAILED, s.state(), s.toString());
        assertEquals(1, s.lag(), "nothing applied");
        assertTrue(!s.failureText().orElse("").contains("secret"), "user code's message stays in the log: " + s.failureText());
        failing.close();
        loop.join();
    }

    private DerivationStatus awaitFailure(DerivationRunner r) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (r.failure(0).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return DerivationStatus.of(r, streams);
    }
}
