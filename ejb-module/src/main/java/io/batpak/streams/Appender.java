package io.batpak.streams;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.EventStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How {@link Streams} writes: one atomic batch at a time, answered once it is durable and
 * published. The application layer plugs its gates in here; {@link #direct(EventStore)} writes
 * straight to the engine. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Appender {
    CompletableFuture<List<AppendReceipt>> append(List<AppendRequest> batch, Caller caller);

    /** Appends with {@link EventStore#appendBatchAsync}, ignoring the caller. */
    static Appender direct(EventStore store) {
        return (batch, caller) -> store.appendBatchAsync(batch);
    }
}
