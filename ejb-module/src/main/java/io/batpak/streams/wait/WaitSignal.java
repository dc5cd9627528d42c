package io.batpak.streams.wait;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The change notice of one piece of state that long polls wait on (a consumer group, a pipeline,
 * an endpoint's calls), standing in for a monitor's {@code notifyAll}. An event count: a poll
 * registers with the count it saw before its last attempt, and is refused (so it tries again at
 * once) if a signal came in between, so no signal is missed.
 *
 * <p>Thread-safe; its lock is held only to swap the set of waiting polls, never while an attempt
 * runs, so {@link #signal} may be called with the state owner's lock held and on the writer thread.
 */
public final class WaitSignal {
    /** Guarded by {@code this}: signals so far. */
    private long count;
    /** Guarded by {@code this}: polls waiting for the next signal. */
    private Set<LongPoll<?>> waiting = new LinkedHashSet<>();

    synchronized long count() {
        return count;
    }

    /** Adds {@code p} to the waiting polls unless a signal came after {@code seen}; false then. */
    synchronized boolean register(LongPoll<?> p, long seen) {
        if (count != seen) {
            return false;
        }
        waiting.add(p);
        return true;
    }

    synchronized void unregister(LongPoll<?> p) {
        waiting.remove(p);
    }

    /** Polls waiting now; for tests and gauges. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /**
     * Makes every poll waiting now try again, as one task on their worker; does no I/O and never
     * runs an attempt here (unless the worker refuses tasks, i.e. is shutting down).
     */
    public void signal() {
        Set<LongPoll<?>> woken;
        synchronized (this) {
            count++;
            if (waiting.isEmpty()) {
                return;
            }
            woken = waiting;
            waiting = new LinkedHashSet<>();
        }
        // Every poll of one signal belongs to one owner, hence one Waits: wake them with one task.
        woken.iterator().next().waits().execute(() -> woken.forEach(LongPoll::run));
    }
}
