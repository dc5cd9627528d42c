package io.batpak.streams.flow;

import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import io.batpak.streams.Streams;
import io.batpak.streams.StreamsConfig;
import java.nio.file.Path;

/**
 * A real store and {@link Streams} on a test's directory; {@link #reopen} closes both and opens them
 * again on the same data, as a restart does. Closed by the test.
 */
final class FlowFixture implements AutoCloseable {
    private final Path dir;
    EventStore store;
    Streams streams;

    FlowFixture(Path dir) {
        this.dir = dir;
        open();
    }

    private void open() {
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        streams = new Streams(store, StreamsConfig.defaults());
    }

    void reopen() {
        close();
        open();
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close();
            store.close();
            streams = null;
            store = null;
        }
    }
}
