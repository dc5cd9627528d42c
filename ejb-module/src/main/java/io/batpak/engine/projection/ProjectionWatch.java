package io.batpak.engine.projection;

/**
 * A running watch started by {@link Projector#watch}: it calls its listener with the projected
 * state once at start and then each time the state changes. Closing it is idempotent and, once
 * {@link #close()} returns, the listener is never called again (a call in progress on another
 * thread has finished). A watch also ends by itself once its store stops accepting appends (closed,
 * or its writer failed), since the state can then no longer change. Thread-safe.
 */
public interface ProjectionWatch extends AutoCloseable {
    /** Whether the watch still delivers states (false once closed or ended). */
    boolean isActive();

    @Override
    void close();
}
