package io.batpak.streams.pipeline;

import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import io.batpak.streams.Streams;
import io.batpak.streams.StreamsConfig;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real store, {@link Streams} and {@link Pipelines} on a test's directory, with a clock the test
 * moves by hand; {@link #reopen} closes all three and opens them again on the same data, as a
 * restart does. Closed by the test.
 */
final class PipelinesFixture implements AutoCloseable {
    final AtomicLong clock = new AtomicLong(1_000_000);
    private final Path dir;
    EventStore store;
    Streams streams;
    Pipelines pipelines;

    PipelinesFixture(Path dir) {
        this.dir = dir;
        open();
    }

    private void open() {
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        streams = new Streams(store, StreamsConfig.defaults().withClock(clock::get));
        pipelines = new Pipelines(store, streams);
    }

    void reopen() {
        close();
        open();
    }

    @Override
    public void close() {
        if (pipelines != null) {
            pipelines.close();
            streams.close();
            store.close();
            pipelines = null;
            streams = null;
            store = null;
        }
    }
}
