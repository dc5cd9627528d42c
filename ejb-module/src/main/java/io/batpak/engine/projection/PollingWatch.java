package io.batpak.engine.projection;

import io.batpak.engine.EntityQuery;
import io.batpak.engine.Freshness;
import io.batpak.engine.StoreException;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * A {@link ProjectionWatch} that polls: each round compares the entity's last published sequence
 * with the one it last saw (an index lookup, no disk read) and only then projects, and calls the
 * listener when the state is not {@code equals} to the last one delivered. It is the only piece
 * that would change if watches moved to push notifications. Rounds and {@link #close()} hold this
 * object's lock, which is what makes close final.
 */
final class PollingWatch<S> implements ProjectionWatch, Runnable {
    private static final Logger LOG = System.getLogger(PollingWatch.class.getName());

    private final Projector projector;
    private final String entity;
    private final Projection<S> projection;
    private final Consumer<? super S> listener;
    private boolean closed;
    private boolean delivered;
    private long seenSequence = Long.MIN_VALUE;
    private S lastState;
    private ScheduledFuture<?> schedule;

    PollingWatch(Projector projector, String entity, Projection<S> projection, Consumer<? super S> listener) {
        this.projector = projector;
        this.entity = entity;
        this.projection = projection;
        this.listener = listener;
    }

    synchronized void scheduled(ScheduledFuture<?> future) {
        this.schedule = future;
        if (closed) {
            future.cancel(false);
        }
    }

    /** One polling round; false when the watch is closed. */
    synchronized boolean poll() {
        if (closed) {
            return false;
        }
        if (!projector.store().isWritable()) {
            // Closed store, or its writer stopped: the state can no longer change.
            LOG.log(Level.INFO, "store stopped accepting appends: ending the watch of {0} on {1}", projection.name(),
                    entity);
            close();
            return false;
        }
        long last = projector.store().lastSequence(EntityQuery.of(entity));
        if (delivered && last == seenSequence) {
            return true;
        }
        ProjectionResult<S> r = projector.project(entity, projection, Freshness.CONSISTENT);
        seenSequence = r.watermark();
        if (!delivered || !Objects.equals(lastState, r.state())) {
            delivered = true;
            lastState = r.state();
            listener.accept(r.state());
        }
        return true;
    }

    @Override
    public void run() {
        try {
            poll();
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "watch of {0} on {1} failed this round: {2}", projection.name(), entity,
                    e.getMessage());
        } catch (RuntimeException e) {
            // A throwing listener must not end the schedule (an executor drops a task that throws).
            LOG.log(Level.WARNING, "listener of the watch of " + projection.name() + " on " + entity + " threw", e);
        }
    }

    @Override
    public synchronized boolean isActive() {
        return !closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (schedule != null) {
                schedule.cancel(false);
            }
        }
        projector.forget(this);
    }
}
