package io.batpak.streams;

import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A real store and {@link Streams} on a test's directory, with a clock the test moves by hand;
 * {@link #reopen} closes both and opens them again on the same data, as a restart does. Closed by
 * the test's {@code @AfterEach}.
 */
final class StreamsFixture implements AutoCloseable {
    final AtomicLong clock = new AtomicLong(1_000_000);
    private final Path dir;
    private final UnaryOperator<StreamsConfig> settings;
    EventStore store;
    Streams streams;

    /** {@code settings} adjusts the streams configuration (the fixture's clock is set already). */
    StreamsFixture(Path dir, UnaryOperator<StreamsConfig> settings) {
        this.dir = dir;
        this.settings = settings;
        open();
    }

    private void open() {
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        streams = new Streams(store, settings.apply(StreamsConfig.defaults().withClock(clock::get)));
    }

    void reopen() {
        close();
        open();
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close();
            streams = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }
}
