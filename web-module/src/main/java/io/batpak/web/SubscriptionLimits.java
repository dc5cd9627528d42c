package io.batpak.web;

import io.batpak.ee.BatpakSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the open SSE subscriptions of each principal and refuses one past
 * {@code batpak.limits.sse-per-principal} with 429 {@code too-many-subscriptions} (Retry-After), so
 * one client cannot tie up every managed thread. A refused client can retry once one of its own
 * streams closes; 429 rather than 503 because the limit is the client's, not the server's state.
 * Thread-safe.
 */
@ApplicationScoped
public class SubscriptionLimits {
    @Inject
    BatpakSettings settings;

    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    /** A held slot; {@link #close()} gives it back once (later calls do nothing). */
    public final class Slot implements AutoCloseable {
        private final String principal;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String principal) {
            this.principal = principal;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                open.computeIfPresent(principal, (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    /** Takes a slot for {@code principal}, or refuses with 429. */
    public Slot acquire(String principal) {
        int max = settings.ssePerPrincipal();
        boolean[] granted = {false};
        open.compute(principal, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            granted[0] = true;
            return now + 1;
        });
        if (!granted[0]) {
            throw new ProblemException(Problem.of(429, "too-many-subscriptions", "Too many subscriptions",
                    "at most " + max + " subscriptions may be open per principal (batpak.limits.sse-per-principal)")
                    .retryAfter(5));
        }
        return new Slot(principal);
    }
}
