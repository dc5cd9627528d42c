package io.batpak.streams.wait;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One long poll: tries its {@link Attempt} now, then on every signal and at its next deadline,
 * until the attempt returns a value or the wait ends. Tries never overlap: a wake-up that arrives
 * while a try runs makes that try run once more instead. The future completes once; cancelling it
 * (the client went away) stops the poll, and a value found as it was cancelled goes to
 * {@code unclaimed}.
 *
 * <p>Thread-safety: {@code running}, {@code again}, {@code alarm} and {@code alarmAt} are guarded
 * by {@code this}, held only for bookkeeping, never across an attempt or a timer call.
 */
final class LongPoll<R> {
    private final Waits waits;
    private final WaitSignal signal;
    private final LongSupplier clockMs;
    private final long untilMs;
    private final Attempt<R> attempt;
    private final Consumer<R> unclaimed;
    final CompletableFuture<R> future = new CompletableFuture<>();

    private boolean running;
    private boolean again;
    private ScheduledFuture<?> alarm;
    private long alarmAt = Long.MAX_VALUE;

    LongPoll(Waits waits, WaitSignal signal, LongSupplier clockMs, long untilMs, Attempt<R> attempt,
             Consumer<R> unclaimed) {
        this.waits = waits;
        this.signal = signal;
        this.clockMs = clockMs;
        this.untilMs = untilMs;
        this.attempt = attempt;
        this.unclaimed = unclaimed;
    }

    Waits waits() {
        return waits;
    }

    void start() {
        future.whenComplete((v, e) -> stop());
        run();
    }

    /** Tries until there is a value or nothing to do but wait; see the class comment. */
    void run() {
        synchronized (this) {
            if (running) {
                again = true;
                return;
            }
            running = true;
        }
        while (true) {
            if (future.isDone()) {
                finishRun();
                return;
            }
            long seen = signal.count();
            long now = clockMs.getAsLong();
            boolean last = now >= untilMs;
            Try<R> t;
            try {
                t = attempt.attempt(now, last);
                if (last && !t.isDone()) {
                    throw new IllegalStateException("a long poll's last attempt must return a value");
                }
            } catch (RuntimeException | Error e) {
                finishRun();
                future.completeExceptionally(e);
                return;
            }
            if (t.isDone()) {
                finishRun();
                if (!future.complete(t.value()) && unclaimed != null) {
                    unclaimed.accept(t.value());
                }
                return;
            }
            long recheck = Math.min(untilMs, t.recheckAtMs());
            if (recheck <= now) {
                continue; // the attempt asks to look again at once (it wrote what it found first)
            }
            arm(recheck, now);
            boolean registered = signal.register(this, seen);
            synchronized (this) {
                if (registered && !again) {
                    running = false;
                    break;
                }
                again = false;
            }
        }
        if (future.isDone()) {
            stop(); // cancelled while registering: take the registration back
        }
    }

    private synchronized void finishRun() {
        running = false;
        again = false;
    }

    /** Makes sure a try runs by {@code at}: keeps an earlier alarm, else replaces it. */
    private void arm(long at, long now) {
        synchronized (this) {
            if (alarmAt <= now) {
                alarm = null; // fired (this may be its run): it no longer covers anything later
                alarmAt = Long.MAX_VALUE;
            }
            if (alarm != null && alarmAt <= at) {
                return;
            }
            if (alarm != null) {
                alarm.cancel(false);
            }
            alarmAt = at;
            try {
                alarm = waits.after(at - now, this::run);
            } catch (RuntimeException refused) {
                alarm = null;
                alarmAt = Long.MAX_VALUE;
                future.completeExceptionally(refused);
            }
        }
    }

    private void stop() {
        signal.unregister(this);
        synchronized (this) {
            if (alarm != null) {
                alarm.cancel(false);
                alarm = null;
                alarmAt = Long.MAX_VALUE;
            }
        }
    }
}
